import { and, asc, eq, gt, max, ne, type SQL } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { executionLogs } from "../db/schema/index.js";

export type ExecutionLogRow = typeof executionLogs.$inferSelect;
export type NewExecutionLog = typeof executionLogs.$inferInsert;

/** Rows per INSERT: PostgreSQL allows 65,535 parameters, a log row binds 6. */
const CHUNK = 5_000;

export class ExecutionLogsRepository {
  constructor(private readonly db: Db) {}

  /** One multi-row INSERT per chunk; a retried flush of the same lines changes nothing. */
  async insertMany(rows: NewExecutionLog[]): Promise<void> {
    for (let i = 0; i < rows.length; i += CHUNK) {
      await this.db
        .insert(executionLogs)
        .values(rows.slice(i, i + CHUNK))
        .onConflictDoNothing();
    }
  }

  /** The last sequence stored for a run (0 when none): a later attempt numbers its lines after it. */
  async lastSequence(executionId: string): Promise<number> {
    const [row] = await this.db
      .select({ last: max(executionLogs.sequence) })
      .from(executionLogs)
      .where(eq(executionLogs.executionId, executionId));
    return row?.last ?? 0;
  }

  /** In sequence order after `afterSequence`; `includeDebug` is for platform admins. */
  async list(
    executionId: string,
    options: { afterSequence?: number | undefined; limit: number; includeDebug: boolean },
  ): Promise<ExecutionLogRow[]> {
    const conditions: Array<SQL | undefined> = [
      eq(executionLogs.executionId, executionId),
      options.afterSequence === undefined ? undefined : gt(executionLogs.sequence, options.afterSequence),
      options.includeDebug ? undefined : ne(executionLogs.level, "debug"),
    ];
    return await this.db
      .select()
      .from(executionLogs)
      .where(and(...conditions))
      .orderBy(asc(executionLogs.sequence))
      .limit(options.limit);
  }
}
