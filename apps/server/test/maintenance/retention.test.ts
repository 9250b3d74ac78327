import { randomUUID } from "node:crypto";
import { inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  eventDeliveries,
  eventSources,
  eventSubscriptions,
  events,
  executionLogs,
  executions,
} from "../../src/db/schema/index.js";
import { systemClock } from "../../src/infra/clock.js";
import { createLogger } from "../../src/infra/logger.js";
import { RetentionRepository } from "../../src/repositories/retention.js";
import { EventRetention, ExecutionRetention } from "../../src/services/maintenance/retention.js";
import { createTestContext, type TestContext } from "../support/context.js";
import { workflowId, workflowsFile, writeWorkspaceFile } from "../workspace/workspace-fixtures.js";

const DAY = 24 * 3600_000;
const logger = createLogger({ level: "silent", role: "test" });

describe("maintenance: retention", () => {
  let ctx: TestContext;
  let wf: string;

  beforeAll(async () => {
    ctx = await createTestContext();
    wf = workflowId(
      await writeWorkspaceFile(ctx.admin, "retained.ts", workflowsFile("retained")),
      "retained",
    );
  }, 60_000);
  afterAll(async () => ctx?.close());

  const execution = async (
    status: (typeof executions.$inferInsert)["status"],
    ageDays: number,
    withResult = false,
  ) => {
    const id = randomUUID();
    const resultKey = withResult ? `executions/${id}/result.json` : null;
    if (resultKey) await ctx.app.files.put(resultKey, JSON.stringify({ big: true }));
    await ctx.app.database.db.insert(executions).values({
      id,
      workflowId: wf,
      workflowName: "retained",
      status,
      organizationId: ctx.orgA.id,
      executedByName: "test",
      triggeredBy: "user",
      inputData: {},
      resultKey,
      createdAt: new Date(Date.now() - ageDays * DAY),
    });
    await ctx.app.database.db.insert(executionLogs).values(
      [1, 2, 3].map((sequence) => ({
        executionId: id,
        sequence,
        level: "info" as const,
        message: "m",
        timestamp: new Date(),
      })),
    );
    return { id, resultKey };
  };

  it("deletes old final executions with their logs and stored results, never active or recent ones", async () => {
    const oldDone = await execution("Success", 100, true);
    const oldFailed = await execution("Failed", 95);
    const oldRunning = await execution("Running", 100);
    const oldPending = await execution("Pending", 100);
    const recent = await execution("Success", 10, true);
    const retention = new ExecutionRetention({
      retention: new RetentionRepository(ctx.app.database.db),
      files: ctx.app.files,
      clock: systemClock,
      logger,
      retentionDays: 90,
      batchSize: 1, // several batches
    });
    expect(await retention.runOnce()).toBe(2);
    const left = await ctx.app.database.db
      .select({ id: executions.id })
      .from(executions)
      .where(inArray(executions.id, [oldDone.id, oldFailed.id, oldRunning.id, oldPending.id, recent.id]));
    expect(left.map((r) => r.id).sort()).toEqual([oldRunning.id, oldPending.id, recent.id].sort());
    const logs = await ctx.app.database.db
      .select({ id: executionLogs.executionId })
      .from(executionLogs)
      .where(inArray(executionLogs.executionId, [oldDone.id, oldFailed.id]));
    expect(logs).toEqual([]);
    expect(await ctx.app.files.exists(oldDone.resultKey ?? "")).toBe(false);
    expect(await ctx.app.files.exists(recent.resultKey ?? "")).toBe(true);
  });

  it("deletes events and deliveries older than 30 days", async () => {
    const db = ctx.app.database.db;
    const [source] = await db.insert(eventSources).values({ name: "old" }).returning();
    const [subscription] = await db
      .insert(eventSubscriptions)
      .values({ sourceId: source?.id ?? "", workflowId: wf })
      .returning();
    const at = (days: number) => new Date(Date.now() - days * DAY);
    const inserted = await db
      .insert(events)
      .values(
        [31, 40, 5].map((days) => ({
          sourceId: source?.id ?? "",
          headers: {},
          body: { days },
          createdAt: at(days),
        })),
      )
      .returning();
    await db.insert(eventDeliveries).values(
      inserted.map((event, i) => ({
        eventId: event.id,
        subscriptionId: subscription?.id ?? "",
        createdAt: at([31, 40, 5][i] ?? 0),
      })),
    );
    const retention = new EventRetention({
      retention: new RetentionRepository(db),
      clock: systemClock,
      logger,
      batchSize: 1,
    });
    expect(await retention.runOnce()).toBe(4);
    const left = await db
      .select({ body: events.body })
      .from(events)
      .where(
        inArray(
          events.id,
          inserted.map((e) => e.id),
        ),
      );
    expect(left).toEqual([{ body: { days: 5 } }]);
    const deliveries = await db
      .select()
      .from(eventDeliveries)
      .where(
        inArray(
          eventDeliveries.eventId,
          inserted.map((e) => e.id),
        ),
      );
    expect(deliveries).toHaveLength(1);
  });
});
