import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executions } from "../../../src/db/schema/index.js";
import { createEngine, type Engine } from "../../support/engine.js";
import { eventually } from "../../support/server-process.js";

const QUICK = `
import { workflow } from "@bifrost/sdk";
export const quick = workflow({ async run() { return { ok: true }; } });
`;

describe("deferred runs", () => {
  let engine: Engine;

  const row = async (id: string) =>
    (await engine.app.database.db.select().from(executions).where(eq(executions.id, id)))[0];

  beforeAll(async () => {
    engine = await createEngine();
    await engine.writeWorkflow("deferred.ts", QUICK);
  }, 60_000);
  afterAll(async () => engine?.close());

  it("a run 5 s ahead is Scheduled, then starts within 2 s after its time", async () => {
    const scheduledAt = new Date(Date.now() + 5_000).toISOString();
    const response = await engine.execute(engine.admin, { workflowName: "quick", scheduledAt });
    expect(response.statusCode).toBe(202);
    const { executionId, status } = response.json<{ executionId: string; status: string }>();
    expect(status).toBe("Scheduled");
    expect((await row(executionId))?.status).toBe("Scheduled");
    const done = await eventually(
      async () => {
        const r = await row(executionId);
        return r?.status === "Success" ? r : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 200, what: "the deferred run to finish" },
    );
    expect(done.scheduledAt?.toISOString()).toBe(scheduledAt);
    const lag = done.startedAt!.getTime() - done.scheduledAt!.getTime();
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThan(2_000);
  }, 30_000);

  it("delaySeconds defers too; cancelled while Scheduled, it never runs", async () => {
    const response = await engine.execute(engine.admin, { workflowName: "quick", delaySeconds: 2 });
    expect(response.statusCode).toBe(202);
    const { executionId } = response.json<{ executionId: string }>();
    const cancel = await engine.admin.request("POST", `/api/executions/${executionId}/cancel`);
    expect(cancel.statusCode).toBe(200);
    expect(cancel.json<{ status: string }>().status).toBe("Cancelled");
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    const after = await row(executionId);
    expect(after).toMatchObject({ status: "Cancelled", startedAt: null });
  }, 15_000);

  it("validation: past time, more than a year, both fields, sync → 422", async () => {
    const cases: Array<Record<string, unknown>> = [
      { scheduledAt: new Date(Date.now() - 60_000).toISOString() },
      { scheduledAt: new Date(Date.now() + 366 * 24 * 3600 * 1000).toISOString() },
      { delaySeconds: 366 * 24 * 3600 },
      { scheduledAt: new Date(Date.now() + 60_000).toISOString(), delaySeconds: 5 },
      { delaySeconds: 60, sync: true },
    ];
    for (const extra of cases) {
      const response = await engine.execute(engine.admin, { workflowName: "quick", ...extra });
      expect(response.statusCode, JSON.stringify(extra)).toBe(422);
    }
  });
});
