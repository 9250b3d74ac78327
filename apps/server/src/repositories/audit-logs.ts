import { desc, sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { auditLogs } from "../db/schema/index.js";
import { decodeCursor, toPage, type Page } from "./pagination.js";

export type AuditLogRow = typeof auditLogs.$inferSelect;

export class AuditLogsRepository {
  constructor(private readonly db: Db) {}

  async insert(values: typeof auditLogs.$inferInsert): Promise<void> {
    await this.db.insert(auditLogs).values(values);
  }

  /** Newest first; the cursor is the (createdAt, id) of the last row seen. */
  async list(options: { limit: number; cursor?: string | undefined }): Promise<Page<AuditLogRow>> {
    const at = sql`date_trunc('milliseconds', ${auditLogs.createdAt})`;
    const before = options.cursor ? decodeCursor(options.cursor) : undefined;
    const where: SQL | undefined = before
      ? sql`(${at}, ${auditLogs.id}) < (${before.createdAt.toISOString()}::timestamptz, ${before.id}::uuid)`
      : undefined;
    const rows = await this.db
      .select()
      .from(auditLogs)
      .where(where)
      .orderBy(desc(at), desc(auditLogs.id))
      .limit(options.limit + 1);
    return toPage(rows, options.limit, (row) => row);
  }
}
