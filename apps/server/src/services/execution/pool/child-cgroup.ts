import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { isProcessAlive } from "../../../infra/process-alive.js";

/**
 * Limits on a whole child process enforced by the kernel through cgroups, v1 (one hierarchy per
 * controller: this machine's hybrid layout) or v2 (one hierarchy, controllers enabled through
 * `cgroup.subtree_control`):
 * - memory: V8's heap cap does not cover Buffers and native memory; past the limit the kernel kills
 *   the child (SIGKILL) and the cgroup says so;
 * - pids: processes and threads, so that a fork bomb (should one get past the permission model) stops
 *   at a few dozen tasks;
 * - cpu: at most `cpuCores` cores, so that a runaway loop cannot starve the worker and its siblings
 *   until its timeout stops it.
 * Each child gets a cgroup of its own in each controller, under one of this process's.
 */
export type ChildCgroup = {
  /**
   * The `cgroup.procs` files a process writes its own pid to, to enter the cgroup before it starts
   * anything (`enterCgroupCommand`): what it forks then inherits the limits from its first instruction.
   */
  readonly procsFiles: readonly string[];
  /** Whether the kernel killed a process of this cgroup for memory. */
  oomKilled(): boolean;
  /** Removes the cgroup (once its processes are gone). */
  remove(): void;
};

export type ChildCgroupLimits = { memoryBytes: number; tasks: number; cpuCores: number };

type Controller = "memory" | "pids" | "cpu";
type Layout = { version: 1 | 2; roots: Partial<Record<Controller, string>> };

const CONTROLLERS: readonly Controller[] = ["memory", "pids", "cpu"];
/** The CFS period the CPU quota is a share of (the kernel's default). */
const CPU_PERIOD_US = 100_000;

let layout: Layout | null | undefined;
let sequence = 0;

/** Where this process's cgroup is in each controller's hierarchy, v1 if the host mounts it. */
function ownCgroups(): { version: 1 | 2; dirs: Partial<Record<Controller, string>> } {
  const lines = readFileSync("/proc/self/cgroup", "utf8").trim().split("\n");
  const v1: Partial<Record<Controller, string>> = {};
  for (const [, controllers, cgroupPath] of lines.map((line) => line.split(":"))) {
    for (const controller of CONTROLLERS) {
      // cpu may be co-mounted with cpuacct ("cpu,cpuacct"): the directory is named after both.
      const names = controllers?.split(",") ?? [];
      if (!names.includes(controller)) continue;
      const mount = path.join("/sys/fs/cgroup", names.join(","));
      const dir = existsSync(mount) ? mount : path.join("/sys/fs/cgroup", controller);
      if (existsSync(dir)) v1[controller] = path.join(dir, cgroupPath ?? "/");
    }
  }
  if (v1.memory) return { version: 1, dirs: v1 };
  const unified = path.join("/sys/fs/cgroup", lines.find((line) => line.startsWith("0::"))?.slice(3) ?? "/");
  return { version: 2, dirs: { memory: unified, pids: unified, cpu: unified } };
}

/** Makes this process's cgroups for children, if it can (root, or a delegated subtree). */
function probe(): Layout | null {
  try {
    const own = ownCgroups();
    const roots: Partial<Record<Controller, string>> = {};
    for (const controller of CONTROLLERS) {
      const base = own.dirs[controller];
      if (!base) continue;
      try {
        removeStale(base);
        const root = path.join(base, `bifrost-${process.pid}`);
        mkdirSync(root, { recursive: true });
        if (own.version === 2) writeFileSync(path.join(root, "cgroup.subtree_control"), `+${controller}`);
        const check = path.join(root, "probe");
        mkdirSync(check);
        try {
          writeFileSync(
            path.join(check, limitFiles(own.version)[controller]),
            probeValue(own.version, controller),
          );
        } finally {
          rmdirSync(check);
        }
        roots[controller] = root;
      } catch {
        // this controller is not ours to use here; the others may be
      }
    }
    // The memory limit is the one that matters most; without it the layout is not worth using.
    if (!roots.memory) return null;
    process.once("exit", () => {
      for (const root of new Set(Object.values(roots))) {
        try {
          rmdirSync(root);
        } catch {
          // a child cgroup still draining: the kernel keeps it until its last process is gone
        }
      }
    });
    return { version: own.version, roots };
  } catch {
    return null;
  }
}

function limitFiles(version: 1 | 2): Record<Controller, string> {
  return version === 1
    ? { memory: "memory.limit_in_bytes", pids: "pids.max", cpu: "cpu.cfs_quota_us" }
    : { memory: "memory.max", pids: "pids.max", cpu: "cpu.max" };
}

