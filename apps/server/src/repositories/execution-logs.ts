import { and, asc, eq, gt, max, ne, sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { executionLogs } from "../db/schema/index.js";

export type ExecutionLogRow = typeof executionLogs.$inferSelect;
export type NewExecutionLog = typeof executionLogs.$inferInsert;

/** Rows per INSERT. */
const CHUNK = 5_000;

export class ExecutionLogsRepository {
  constructor(private readonly db: Db) {}

  /**
   * One INSERT per chunk, the rows passed as a single JSON parameter: building and binding six
   * parameters per line cost the worker more than the database's work. A retried flush of the same
   * lines changes nothing.
   */
  async insertMany(rows: NewExecutionLog[]): Promise<void> {
    for (let i = 0; i < rows.length; i += CHUNK) {
      const chunk = JSON.stringify(
        rows.slice(i, i + CHUNK).map((r) => ({
          execution_id: r.executionId,
          sequence: r.sequence,
          attempt: r.attempt ?? 1,
          level: r.level,
          message: r.message,
          data: r.data ?? null,
          timestamp: r.timestamp,
        })),
      );
      await this.db.execute(sql`
        insert into execution_logs (execution_id, sequence, attempt, level, message, data, timestamp)
        select execution_id, sequence, attempt, level, message, data, timestamp
          from jsonb_to_recordset(${chunk}::jsonb) as v(
                 execution_id uuid, sequence integer, attempt integer, level text, message text, data jsonb,
                 timestamp timestamptz)
        on conflict do nothing`);
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
    options: {
      afterSequence?: number | undefined;
      attempt?: number | undefined;
      limit: number;
      includeDebug: boolean;
    },
  ): Promise<ExecutionLogRow[]> {
    const conditions: Array<SQL | undefined> = [
      eq(executionLogs.executionId, executionId),
      options.afterSequence === undefined ? undefined : gt(executionLogs.sequence, options.afterSequence),
      options.includeDebug ? undefined : ne(executionLogs.level, "debug"),
      options.attempt === undefined ? undefined : eq(executionLogs.attempt, options.attempt),
    ];
    return await this.db
      .select()
      .from(executionLogs)
      .where(and(...conditions))
      .orderBy(asc(executionLogs.sequence))
      .limit(options.limit);
  }
}
