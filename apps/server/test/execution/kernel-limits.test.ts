import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  childCgroupControllers,
  createChildCgroup,
  enterCgroupCommand,
} from "../../src/services/execution/pool/child-cgroup.js";
import { CHILD_TASKS, childMemoryLimitBytes } from "../../src/services/execution/pool/child-process.js";
import {
  CHILD_OPEN_FILES,
  detectIsolation,
  wrapCommand,
} from "../../src/services/execution/pool/isolation.js";
import type { ProcessPool } from "../../src/services/execution/pool/process-pool.js";
import { eventually } from "../support/server-process.js";
import {
  startTestPool,
  stopTestPool,
  runWorkflow,
  type TestWorkspace,
} from "./fixtures/sandbox-workspace.js";

// What the kernel holds a child to, read from outside (/proc and the cgroup files), and tried:
// Buffers are not V8's heap, so --max-old-space-size does not stop a run that hoards them; each child
// is in a memory cgroup of its own (heap ceiling + 256 MiB), so the kernel kills it, the run ends
// Failed with a memory error and the pool serves the next run. A fork bomb (should one get past the
// permission model) stops at the pids limit. (This machine, like CI's, offers the cgroup controllers
// to root; the test says so first instead of passing without them.)

let workspace: TestWorkspace;
let pool: ProcessPool;

beforeAll(async () => {
  ({ workspace, pool } = await startTestPool({ minProcesses: 1, maxProcesses: 1, memoryLimitMb: 64 }));
}, 60_000);
afterAll(() => stopTestPool({ workspace, pool }));

describe("the kernel's limits on a child", () => {
  it("is available on this host", () => {
    expect(childCgroupControllers()).toEqual(["memory", "pids", "cpu"]);
  });

  it("a child runs as uid/gid 64000, no_new_privs, 1024 open files, no core file, in its own cgroups", () => {
    const wrapper = pool.stats().processes[0]?.pid;
    expect(wrapper).toBeTypeOf("number");
    const inner = Number(
      readFileSync(`/proc/${wrapper}/task/${wrapper}/children`, "utf8").trim().split(" ")[0],
    );
    const status = readFileSync(`/proc/${inner}/status`, "utf8");
    expect(status).toMatch(/^Uid:\s+64000\s+64000\s+64000\s+64000$/m);
    expect(status).toMatch(/^Gid:\s+64000\s+64000\s+64000\s+64000$/m);
    expect(status).toMatch(/^Groups:\s*$/m);
    expect(status).toMatch(/^NoNewPrivs:\s+1$/m);
    expect(status).toMatch(/^CapEff:\s+0+$/m);
    const limits = readFileSync(`/proc/${inner}/limits`, "utf8");
    expect(limits).toMatch(
      new RegExp(`^Max open files\\s+${CHILD_OPEN_FILES}\\s+${CHILD_OPEN_FILES}\\s`, "m"),
    );
    expect(limits).toMatch(/^Max core file size\s+0\s+0\s/m);
    const cgroups = readFileSync(`/proc/${inner}/cgroup`, "utf8");
    const dirOf = (controller: string) => {
      const line = cgroups.split("\n").find((l) => l.split(":")[1]?.split(",").includes(controller));
      const relative = line?.split(":")[2] ?? "";
      expect(relative, controller).toMatch(/\/bifrost-\d+\/child-\d+$/);
      return `/sys/fs/cgroup/${line!.split(":")[1]}${relative}`;
    };
    const read = (controller: string, file: string) =>
      readFileSync(`${dirOf(controller)}/${file}`, "utf8").trim();
    expect(Number(read("memory", "memory.limit_in_bytes"))).toBe(childMemoryLimitBytes(64));
    expect(Number(read("pids", "pids.max"))).toBe(CHILD_TASKS);
    expect(Number(read("cpu", "cpu.cfs_quota_us"))).toBe(Number(read("cpu", "cpu.cfs_period_us")));
  });

  it("the pids limit stops a fork bomb at the kernel, whatever the permission model", async () => {
    // A shell, not Node: the permission model would stop it before the kernel had to.
    const cgroup = createChildCgroup({ memoryBytes: 256 * 1024 * 1024, tasks: 16, cpuCores: 1 })!;
    const wrapped = wrapCommand(detectIsolation(), [
      "/bin/sh",
      "-c",
      // A subshell forks sleeps until the kernel refuses one; the shell (pid 1 of the namespace, which
      // must stay up for the others to live) then says so and waits.
      "read go; ( while :; do sleep 30 & done ); echo gave-up; read wait",
    ]);
    // Started as the pool starts a child: in its cgroups before anything runs.
    const { command, args } = enterCgroupCommand(cgroup, wrapped.command, wrapped.args);
    const bomb = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"], detached: true });
    let output = "";
    bomb.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    bomb.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    try {
      const pidsFile = cgroup.procsFiles.find((file) => file.startsWith("/sys/fs/cgroup/pids/"))!;
      const current = () => Number(readFileSync(pidsFile.replace(/cgroup\.procs$/, "pids.current"), "utf8"));
      // The wrapper, and the shell in its namespace, are in before the shell has been told to fork.
      await eventually(async () => (current() >= 2 ? true : undefined), {
        timeoutMs: 5_000,
        intervalMs: 20,
        what: "the shell inside the namespace",
      });
      bomb.stdin.write("go\n");
      await eventually(async () => (output.includes("gave-up") ? true : undefined), {
        timeoutMs: 10_000,
        intervalMs: 50,
        what: "the shell to start its sleeps or give up",
      });
      expect(output).toMatch(/Cannot fork/i);
      expect(current()).toBeGreaterThan(2);
      expect(current()).toBeLessThanOrEqual(16);
    } finally {
      bomb.kill("SIGKILL"); // unshare's --kill-child takes the namespace with it
      await new Promise((resolve) => bomb.once("close", resolve));
      cgroup.remove();
    }
  });

  it("kills a run that hoards Buffers past it: Failed, out of memory; the next run succeeds", async () => {
    const outcome = await runWorkflow(pool, workspace, {
      file: "floods.mjs",
      exportName: "hoardBuffers",
      timeoutMs: 60_000,
    });
    expect(outcome).toMatchObject({ status: "Failed", errorType: "ProcessCrashed" });
    expect(outcome.error).toMatch(
      /ran out of memory: the kernel stopped it at its limit \(64 MB of heap, 320 MB in all\)/,
    );
    const next = await runWorkflow(pool, workspace, {
      file: "floods.mjs",
      exportName: "bigResult",
      input: { mib: 0 },
    });
    expect(next.status).toBe("Success");
  }, 90_000);
});
