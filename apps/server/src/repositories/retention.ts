import { finalStatuses } from "@bifrost/contracts";
import { and, inArray, lt } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { eventDeliveries, events, executionLogs, executions } from "../db/schema/index.js";

/** Final statuses: only these executions are ever deleted by retention. */

/**
 * Deletion of old rows in small batches: each statement touches at most `batch` rows in its own
 * short transaction, so retention never holds locks on these tables for long.
 */
export class RetentionRepository {
  constructor(private readonly db: Db) {}

  /** Up to `batch` final executions created before `before`, with their stored result's key. */
  async oldExecutions(before: Date, batch: number): Promise<Array<{ id: string; resultKey: string | null }>> {
    return await this.db
      .select({ id: executions.id, resultKey: executions.resultKey })
      .from(executions)
      .where(and(lt(executions.createdAt, before), inArray(executions.status, [...finalStatuses])))
      .limit(batch);
  }

  /** Deletes the logs, then the executions (still final: a row is never deleted while active). */
  async deleteExecutions(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    await this.db.delete(executionLogs).where(inArray(executionLogs.executionId, ids));
    const deleted = await this.db
      .delete(executions)
      .where(and(inArray(executions.id, ids), inArray(executions.status, [...finalStatuses])))
      .returning({ id: executions.id });
    return deleted.length;
  }

  /** Deletes up to `batch` events created before `before` (their deliveries go with them). */
  async deleteOldEvents(before: Date, batch: number): Promise<number> {
    const old = this.db
      .select({ id: events.id })
      .from(events)
      .where(lt(events.createdAt, before))
      .limit(batch);
    const deleted = await this.db.delete(events).where(inArray(events.id, old)).returning({ id: events.id });
    return deleted.length;
  }

  /** Deletes up to `batch` deliveries created before `before`. */
  async deleteOldDeliveries(before: Date, batch: number): Promise<number> {
    const old = this.db
      .select({ id: eventDeliveries.id })
      .from(eventDeliveries)
      .where(lt(eventDeliveries.createdAt, before))
      .limit(batch);
    const deleted = await this.db
      .delete(eventDeliveries)
      .where(inArray(eventDeliveries.id, old))
      .returning({ id: eventDeliveries.id });
    return deleted.length;
  }
}