function probeValue(version: 1 | 2, controller: Controller): string {
  if (controller === "memory") return String(64 * 1024 * 1024);
  if (controller === "pids") return "16";
  return version === 1 ? String(CPU_PERIOD_US) : `${CPU_PERIOD_US} ${CPU_PERIOD_US}`;
}

/**
 * Removes the cgroups left by Bifrost processes that are gone (killed before they could clean up):
 * an empty cgroup costs the host little, but they would pile up.
 */
function removeStale(dir: string): void {
  for (const entry of readdirSync(dir)) {
    const owner = /^bifrost-(\d+)$/.exec(entry)?.[1];
    if (!owner || isProcessAlive(Number(owner))) continue;
    const stale = path.join(dir, entry);
    try {
      for (const child of readdirSync(stale))
        if (child.startsWith("child-")) rmdirSync(path.join(stale, child));
      rmdirSync(stale);
    } catch {
      // a process still in it: left for a later start
    }
  }
}

/** The controllers children get here (probed once per process); empty where the host offers none. */
export function childCgroupControllers(): Controller[] {
  if (layout === undefined) layout = probe();
  return layout ? CONTROLLERS.filter((controller) => layout!.roots[controller]) : [];
}

function writeLimits(version: 1 | 2, controller: Controller, dir: string, limits: ChildCgroupLimits): void {
  const write = (file: string, value: string | number) => writeFileSync(path.join(dir, file), String(value));
  const quotaUs = Math.round(limits.cpuCores * CPU_PERIOD_US);
  if (controller === "pids") return write("pids.max", limits.tasks);
  if (version === 1) {
    if (controller === "cpu") {
      write("cpu.cfs_period_us", CPU_PERIOD_US);
      return write("cpu.cfs_quota_us", quotaUs);
    }
    write("memory.limit_in_bytes", limits.memoryBytes);
    // No swap beyond the limit where the kernel accounts swap (memsw).
    if (existsSync(path.join(dir, "memory.memsw.limit_in_bytes")))
      write("memory.memsw.limit_in_bytes", limits.memoryBytes);
    return;
  }
  if (controller === "cpu") return write("cpu.max", `${quotaUs} ${CPU_PERIOD_US}`);
  write("memory.max", limits.memoryBytes);
  write("memory.swap.max", 0);
}

/** A new cgroup (one per controller) with these limits, or undefined where the host offers none. */
export function createChildCgroup(limits: ChildCgroupLimits): ChildCgroup | undefined {
  const controllers = childCgroupControllers();
  if (!layout || controllers.length === 0) return undefined;
  const { version, roots } = layout;
  const name = `child-${++sequence}`;
  const dirs: Partial<Record<Controller, string>> = {};
  for (const controller of controllers) {
    const dir = path.join(roots[controller]!, name);
    try {
      // v2: one directory serves every controller.
      if (!Object.values(dirs).includes(dir)) mkdirSync(dir);
      writeLimits(version, controller, dir, limits);
      dirs[controller] = dir;
    } catch {
      if (controller === "memory") return undefined;
    }
  }
  const unique = [...new Set(Object.values(dirs))];
  return {
    procsFiles: unique.map((dir) => path.join(dir, "cgroup.procs")),
    oomKilled() {
      try {
        const file = version === 1 ? "memory.oom_control" : "memory.events";
        const kills = /^oom_kill (\d+)$/m.exec(readFileSync(path.join(dirs.memory!, file), "utf8"))?.[1];
        return Number(kills ?? 0) > 0;
      } catch {
        return false;
      }
    },
    remove() {
      for (const dir of unique) {
        try {
          rmdirSync(dir);
        } catch {
          // still has a process for a moment; the kernel frees an empty cgroup anyway
        }
      }
    },
  };
}

/**
 * `command` started by a shell that first moves itself into the cgroup, then execs it (same pid):
 * the worker never blocks on a write to `cgroup.procs` (the kernel can take several milliseconds),
 * and no fork of the command happens outside the limits. A failed write stops the start (exit 125).
 */
export function enterCgroupCommand(
  cgroup: ChildCgroup,
  command: string,
  args: readonly string[],
): { command: string; args: string[] } {
  const script =
    // (PWD, which the shell exports, is unset: the child's environment stays exactly the pool's.)
    'unset PWD OLDPWD; n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n-1)); done; ' +
    'exec "$@"';
  return {
    command: "/bin/sh",
    args: ["-c", script, "sh", String(cgroup.procsFiles.length), ...cgroup.procsFiles, command, ...args],
  };
}
