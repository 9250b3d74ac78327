import { spawnSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  type Stats,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import type { WorkerSandbox } from "@bifrost/contracts";

/**
 * How the operating system isolates a child that runs user code (DESIGN.md §5), around Node's
 * permission model (the inner layer, always on). With `namespaces`, a child runs:
 * - in its own PID namespace (`unshare --pid --fork --mount-proc`): it is pid 1 there, its /proc shows
 *   its own tree only, and it can signal nothing outside it, not the worker, not its siblings;
 * - under an unprivileged identity: a dedicated UID/GID (`setpriv --reuid/--regid --clear-groups`)
 *   when the platform runs as root, otherwise a user namespace of its own (`unshare --user`);
 * - with `no_new_privs`, no core files, a cap on open files (`prlimit`), and killed with the worker
 *   (`--pdeathsig`, set again after the identity change, which clears it);
 * - in cgroups of its own for memory, tasks and CPU (child-cgroup.ts), where the host offers them.
 * All of it comes from util-linux (`setpriv`, `prlimit`, `unshare`, `setsid`), which every Linux
 * distribution ships: no helper to build, no daemon, and no change to how the worker talks to a child.
 */
export type SandboxIdentity = { uid: number; gid: number };

export type Isolation =
  | { kind: "namespaces"; identity: SandboxIdentity | "user-namespace" }
  | { kind: "permission-only"; reason: string };

/** The default identity of children when the platform runs as root: a fixed id no account uses. */
const DEFAULT_SANDBOX_ID = 64_000;

/** Open files (and sockets) one child may hold. */
export const CHILD_OPEN_FILES = 1024;

const TOOLS = {
  setpriv: "/usr/bin/setpriv",
  prlimit: "/usr/bin/prlimit",
  unshare: "/usr/bin/unshare",
  setsid: "/usr/bin/setsid",
  sh: "/bin/sh",
  mount: "/usr/bin/mount",
} as const;

/**
 * In the child's own mount namespace, before the identity drop: an empty read-only tmpfs over /run
 * (and so /var/run) and /dev/shm. Node's permission model stops file reads but not connections to
 * Unix sockets, and the machine's services keep theirs there (PostgreSQL's
 * /run/postgresql/.s.PGSQL.5432 answered a workflow before this). The host's view is untouched; a
 * mount that fails stops the child (the probe then reports isolation as unavailable).
 */
const HIDE_HOST_RUNTIME_DIRS =
  'for dir in /run /dev/shm; do /usr/bin/mount -t tmpfs -o ro,nosuid,nodev,noexec,size=4k,mode=0755 bifrost-empty "$dir" ' +
  '|| exit 126; done; unset PWD OLDPWD; exec "$@"';

const probes = new Map<string, Isolation>();

/**
 * What this host allows, checked once per process and identity by starting Node the way a child is
 * started (so a Node binary or runtime directory the sandbox identity cannot read is found here, at
 * start, not at the first run): `namespaces`, or `permission-only` with the reason.
 */
export function detectIsolation(
  options: { identity?: SandboxIdentity; readable?: readonly string[] } = {},
): Isolation {
  const identity = options.identity ?? { uid: DEFAULT_SANDBOX_ID, gid: DEFAULT_SANDBOX_ID };
  const readable = options.readable ?? [];
  const key = JSON.stringify([identity, readable]);
  let found = probes.get(key);
  if (!found) {
    found = probe(identity, readable);
    probes.set(key, found);
  }
  return found;
}

function probe(identity: SandboxIdentity, readable: readonly string[]): Isolation {
  if (process.platform !== "linux")
    return { kind: "permission-only", reason: `${process.platform} has no PID namespaces` };
  const missing = Object.values(TOOLS).filter((tool) => !existsSync(tool));
  if (missing.length > 0)
    return { kind: "permission-only", reason: `${missing.join(", ")} not found (util-linux)` };
  const candidate: Isolation = {
    kind: "namespaces",
    identity: process.getuid?.() === 0 ? identity : "user-namespace",
  };
  // As the child would be: can it start, and read what it needs?
  const check =
    "const fs=require('node:fs');for(const p of process.argv.slice(1))fs.accessSync(p,fs.constants.R_OK);" +
    "if(process.pid!==1)process.exit(3)";
  const { command, args } = wrapCommand(candidate, [process.execPath, "-e", check, ...readable]);
  const result = spawnSync(command, args, { stdio: ["ignore", "ignore", "pipe"], timeout: 10_000 });
  if (result.status === 0) return candidate;
  const who =
    candidate.identity === "user-namespace" ? "a user namespace" : `uid ${identity.uid}, gid ${identity.gid}`;
  const stderr = result.stderr?.toString() ?? "";
  const line = stderr
    .trim()
    .split("\n")
    .find((text) => /denied|EACCES|not permitted|unshare|setpriv|prlimit/i.test(text));
  let reason: string;
  if (result.status === 3) reason = "the PID namespace was not created";
  else if (/^(unshare|setpriv|prlimit):.*(not permitted|Permission denied)/im.test(stderr))
    reason =
      `the kernel refused the namespaces or the identity change (${line?.trim()}): ` +
      `the platform needs root or CAP_SYS_ADMIN (or unprivileged user namespaces when not root)`;
  else
    reason =
      `a child could not start in its own namespaces as ${who} ` +
      `(${line?.trim() ?? result.error?.message ?? `exit code ${result.status}`}): ` +
      `Node (${process.execPath})${readable.length ? ` and ${readable.join(", ")}` : ""} must be readable by it`;
  return { kind: "permission-only", reason };
}

/**
 * The command that runs `node` (its argv) inside the isolation. Without it, only setpriv's
 * `--pdeathsig` and `--no-new-privs` are kept where setpriv exists.
 */
export function wrapCommand(
  isolation: Isolation,
  node: readonly string[],
  options: { ownNetwork?: boolean } = {},
): { command: string; args: string[] } {
  const outer = existsSync(TOOLS.setpriv)
    ? [TOOLS.setpriv, "--pdeathsig", "KILL", "--no-new-privs", "--"]
    : [];
  if (isolation.kind !== "namespaces") {
    const [command, ...args] = [...outer, ...node];
    return { command: command!, args };
  }
  const { identity } = isolation;
  const limits = [TOOLS.prlimit, `--nofile=${CHILD_OPEN_FILES}:${CHILD_OPEN_FILES}`, "--core=0:0", "--"];
  const unshare = [
    TOOLS.unshare,
    // Not root: a user namespace, mapped to root inside so that the mounts below are allowed; every
    // capability is dropped before Node starts (it could otherwise unmount them).
    ...(identity === "user-namespace" ? ["--user", "--map-root-user"] : []),
    // A network namespace of its own: no interface but a down loopback, so no route anywhere; its
    // connections go out through the egress proxy's Unix socket (egress-proxy.ts), or nowhere.
    ...(options.ownNetwork ? ["--net"] : []),
    "--pid",
    "--fork",
    "--kill-child=SIGKILL",
    "--mount-proc",
    "--",
  ];
  // The identity change clears the parent-death signal unshare's --kill-child set: set it again.
  const drop =
    identity === "user-namespace"
      ? [TOOLS.setpriv, "--bounding-set=-all", "--inh-caps=-all", "--pdeathsig", "KILL", "--"]
      : [
          TOOLS.setpriv,
          `--reuid=${identity.uid}`,
          `--regid=${identity.gid}`,
          "--clear-groups",
          "--pdeathsig",
          "KILL",
          "--",
        ];
  // Node leads its own session and process group: kill(0, …) (its parent's pid is 0 there) reaches
  // Node alone, never the unshare process that waits for it.
  const hide = [TOOLS.sh, "-c", HIDE_HOST_RUNTIME_DIRS, "sh"];
  const [command, ...args] = [...outer, ...limits, ...unshare, ...hide, ...drop, TOOLS.setsid, ...node];
  return { command: command!, args };
}

const shared = new Set<string>();

/**
 * Lets the sandbox identity read a directory of the platform's (the compiled workspace): group-owned
 * by its GID, readable and searchable by the group, never writable by it, and setgid so that what is
 * written in it later is the group's too (the writers give files 0640 and directories 0750). What is
 * already there is handed over the same way.
 */
export function shareWithSandbox(dir: string, isolation: Isolation | undefined): void {
  if (isolation?.kind !== "namespaces" || isolation.identity === "user-namespace") return;
  if (shared.has(dir)) return;
  const { gid } = isolation.identity;
  const uid = process.getuid?.() ?? 0;
  const walk = (entry: string): void => {
    const stat = lstatSync(entry);
    if (stat.isSymbolicLink()) return; // never followed: it could point anywhere
    chownSync(entry, uid, gid);
    if (!stat.isDirectory()) return;
    chmodSync(entry, 0o2750);
    for (const name of readdirSync(entry)) walk(path.join(entry, name));
  };
  walk(dir);
  shared.add(dir);
}

const R = 4;
const X = 1;

/** Whether `identity` has `bits` (read 4, search 1) on a file, from its mode, owner and group. */
function permits(stat: Stats, identity: SandboxIdentity, bits: number): boolean {
  const shift = stat.uid === identity.uid ? 6 : stat.gid === identity.gid ? 3 : 0;
  return ((stat.mode >> shift) & bits) === bits;
}

/** Whether `identity` can search every directory down to `dir`, `dir` included. */
function searchableBy(dir: string, identity: SandboxIdentity): boolean {
  try {
    const parts = path.resolve(dir).split(path.sep).filter(Boolean);
    for (let i = 0; i <= parts.length; i++) {
      if (!permits(statSync(path.sep + parts.slice(0, i).join(path.sep)), identity, X)) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** Whether `identity` can reach `dir` and read it and every file in it (no supplementary groups). */
function readableBy(dir: string, identity: SandboxIdentity): boolean {
  try {
    if (!searchableBy(dir, identity) || !permits(statSync(dir), identity, R)) return false;
    return readdirSync(dir).every((name) => permits(statSync(path.join(dir, name)), identity, R));
  } catch {
    return false;
  }
}

/**
 * Where the platform makes the directories children read (the compiled workspace, a runtime copy):
 * the temporary directory if the sandbox identity can search its way into it, else /tmp. A TMPDIR
 * private to the platform's user (a 0700 directory on the way) would leave children unable to load
 * their code.
 */
export function sandboxTempDir(isolation: Isolation | false | undefined): string {
  const base = os.tmpdir();
  if (!isolation || isolation.kind !== "namespaces" || isolation.identity === "user-namespace") return base;
  if (searchableBy(base, isolation.identity)) return base;
  if (searchableBy("/tmp", isolation.identity)) return "/tmp";
  throw new Error(
    `neither ${base} nor /tmp can be searched by uid ${isolation.identity.uid}: workflow children could not ` +
      "read their code (set TMPDIR to a directory they can reach)",
  );
}

const sharedRuntimes = new Map<string, string>();

/**
 * Where children load the runtime (child.mjs, sdk.mjs) from: the build's directory when the sandbox
 * identity can read it, else a copy in the temporary directory shared with its group (a checkout
 * under a 0700 home, such as /root, is the usual case). One copy per process, removed at exit.
 */
export function runtimeDirFor(runtimeDir: string, isolation: Isolation | false | undefined): string {
  if (!isolation || isolation.kind !== "namespaces" || isolation.identity === "user-namespace")
    return runtimeDir;
  const resolved = path.resolve(runtimeDir);
  const known = sharedRuntimes.get(resolved);
  if (known) return known;
  if (readableBy(resolved, isolation.identity)) return resolved;
  const copy = mkdtempSync(path.join(sandboxTempDir(isolation), "bifrost-runtime-"));
  for (const name of readdirSync(resolved)) {
    if (lstatSync(path.join(resolved, name)).isFile())
      copyFileSync(path.join(resolved, name), path.join(copy, name));
  }
  shareWithSandbox(copy, isolation);
  process.once("exit", () => rmSync(copy, { recursive: true, force: true }));
  sharedRuntimes.set(resolved, copy);
  return copy;
}

/** As the Workers page shows it. `false`: a pool that was told to use none. */
/** A pool told to use no OS isolation (tests of the pool alone). */
export const NO_ISOLATION: Isolation = { kind: "permission-only", reason: "turned off for this pool" };

export function describeIsolation(isolation: Isolation | false): WorkerSandbox {
  if (isolation === false) return describeIsolation(NO_ISOLATION);
  if (isolation.kind === "permission-only")
    return { kind: "permission-only", identity: null, reason: isolation.reason };
  const { identity } = isolation;
  return {
    kind: "namespaces",
    identity: identity === "user-namespace" ? "user namespace" : `uid ${identity.uid}, gid ${identity.gid}`,
    reason: null,
  };
}
