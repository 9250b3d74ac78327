import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  describeIsolation,
  detectIsolation,
  runtimeDirFor,
  sandboxTempDir,
  wrapCommand,
} from "../../src/services/execution/pool/isolation.js";

// How a child is wrapped, as root (this test process) and as an ordinary user: an ordinary user
// cannot change identity, so children get a user namespace of their own instead, with the same PID
// namespace. The non-root case runs the built module in a Node started as `nobody`.

const BUILT_ISOLATION_JS = fileURLToPath(
  new URL("../../dist/services/execution/pool/isolation.js", import.meta.url),
);

/**
 * The built module where `nobody` can load it (the checkout may be under a 0700 home): it imports
 * only Node's own modules.
 */
function isolationModuleForAnyone(): { file: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), "bifrost-isolation-module-"));
  chmodSync(dir, 0o755);
  const file = path.join(dir, "isolation.mjs");
  copyFileSync(BUILT_ISOLATION_JS, file);
  chmodSync(file, 0o644);
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

describe("isolation", () => {
  it("as root: namespaces and the dedicated identity, as the Workers page shows it", () => {
    const isolation = detectIsolation();
    expect(isolation).toEqual({ kind: "namespaces", identity: { uid: 64_000, gid: 64_000 } });
    expect(describeIsolation(isolation)).toEqual({
      kind: "namespaces",
      identity: "uid 64000, gid 64000",
      reason: null,
    });
    const { command, args } = wrapCommand(isolation, [process.execPath, "-e", "0"]);
    expect([command, ...args].join(" ")).toBe(
      "/usr/bin/setpriv --pdeathsig KILL --no-new-privs -- /usr/bin/prlimit --nofile=1024:1024 --core=0:0 -- " +
        "/usr/bin/unshare --pid --fork --kill-child=SIGKILL --mount-proc -- " +
        `/bin/sh -c ${args[args.indexOf("-c") + 1]} sh ` +
        "/usr/bin/setpriv --reuid=64000 --regid=64000 --clear-groups --pdeathsig KILL -- " +
        `/usr/bin/setsid ${process.execPath} -e 0`,
    );
  });

  it("as an ordinary user: a user namespace of its own, pid 1 there", () => {
    const module = isolationModuleForAnyone();
    const script = `
      const { detectIsolation, wrapCommand } = await import(${JSON.stringify(module.file)});
      const { spawnSync } = await import("node:child_process");
      const isolation = detectIsolation();
      const { command, args } = wrapCommand(isolation, [process.execPath, "-e", "console.log(process.pid, process.ppid)"]);
      const child = spawnSync(command, args, { encoding: "utf8" });
      console.log(JSON.stringify({ isolation, child: child.stdout.trim(), uid: process.getuid() }));
    `;
    const run = spawnSync(
      "/usr/bin/setpriv",
      [
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "--",
        process.execPath,
        "--input-type=module",
        "-e",
        script,
      ],
      { encoding: "utf8", cwd: "/" },
    );
    module.remove();
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      isolation: { kind: "namespaces", identity: "user-namespace" },
      child: "1 0",
      uid: 65_534,
    });
  });

  it("refuses with the reason when the kernel says no (a process without CAP_SYS_ADMIN)", () => {
    const script = `
      const { detectIsolation } = await import(${JSON.stringify(BUILT_ISOLATION_JS)});
      console.log(JSON.stringify(detectIsolation()));
    `;
    const run = spawnSync(
      "/usr/bin/setpriv",
      [
        "--bounding-set=-sys_admin",
        "--inh-caps=-sys_admin",
        "--",
        process.execPath,
        "--input-type=module",
        "-e",
        script,
      ],
      { encoding: "utf8" },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      kind: "permission-only",
      reason: expect.stringMatching(
        /^the kernel refused the namespaces or the identity change \(unshare: .*not permitted\)/,
      ) as unknown,
    });
  });

  it("the runtime: used where it is, or copied where the children's identity could not read it", () => {
    const isolation = detectIsolation();
    const readableRoot = mkdtempSync(path.join(tmpdir(), "bifrost-runtime-test-"));
    const privateRoot = mkdtempSync(path.join(tmpdir(), "bifrost-runtime-test-"));
    try {
      chmodSync(readableRoot, 0o755);
      writeFileSync(path.join(readableRoot, "child.mjs"), "// readable", { mode: 0o644 });
      expect(runtimeDirFor(readableRoot, isolation)).toBe(readableRoot);

      // As a checkout under /root: a 0700 directory on the way.
      const hidden = path.join(privateRoot, "runtime");
      spawnSync("mkdir", ["-p", hidden]);
      chmodSync(privateRoot, 0o700);
      writeFileSync(path.join(hidden, "child.mjs"), "// the runtime", { mode: 0o644 });
      writeFileSync(path.join(hidden, "sdk.mjs"), "// the sdk", { mode: 0o644 });
      const copy = runtimeDirFor(hidden, isolation);
      expect(copy).not.toBe(hidden);
      expect(runtimeDirFor(hidden, isolation)).toBe(copy); // one copy per process
      const read = (file: string) =>
        spawnSync(
          "/usr/bin/setpriv",
          ["--reuid=64000", "--regid=64000", "--clear-groups", "--", "cat", file],
          {
            encoding: "utf8",
          },
        );
      expect(read(path.join(hidden, "child.mjs")).status).not.toBe(0);
      expect(read(path.join(copy, "child.mjs")).stdout).toBe("// the runtime");
      expect(read(path.join(copy, "sdk.mjs")).stdout).toBe("// the sdk");
      expect(readFileSync(path.join(copy, "sdk.mjs"), "utf8")).toBe("// the sdk");
      // Not for anyone else: the directory is the sandbox group's, 2750.
      const other = spawnSync("/usr/bin/setpriv", [
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "--",
        "cat",
        path.join(copy, "sdk.mjs"),
      ]);
      expect(other.status).not.toBe(0);
    } finally {
      rmSync(readableRoot, { recursive: true, force: true });
      rmSync(privateRoot, { recursive: true, force: true });
    }
  });

  it("temporary directories: TMPDIR where the children's identity can reach it, else /tmp", () => {
    const isolation = detectIsolation();
    const saved = process.env.TMPDIR;
    const open = mkdtempSync(path.join(tmpdir(), "bifrost-tmpdir-open-"));
    const closed = mkdtempSync(path.join(tmpdir(), "bifrost-tmpdir-closed-")); // 0700, as mkdtemp makes it
    try {
      chmodSync(open, 0o711);
      process.env.TMPDIR = open;
      expect(sandboxTempDir(isolation)).toBe(open);
      process.env.TMPDIR = closed;
      expect(sandboxTempDir(isolation)).toBe("/tmp");
      // Without isolation, or in a user namespace (the same uid), TMPDIR is always fine.
      expect(sandboxTempDir({ kind: "permission-only", reason: "test" })).toBe(closed);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      rmSync(open, { recursive: true, force: true });
      rmSync(closed, { recursive: true, force: true });
    }
  });
});
