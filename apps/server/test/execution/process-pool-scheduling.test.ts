import { spawn } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PoolClosedError } from "../../src/services/execution/pool/process-pool.js";
import { waitUntil } from "../support/wait.js";
import {
  childProcesses,
  createTestPool,
  createTestWorkspace,
  processAlive,
  runRequest,
  runWorkflow,
  type RunSpec,
  type TestWorkspace,
} from "./fixtures/sandbox-workspace.js";

let workspace: TestWorkspace;

// These tests tell children apart by the pid a run reports. In its own PID namespace every child is
// pid 1, so they run without the namespace: they are about scheduling, and the namespace has tests of
// its own (sandbox-escapes.test.ts and the embedded recovery tests).
const testPool = (options: Parameters<typeof createTestPool>[1]) =>
  createTestPool(workspace, { isolation: false, ...options });

beforeAll(async () => {
  workspace = await createTestWorkspace();
  await workspace.addVersion("v1");
  await workspace.addVersion("v2");
});
afterAll(async () => {
  await workspace?.remove();
});

const pidOf = async (pool: Parameters<typeof runWorkflow>[0], extra: Partial<RunSpec> = {}) => {
  const outcome = await runWorkflow(pool, workspace, { file: "lifecycle.mjs", exportName: "pid", ...extra });
  expect(outcome.status).toBe("Success");
  return (outcome.result as { pid: number }).pid;
};

describe("reuse of children", () => {
  it("reuses a child only for the same organization, workspace version and privilege", async () => {
    const pool = testPool({ minProcesses: 2, maxProcesses: 6 });
    try {
      await pool.start();
      const first = await pidOf(pool, { organizationId: "org-a" });
      expect(await pidOf(pool, { organizationId: "org-a" })).toBe(first);
      const others = [
        await pidOf(pool, { organizationId: "org-b" }),
        await pidOf(pool, { organizationId: "org-a", privileged: true }),
        await pidOf(pool, { organizationId: "org-a", version: "v2" }),
      ];
      expect(new Set([first, ...others]).size).toBe(4);
      expect(await pidOf(pool, { organizationId: "org-b" })).toBe(others[0]);
      const keys = pool.stats().processes.map((child) => child.key?.organizationId ?? null);
      expect(keys).toEqual(expect.arrayContaining(["org-a", "org-b"]));
    } finally {
      await pool.close();
    }
  });

  it("recycles a child after maxRunsPerProcess runs", async () => {
    const pool = testPool({ minProcesses: 1, maxProcesses: 2, maxRunsPerProcess: 3 });
    try {
      const pids: number[] = [];
      for (let i = 0; i < 4; i++) pids.push(await pidOf(pool));
      expect(pids.slice(0, 3)).toEqual([pids[0], pids[0], pids[0]]);
      expect(pids[3]).not.toBe(pids[0]);
      await waitUntil("the recycled child has exited", () => !processAlive(pids[0]!));
    } finally {
      await pool.close();
    }
  });

  it("recycles a child whose memory is above the ceiling after a run", async () => {
    const pool = testPool({ minProcesses: 0, maxProcesses: 1, memoryLimitMb: 16 });
    try {
      const first = await pidOf(pool);
      await waitUntil("the child above the ceiling has exited", () => !processAlive(first));
      expect(await pidOf(pool)).not.toBe(first);
    } finally {
      await pool.close();
    }
  });

  it("stops an idle child after idleTimeoutMs, keeping minProcesses unbound ones", async () => {
    const pool = testPool({ minProcesses: 1, maxProcesses: 3, idleTimeoutMs: 200 });
    try {
      await pool.start();
      const [a, b] = await Promise.all([
        pidOf(pool, { organizationId: "org-a" }),
        pidOf(pool, { organizationId: "org-b" }),
      ]);
      await waitUntil("both bound children are gone", () => !processAlive(a) && !processAlive(b));
      await waitUntil("one unbound child is left", () => {
        const { processes } = pool.stats();
        return processes.length === 1 && processes[0]!.key === null && processes[0]!.state === "idle";
      });
    } finally {
      await pool.close();
    }
  });
});

