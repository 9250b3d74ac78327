import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProcessPool } from "../../src/services/execution/pool/process-pool.js";
import { waitUntil } from "../support/wait.js";
import {
  createTestPool,
  startTestPool,
  stopTestPool,
  processAlive,
  runRequest,
  runWorkflow,
  type RunSpec,
  type TestWorkspace,
} from "./fixtures/sandbox-workspace.js";

let workspace: TestWorkspace;
let pool: ProcessPool;

beforeAll(async () => {
  ({ workspace, pool } = await startTestPool({ minProcesses: 1, maxProcesses: 3, graceMs: 1_500 }));
});
afterAll(() => stopTestPool({ workspace, pool }));

const spec = (exportName: string, extra: Partial<RunSpec> = {}): RunSpec => ({
  file: "lifecycle.mjs",
  exportName,
  ...extra,
});

/** Starts a run and waits until the pool reports the child running it. */
async function startRun(target: ProcessPool, exportName: string, extra: Partial<RunSpec> = {}) {
  const { request, logs } = runRequest(workspace, spec(exportName, extra));
  const outcome = target.run(request);
  let pid = 0;
  await waitUntil("the run is in progress", () => {
    const child = target.stats().processes.find((p) => p.executionId === request.executionId);
    pid = child?.state === "busy" ? (child.pid ?? 0) : 0;
    return pid > 0 && logs.length > 0;
  });
  return { request, logs, outcome, pid };
}

