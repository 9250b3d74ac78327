import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { describeIsolation, detectIsolation, wrapCommand } from "../../src/services/execution/isolation.js";

// How a child is wrapped, as root (this test process) and as an ordinary user: an ordinary user
// cannot change identity, so children get a user namespace of their own instead, with the same PID
// namespace. The non-root case runs the built module in a Node started as `nobody`.

const ISOLATION_JS = fileURLToPath(new URL("../../dist/services/execution/isolation.js", import.meta.url));

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
    expect([command, ...args].join(" ")).toMatch(
      /^\/usr\/bin\/setpriv --pdeathsig KILL --no-new-privs -- \/usr\/bin\/prlimit --nofile=1024:1024 --core=0:0 -- \/usr\/bin\/unshare --pid --fork --kill-child=SIGKILL --mount-proc -- \/usr\/bin\/setpriv --reuid=64000 --regid=64000 --clear-groups --pdeathsig KILL -- \/usr\/bin\/setsid /,
    );
  });

  it("as an ordinary user: a user namespace of its own, pid 1 there", () => {
    const script = `
      const { detectIsolation, wrapCommand } = await import(${JSON.stringify(ISOLATION_JS)});
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
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      isolation: { kind: "namespaces", identity: "user-namespace" },
      child: "1 0",
      uid: 65_534,
    });
  });

  it("refuses with the reason when the kernel says no (a process without CAP_SYS_ADMIN)", () => {
    const script = `
      const { detectIsolation } = await import(${JSON.stringify(ISOLATION_JS)});
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
});
