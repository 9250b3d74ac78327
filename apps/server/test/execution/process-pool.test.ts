import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProcessPool } from "../../src/services/execution/pool/process-pool.js";
import {
  startTestPool,
  stopTestPool,
  runWorkflow,
  type RunSpec,
  type TestWorkspace,
} from "./fixtures/sandbox-workspace.js";

let workspace: TestWorkspace;
let pool: ProcessPool;

beforeAll(async () => {
  ({ workspace, pool } = await startTestPool({ minProcesses: 2, maxLogLinesPerRun: 50 }));
});
afterAll(() => stopTestPool({ workspace, pool }));

const run = (exportName: string, spec: Partial<RunSpec> = {}) =>
  runWorkflow(pool, workspace, { file: "outcomes.mjs", exportName, ...spec });

describe("run outcomes", () => {
  it("runs a workflow with validated params (defaults applied) and streams its logs in order", async () => {
    const outcome = await run("greet", { input: { name: "Ada" } });
    expect(outcome).toMatchObject({
      status: "Success",
      result: { message: "Hello, Ada!", organization: "Contoso", caller: "ada@contoso.test" },
      error: null,
      errorType: null,
    });
    expect(outcome.durationMs).toBeGreaterThan(0);
    expect(outcome.cpuMs).toBeGreaterThan(0);
    expect(outcome.peakMemoryBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(outcome.logs.map(({ level, message }) => [level, message])).toEqual([
      ["info", "starting"],
      ["info", "console.log line { nested: true }"],
      ["warn", "console.warn line"],
      ["debug", "debug line"],
      ["error", "console.error line"],
    ]);
    expect(outcome.logs[0]!.data).toEqual({ name: "Ada" });
    const times = outcome.logs.map((line) => line.timestamp);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(Math.abs(times[0]! - Date.now())).toBeLessThan(10_000);
  });

  it("fails with ValidationError listing the issues when the input does not match the params", async () => {
    const outcome = await run("greet", { input: { name: 42 } });
    expect(outcome).toMatchObject({ status: "Failed", errorType: "ValidationError", result: null });
    expect(outcome.error).toMatch(/^Invalid input: name: /);
  });

  it("ends CompletedWithErrors when the workflow returns success: false", async () => {
    const outcome = await run("partial");
    expect(outcome).toMatchObject({
      status: "CompletedWithErrors",
      result: { success: false, reason: "2 of 3 mailboxes created" },
      error: null,
    });
  });

  it("reports a UserError by its message alone, without a stack", async () => {
    const outcome = await run("userError");
    expect(outcome).toMatchObject({
      status: "Failed",
      errorType: "UserError",
      error: "The customer is not connected to Microsoft",
    });
    expect(outcome.logs).toEqual([]);
  });

  it("reports another error by its name and message, with the stack in an error log line", async () => {
    const outcome = await run("typeError");
    expect(outcome).toMatchObject({ status: "Failed", errorType: "TypeError" });
    expect(outcome.error).toMatch(/Cannot read properties of undefined/);
    expect(outcome.error).not.toMatch(/\n\s+at /);
    const [line] = outcome.logs;
    expect(line).toMatchObject({ level: "error" });
    expect(line!.message).toMatch(/outcomes\.mjs:\d+/);
    // The runtime's own frames name server paths and mean nothing to the author.
    expect(line!.message).not.toContain(workspace.runtimeDir);
  });

  it("turns an undefined result into null", async () => {
    expect(await run("nothing")).toMatchObject({ status: "Success", result: null });
  });

  it("fails with SerializationError when the result is not JSON", async () => {
    for (const exportName of ["bigint", "circular"]) {
      const outcome = await run(exportName);
      expect(outcome).toMatchObject({ status: "Failed", errorType: "SerializationError", result: null });
    }
  });

  it("fails with WorkflowNotFound for a missing export or module", async () => {
    expect(await run("noSuchExport")).toMatchObject({ status: "Failed", errorType: "WorkflowNotFound" });
    expect(await run("greet", { file: "missing.mjs" })).toMatchObject({
      status: "Failed",
      errorType: "WorkflowNotFound",
    });
  });

  it("refuses a module outside the key's workspace version", async () => {
    const outcome = runWorkflow(pool, workspace, {
      file: "../v2/outcomes.mjs",
      exportName: "greet",
    });
    await expect(outcome).rejects.toThrow(/not inside workspace version v1/);
  });
});

describe("secrets and logs", () => {
  const secret = "sk-live-7a0c3f9e";

  it("redacts a registered secret from logs and result", async () => {
    const outcome = await run("secretive", { input: { secret } });
    expect(outcome.status).toBe("Success");
    expect(JSON.stringify(outcome)).not.toContain(secret);
    expect(outcome.result).toEqual({ echo: "[REDACTED]", list: ["x[REDACTED]x"] });
    expect(outcome.logs[0]).toMatchObject({
      message: "token is [REDACTED]",
      data: { nested: { value: "[REDACTED]" }, "[REDACTED]": "as a key" },
    });
    expect(outcome.logs[1]!.message).toBe("console sees [REDACTED]");
  });

  it("redacts a registered secret from the error and the stack", async () => {
    const outcome = await run("secretive", { input: { secret, fail: true } });
    expect(outcome).toMatchObject({ status: "Failed", error: "could not use [REDACTED]" });
    expect(JSON.stringify(outcome)).not.toContain(secret);
  });

  it("keeps the first lines of a chatty run and ends with one truncation line", async () => {
    const outcome = await run("chatty", { input: { lines: 5_000 } });
    expect(outcome).toMatchObject({ status: "Success", result: { wrote: 5_000 } });
    expect(outcome.logs).toHaveLength(51);
    expect(outcome.logs[49]!.message).toBe("line 49");
    expect(outcome.logs[50]).toMatchObject({ level: "warn", message: "log truncated: more than 50 lines" });
  });

  it("gives each run its own hooks and console, whatever an earlier run changed", async () => {
    const key = { organizationId: "org-tamper" };
    expect(await run("tamper", key)).toMatchObject({ status: "Success" });
    const inspected = await run("inspectRun", key);
    expect(inspected.result).toMatchObject({
      apiUrl: "http://127.0.0.1:9/api/",
      token: "execution-token",
      signalIsCtxSignal: true,
      triggeredBy: "user",
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const greeted = await run("greet", { ...key, input: { name: "Bob" } });
    expect(greeted.logs.map((line) => line.message)).toContain("console.log line { nested: true }");
    // The earlier run's timer logged while no run of its own was active: dropped, not misattributed.
    expect([...inspected.logs, ...greeted.logs].map((line) => line.message)).not.toContain(
      "late line from an earlier run",
    );
  });
});

describe("statistics", () => {
  it("describes its children", async () => {
    const stats = pool.stats();
    expect(stats.max).toBe(4);
    expect(stats.busy).toBe(0);
    expect(stats.processes.length).toBeGreaterThanOrEqual(2);
    for (const child of stats.processes) {
      expect(child.pid).toBeGreaterThan(0);
      expect(["idle", "starting", "stopping"]).toContain(child.state);
    }
    expect(stats.processes.some((child) => child.runs > 0 && child.rssBytes !== null)).toBe(true);
    expect(pool.capacity).toBe(4);
  });
});