describe("timeouts", () => {
  it("aborts ctx.signal, then kills a hung run: Timeout, and its process is gone", async () => {
    const started = Date.now();
    const { outcome, logs, pid } = await startRun(pool, "waitForAbort", { timeoutMs: 500 });
    const result = await outcome;
    expect(Date.now() - started).toBeLessThan(500 + 6_000);
    expect(result).toMatchObject({
      status: "Timeout",
      errorType: "Timeout",
      error: "The run timed out after 500 ms",
      result: null,
    });
    expect(processAlive(pid)).toBe(false);
    // Lines written while the run was being stopped still arrive before the outcome.
    expect(logs.map((line) => line.message)).toContain("aborted: The run timed out after 500 ms");
  });

  it("SIGKILLs a run that ignores SIGTERM once the grace period is over", async () => {
    const started = Date.now();
    const { outcome, pid } = await startRun(pool, "spin", { timeoutMs: 300 });
    expect(await outcome).toMatchObject({ status: "Timeout", errorType: "Timeout" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300 + 1_500);
    expect(Date.now() - started).toBeLessThan(300 + 6_000);
    expect(processAlive(pid)).toBe(false);
  });
});

describe("cancellation", () => {
  it("cancelling a running execution kills its child and ends Cancelled", async () => {
    const { request, outcome, logs, pid } = await startRun(pool, "waitForAbort", { timeoutMs: 0 });
    expect(pool.cancel(request.executionId, "Cancelled by Ada")).toBe(true);
    expect(await outcome).toMatchObject({ status: "Cancelled", error: "Cancelled by Ada", result: null });
    expect(processAlive(pid)).toBe(false);
    expect(logs.map((line) => line.message)).toContain("aborted: Cancelled by Ada");
  });

  it("cancelling a waiting execution ends it Cancelled without running it", async () => {
    const single = createTestPool(workspace, { minProcesses: 0, maxProcesses: 1 });
    try {
      const first = await startRun(single, "waitForAbort", { timeoutMs: 0 });
      const { request, logs } = runRequest(workspace, spec("pid"));
      const waiting = single.run(request);
      expect(single.cancel(request.executionId)).toBe(true);
      expect(await waiting).toMatchObject({ status: "Cancelled", durationMs: 0 });
      expect(logs).toEqual([]);
      expect(single.cancel(first.request.executionId)).toBe(true);
      expect((await first.outcome).status).toBe("Cancelled");
    } finally {
      await single.close();
    }
  });

  it("answers false for an execution it does not have", () => {
    expect(pool.cancel("no-such-execution")).toBe(false);
  });
});

describe("crashes", () => {
  it("a child that exits mid-run fails the run with ProcessCrashed, and the next run succeeds", async () => {
    const crashed = await runWorkflow(pool, workspace, spec("exit"));
    expect(crashed).toMatchObject({ status: "Failed", errorType: "ProcessCrashed", result: null });
    expect(crashed.error).toMatch(/exited with code 1/);
    expect(await runWorkflow(pool, workspace, spec("pid"))).toMatchObject({ status: "Success" });
  });

  it("an uncaught exception ends the run ProcessCrashed with the error in its log", async () => {
    const crashed = await runWorkflow(pool, workspace, spec("uncaught"));
    expect(crashed).toMatchObject({ status: "Failed", errorType: "ProcessCrashed" });
    expect(crashed.logs.at(-1)).toMatchObject({ level: "error" });
    expect(crashed.logs.at(-1)!.message).toMatch(/^Uncaught Error: thrown from a timer/);
  });

  it("a run that exhausts the heap fails with ProcessCrashed, and the pool recovers", async () => {
    const small = createTestPool(workspace, { minProcesses: 1, maxProcesses: 1, memoryLimitMb: 64 });
    try {
      await small.start();
      const crashed = await runWorkflow(small, workspace, spec("exhaustMemory", { timeoutMs: 60_000 }));
      expect(crashed).toMatchObject({ status: "Failed", errorType: "ProcessCrashed" });
      expect(crashed.error).toMatch(/ran out of memory \(limit 64 MB\)/);
      expect(await runWorkflow(small, workspace, spec("pid"))).toMatchObject({ status: "Success" });
      await waitUntil("a replacement child is idle", () => small.stats().idle === 1);
    } finally {
      await small.close();
    }
  });

  it("replaces a child that dies while idle", async () => {
    const single = createTestPool(workspace, { minProcesses: 1, maxProcesses: 1 });
    try {
      await single.start();
      const [child] = single.stats().processes;
      process.kill(child!.pid!, "SIGKILL");
      await waitUntil("a new idle child", () => {
        const [next] = single.stats().processes;
        return next !== undefined && next.pid !== child!.pid && next.state === "idle";
      });
      expect(processAlive(child!.pid!)).toBe(false);
      expect(await runWorkflow(single, workspace, spec("pid"))).toMatchObject({ status: "Success" });
    } finally {
      await single.close();
    }
  });

  it("kills a child that sends the pool a message it did not ask for, and fails its run", async () => {
    for (const kind of ["garbage", "foreignResult"]) {
      const outcome = await runWorkflow(pool, workspace, spec("forgeMessage", { input: { kind } }));
      expect(outcome, kind).toMatchObject({ status: "Failed", errorType: "ProcessCrashed" });
      expect(outcome.error).toMatch(/invalid message/);
    }
    expect(await runWorkflow(pool, workspace, spec("pid"))).toMatchObject({ status: "Success" });
  });

  it("fails a run whose child does not start in time, instead of waiting for it", async () => {
    const slow = createTestPool(workspace, { minProcesses: 0, maxProcesses: 1, startTimeoutMs: 1 });
    try {
      const outcome = await runWorkflow(slow, workspace, spec("pid"));
      expect(outcome).toMatchObject({ status: "Failed", errorType: "ProcessCrashed" });
      expect(outcome.error).toMatch(/before it was ready/);
      expect(slow.stats().processes).toEqual([]);
    } finally {
      await slow.close();
    }
  });

  it("rejects start() when no child can start (a missing runtime bundle)", async () => {
    const broken = createTestPool(
      { ...workspace, runtimeDir: `${workspace.root}/no-runtime` },
      { minProcesses: 1, startTimeoutMs: 5_000 },
    );
    try {
      await expect(broken.start()).rejects.toThrow(/before it was ready/);
    } finally {
      await broken.close();
    }
  });
});