describe("capacity", () => {
  it("queues runs when every child is busy and serves them in order", async () => {
    const pool = testPool({ minProcesses: 0, maxProcesses: 1 });
    try {
      const order: string[] = [];
      const runs = ["org-a", "org-b", "org-a"].map((organizationId, index) => {
        const { request } = runRequest(workspace, {
          file: "lifecycle.mjs",
          exportName: "sleep",
          input: { ms: 50 },
          organizationId,
        });
        return pool.run(request).then((outcome) => {
          order.push(`${index}:${outcome.status}`);
          return outcome;
        });
      });
      await Promise.all(runs);
      expect(order).toEqual(["0:Success", "1:Success", "2:Success"]);
      // org-b needed the only slot: the org-a child was replaced, never shared.
      const pids = await Promise.all(runs.map(async (run) => ((await run).result as { pid: number }).pid));
      expect(new Set(pids).size).toBe(3);
      expect(pool.stats().processes.length).toBeLessThanOrEqual(1);
    } finally {
      await pool.close();
    }
  });

  it("close() rejects waiting and running runs, kills every child and reaps it", async () => {
    // esbuild's service process is a child of this test process too: compare with what was there.
    const before = childProcesses();
    const pool = testPool({ minProcesses: 1, maxProcesses: 1, graceMs: 500 });
    await pool.start();
    const spec = { file: "lifecycle.mjs", exportName: "sleep", input: { ms: 60_000 }, timeoutMs: 0 };
    const running = pool.run(runRequest(workspace, spec).request);
    const waiting = pool.run(runRequest(workspace, spec).request);
    await waitUntil("the first run is busy", () => pool.stats().busy === 1);
    const [pid] = pool.stats().processes.map((child) => child.pid!);
    const rejections = [
      expect(running).rejects.toBeInstanceOf(PoolClosedError),
      expect(waiting).rejects.toBeInstanceOf(PoolClosedError),
    ];
    await pool.close();
    await Promise.all(rejections);
    expect(processAlive(pid!)).toBe(false);
    expect(childProcesses()).toEqual(before);
    await expect(pool.run(runRequest(workspace, spec).request)).rejects.toBeInstanceOf(PoolClosedError);
  });
});

describe("process hygiene", () => {
  it("leaves no zombie or orphan child after 500 runs with recycling and crashes", async () => {
    const before = childProcesses();
    const pool = testPool({ minProcesses: 2, maxProcesses: 4, maxRunsPerProcess: 25 });
    const pids = new Set<number>();
    try {
      await pool.start();
      // 125 rounds of 4 concurrent runs: recycled every 25 runs, a crash every 25 rounds, and the
      // organization switches every 25 rounds (children of the other one are evicted).
      for (let round = 0; round < 125; round++) {
        const outcomes = await Promise.all(
          Array.from({ length: 4 }, (_, i) =>
            runWorkflow(pool, workspace, {
              file: "lifecycle.mjs",
              exportName: round % 25 === 24 && i === 0 ? "exit" : "pid",
              organizationId: `org-${Math.floor(round / 25) % 2}`,
            }).then((outcome) => {
              // Every child that ran something, sampled as each run ends (it is still listed then,
              // if only as stopping): a child can come and go within one round.
              for (const child of pool.stats().processes) if (child.pid) pids.add(child.pid);
              return outcome;
            }),
          ),
        );
        for (const outcome of outcomes) {
          if (outcome.status === "Success") pids.add((outcome.result as { pid: number }).pid);
          else expect(outcome.errorType).toBe("ProcessCrashed");
        }
        for (const child of pool.stats().processes) if (child.pid) pids.add(child.pid);
      }
      // A child just killed is a zombie until it is reaped: let the stopping ones finish first.
      await waitUntil("stopped children are reaped", () =>
        pool.stats().processes.every((child) => child.state !== "stopping"),
      );
      const live = childProcesses().filter((child) => !before.some((b) => b.pid === child.pid));
      expect(live.filter((child) => child.state === "Z")).toEqual([]);
      expect(live.length).toBe(pool.stats().processes.length);
      // Recycling happened: 495 successful runs at most 25 per child need at least 20 children (a
      // child that only crashed is counted when a sample catches it, which a loaded machine may miss).
      expect(pids.size).toBeGreaterThanOrEqual(20);
    } finally {
      await pool.close();
    }
    expect(childProcesses()).toEqual(before);
    expect([...pids].filter(processAlive)).toEqual([]);
  });

  it("a worker killed with SIGKILL takes its children with it", async () => {
    const script = path.join(import.meta.dirname, "fixtures/pool-host.ts");
    // tsx as a loader, not its CLI: the CLI would run the script in a grandchild we could not kill.
    const tsx = pathToFileURL(
      path.resolve(import.meta.dirname, "../../../../node_modules/tsx/dist/loader.mjs"),
    );
    const host = spawn(process.execPath, ["--import", tsx.href, "--conditions=@bifrost/source", script], {
      env: { ...process.env, RUNTIME_DIR: workspace.runtimeDir, COMPILED_ROOT: workspace.compiledRoot },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const hostExited = new Promise((resolve) => host.once("exit", resolve));
    const pids = await new Promise<number[]>((resolve, reject) => {
      let out = "";
      host.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const line = out.split("\n").find((text) => text.startsWith("pids "));
        if (line) resolve(line.slice(5).split(",").map(Number));
      });
      host.once("exit", (code) => reject(new Error(`the pool host exited early (${code})`)));
    });
    expect(pids.length).toBe(2);
    expect(pids.every(processAlive)).toBe(true);
    host.kill("SIGKILL");
    await hostExited;
    await waitUntil("the children of the killed worker are gone", () => !pids.some(processAlive));
  });
});
