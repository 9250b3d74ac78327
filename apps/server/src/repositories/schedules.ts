import { and, eq, inArray, lte, sql } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { executions, scheduleFires, schedules } from "../db/schema/index.js";
import { keyset, toPage, type Page } from "./pagination.js";

export type ScheduleRow = typeof schedules.$inferSelect;
export type NewSchedule = typeof schedules.$inferInsert;
export type ScheduleChanges = Partial<
  Pick<
    NewSchedule,
    "cron" | "timezone" | "organizationId" | "inputData" | "enabled" | "overlapPolicy" | "nextRunAt"
  >
>;
export type FireOutcome = (typeof scheduleFires.$inferSelect)["outcome"];

const ACTIVE = ["Scheduled", "Pending", "Running", "Cancelling"] as const;

/** Cron schedules (platform admins only: no organization scoping here) and their fires. */
export class SchedulesRepository {
  constructor(private readonly db: Db) {}

  async insert(row: NewSchedule): Promise<ScheduleRow> {
    const [inserted] = await this.db.insert(schedules).values(row).returning();
    if (!inserted) throw new Error("schedule insert returned nothing");
    return inserted;
  }

  async find(id: string): Promise<ScheduleRow | undefined> {
    const [row] = await this.db.select().from(schedules).where(eq(schedules.id, id));
    return row;
  }

  async list(query: {
    limit: number;
    cursor?: string | undefined;
    workflowId?: string | undefined;
  }): Promise<Page<ScheduleRow>> {
    const { where, orderBy } = keyset({ createdAt: schedules.createdAt, id: schedules.id }, query.cursor);
    const rows = await this.db
      .select()
      .from(schedules)
      .where(and(where, query.workflowId ? eq(schedules.workflowId, query.workflowId) : undefined))
      .orderBy(...orderBy)
      .limit(query.limit + 1);
    return toPage(rows, query.limit, (row) => row);
  }

  async update(id: string, changes: ScheduleChanges): Promise<ScheduleRow | undefined> {
    const [row] = await this.db
      .update(schedules)
      .set({ ...changes, updatedAt: new Date() })
      .where(eq(schedules.id, id))
      .returning();
    return row;
  }

  async delete(id: string): Promise<ScheduleRow | undefined> {
    const [row] = await this.db.delete(schedules).where(eq(schedules.id, id)).returning();
    return row;
  }

  /**
   * Locks up to `limit` due schedules (enabled, nextRunAt ≤ now) with FOR NO KEY UPDATE SKIP LOCKED and
   * hands them to `handle` inside that transaction: two tickers never work on one schedule at once.
   * `handle` gets the repository of that transaction (every query it makes must use it: a query on the
   * shared handle would wait for this transaction on the embedded database) and answers each
   * schedule's new nextRunAt and lastRunAt, written before the commit.
   */
  async withDue(
    limit: number,
    handle: (
      row: ScheduleRow,
      locked: SchedulesRepository,
    ) => Promise<{ nextRunAt: Date | null; lastRunAt?: Date }>,
  ): Promise<number> {
    return await this.db.transaction(async (tx) => {
      const due = await tx
        .select()
        .from(schedules)
        .where(and(eq(schedules.enabled, true), lte(schedules.nextRunAt, sql`now()`)))
        .orderBy(schedules.nextRunAt)
        .limit(limit)
        // NO KEY UPDATE: the fires inserted meanwhile (FK to the schedule, KEY SHARE) must not wait on it.
        .for("no key update", { skipLocked: true });
      const locked = new SchedulesRepository(tx);
      for (const row of due) {
        const next = await handle(row, locked);
        await tx
          .update(schedules)
          .set({ nextRunAt: next.nextRunAt, ...(next.lastRunAt ? { lastRunAt: next.lastRunAt } : {}) })
          .where(eq(schedules.id, row.id));
      }
      return due.length;
    });
  }

  /**
   * Records a fire time; false when it was recorded before: the primary key (scheduleId, fireTime)
   * makes every fire happen at most once.
   */
  async recordFire(
    scheduleId: string,
    fireTime: Date,
    outcome: FireOutcome,
    reason?: string,
  ): Promise<boolean> {
    const inserted = await this.db
      .insert(scheduleFires)
      .values({ scheduleId, fireTime, outcome, reason: reason ?? null })
      .onConflictDoNothing()
      .returning({ scheduleId: scheduleFires.scheduleId });
    return inserted.length > 0;
  }

  /** Records many missed fire times (each at most once). */
  async recordMissed(scheduleId: string, fireTimes: Date[], reason: string): Promise<void> {
    if (fireTimes.length === 0) return;
    await this.db
      .insert(scheduleFires)
      .values(fireTimes.map((fireTime) => ({ scheduleId, fireTime, outcome: "missed" as const, reason })))
      .onConflictDoNothing();
  }

  async setFireExecution(scheduleId: string, fireTime: Date, executionId: string): Promise<void> {
    await this.db
      .update(scheduleFires)
      .set({ executionId })
      .where(and(eq(scheduleFires.scheduleId, scheduleId), eq(scheduleFires.fireTime, fireTime)));
  }

  async setFireOutcome(
    scheduleId: string,
    fireTime: Date,
    outcome: FireOutcome,
    reason: string,
  ): Promise<void> {
    await this.db
      .update(scheduleFires)
      .set({ outcome, reason })
      .where(and(eq(scheduleFires.scheduleId, scheduleId), eq(scheduleFires.fireTime, fireTime)));
  }

  /** Whether a run started by this schedule is still active (the overlap policy `skip`). */
  async hasActiveRun(scheduleId: string): Promise<boolean> {
    const [row] = await this.db
      .select({ id: executions.id })
      .from(executions)
      .where(and(eq(executions.sourceId, scheduleId), inArray(executions.status, [...ACTIVE])))
      .limit(1);
    return row !== undefined;
  }
}
