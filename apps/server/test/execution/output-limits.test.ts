import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { boundLine, DEFAULT_OUTPUT_LIMITS } from "../../src/services/execution/output-limits.js";
import type { ProcessPool } from "../../src/services/execution/process-pool.js";
import {
  startTestPool,
  stopTestPool,
  runWorkflow,
  type TestWorkspace,
} from "./fixtures/sandbox-workspace.js";

// What one run may emit, enforced by the pool whatever the child sends: lines of at most 64 KiB,
// 16 MiB of log per attempt, a result of at most BIFROST_MAX_RESULT_BYTES. The floods come through
// ctx.log and by hand over the IPC channel (forged `logs` messages, past the child runtime's caps).

const MIB = 1024 * 1024;
const { lineBytes, logBytesPerAttempt } = DEFAULT_OUTPUT_LIMITS;

let workspace: TestWorkspace;
let pool: ProcessPool;

beforeAll(async () => {
  ({ workspace, pool } = await startTestPool({
    minProcesses: 1,
    maxProcesses: 2,
    outputLimits: { resultBytes: 2 * MIB },
  }));
}, 60_000);
afterAll(() => stopTestPool({ workspace, pool }));

const storedBytes = (logs: Array<{ message: string; data?: unknown }>) =>
  logs.reduce(
    (sum, line) =>
      sum + Buffer.byteLength(line.message) + (line.data ? Buffer.byteLength(JSON.stringify(line.data)) : 0),
    0,
  );

describe("bounded output", () => {
  it("cuts a line and its data at 64 KiB, with a marker", async () => {
    const outcome = await runWorkflow(pool, workspace, {
      file: "floods.mjs",
      exportName: "longLine",
      input: { bytes: 1 * MIB },
    });
    expect(outcome.status).toBe("Success");
    const [line] = outcome.logs;
    expect(Buffer.byteLength(line!.message)).toBeLessThan(lineBytes + 200);
    expect(line!.message).toMatch(/\[line cut: 1048576 bytes, the limit is 65536\]$/);
    expect(JSON.stringify(line!.data)).toMatch(/the data was \d+ bytes; the limit is 65536/);
  });

  it.each([
    ["200 MiB through ctx.log", "logFlood", 200],
    ["64 MiB forged over the IPC channel, past the child's own caps", "ipcLogFlood", 64],
  ])(
    "a run that logs %s keeps at most 16 MiB, then one truncation line",
    async (_what, exportName, mib) => {
      const outcome = await runWorkflow(pool, workspace, {
        file: "floods.mjs",
        exportName,
        input: { mib },
        timeoutMs: 120_000,
      });
      expect(outcome.status).toBe("Success");
      expect(storedBytes(outcome.logs)).toBeLessThanOrEqual(logBytesPerAttempt + 1024);
      expect(storedBytes(outcome.logs)).toBeGreaterThan(logBytesPerAttempt - 64 * 1024);
      expect(outcome.logs.at(-1)?.message).toMatch(/^log truncated: more than 16777216 bytes/);
      expect(outcome.logs.filter((line) => line.message.startsWith("log truncated")).length).toBe(1);
    },
    150_000,
  );

  it("a result over the cap ends Failed / ResultTooLarge with no result; the pool serves the next run", async () => {
    const outcome = await runWorkflow(pool, workspace, {
      file: "floods.mjs",
      exportName: "bigResult",
      input: { mib: 3 },
    });
    expect(outcome).toMatchObject({ status: "Failed", errorType: "ResultTooLarge", result: null });
    expect(outcome.error).toMatch(/limit is 2097152/);
    const small = await runWorkflow(pool, workspace, {
      file: "floods.mjs",
      exportName: "bigResult",
      input: { mib: 1 },
    });
    expect(small.status).toBe("Success");
  });

  it("boundLine leaves a line under the bound as it is, and never splits a character", () => {
    const line = { level: "info" as const, message: "héllo", timestamp: 1 };
    expect(boundLine(line, lineBytes)).toEqual({ line, bytes: 6 });
    const cut = boundLine({ ...line, message: "é".repeat(10) }, 5).line.message;
    expect(cut.startsWith("éé … [line cut: 20 bytes")).toBe(true);
  });
});
