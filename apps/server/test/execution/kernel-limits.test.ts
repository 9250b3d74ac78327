import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { childCgroupControllers } from "../../src/services/execution/child-cgroup.js";
import type { ProcessPool } from "../../src/services/execution/process-pool.js";
import {
  startTestPool,
  stopTestPool,
  runWorkflow,
  type TestWorkspace,
} from "./fixtures/sandbox-workspace.js";

// Buffers are not V8's heap: --max-old-space-size does not stop a run that hoards them. Each child
// is in a memory cgroup of its own (heap ceiling + 256 MiB), so the kernel kills it; the run ends
// Failed with a memory error and the pool serves the next run. (This machine, like CI's, offers the
// cgroup memory controller to root; the test says so first instead of passing without it.)

let workspace: TestWorkspace;
let pool: ProcessPool;

beforeAll(async () => {
  ({ workspace, pool } = await startTestPool({ minProcesses: 1, maxProcesses: 1, memoryLimitMb: 64 }));
}, 60_000);
afterAll(() => stopTestPool({ workspace, pool }));

describe("the kernel's memory limit on a child", () => {
  it("is available on this host", () => {
    expect(childCgroupControllers()).toEqual(["memory", "pids", "cpu"]);
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
