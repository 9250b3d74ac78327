import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  boundLine,
  DEFAULT_OUTPUT_LIMITS,
  maxMessageBytes,
} from "../../src/services/execution/pool/output-limits.js";
import type { ProcessPool } from "../../src/services/execution/pool/process-pool.js";
import {
  startTestPool,
  stopTestPool,
  runWorkflow,
  type TestWorkspace,
} from "./fixtures/sandbox-workspace.js";

// What one run may emit, enforced by the pool whatever the child sends: lines of at most 64 KiB,
// 16 MiB of log per attempt, a result of at most BIFROST_MAX_RESULT_BYTES. The floods come through
// ctx.log and by hand on the channel to the pool (forged `logs` messages, past the child runtime's caps).

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
    ["64 MiB forged on the channel to the pool, past the child's own caps", "ipcLogFlood", 64],
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

  it("a result under the cap is kept", async () => {
    const small = await runWorkflow(pool, workspace, {
      file: "floods.mjs",
      exportName: "bigResult",
      input: { mib: 1 },
    });
    expect(small.status).toBe("Success");
    expect((small.result as { blob: string }).blob.length).toBe(MIB);
  });

  it("a result far over the cap (past the channel's message limit) is still ResultTooLarge", async () => {
    const outcome = await runWorkflow(pool, workspace, {
      file: "floods.mjs",
      exportName: "bigResult",
      input: { mib: 40 },
    });
    expect(outcome).toMatchObject({ status: "Failed", errorType: "ResultTooLarge", result: null });
  });

  it(`a message that never ends (one line of 64 MiB, the limit is ${maxMessageBytes({ ...DEFAULT_OUTPUT_LIMITS, resultBytes: 2 * MIB }) / MIB} MiB) gets its child killed: OutputLimitExceeded`, async () => {
    const outcome = await runWorkflow(pool, workspace, {
      file: "floods.mjs",
      exportName: "ipcFlood",
      input: { mib: 64 },
      timeoutMs: 60_000,
    });
    expect(outcome).toMatchObject({ status: "Failed", errorType: "OutputLimitExceeded", result: null });
    expect(outcome.error).toMatch(/over its size limit/);
    const next = await runWorkflow(pool, workspace, {
      file: "floods.mjs",
      exportName: "bigResult",
      input: { mib: 1 },
    });
    expect(next.status).toBe("Success");
  });

  it("boundLine leaves a line under the bound as it is, never splits a character, and cuts only once", () => {
    const line = { level: "info" as const, message: "héllo", timestamp: 1 };
    expect(boundLine(line, lineBytes)).toEqual({ line, bytes: 6 });
    const marker = " … [line cut: 200 bytes, the limit is 60]";
    const once = boundLine({ ...line, message: "é".repeat(100) }, 60);
    // 60 bytes in all: the marker, and whole two-byte characters in what is left.
    expect(once.line.message).toBe("é".repeat(Math.floor((60 - Buffer.byteLength(marker)) / 2)) + marker);
    expect(once.bytes).toBeLessThanOrEqual(60);
    // The child runtime cuts, then the pool: the second pass changes nothing.
    expect(boundLine(once.line, 60)).toEqual(once);
  });

  it.each([
    ["returned (the child runtime refuses it)", "bigResult"],
    // Last in this file: its child is left inside the run it forged a result for, so the next run it
    // is given fails on it (only its own organization's, the key it is bound to).
    ["forged by hand past the runtime (the pool refuses it)", "forgedBigResult"],
  ])("a result over the cap, %s, ends Failed / ResultTooLarge with no result", async (_how, exportName) => {
    const outcome = await runWorkflow(pool, workspace, {
      file: "floods.mjs",
      exportName,
      input: { mib: 3 },
    });
    expect(outcome).toMatchObject({ status: "Failed", errorType: "ResultTooLarge", result: null });
    expect(outcome.error).toMatch(/limit is 2097152/);
  });
});
