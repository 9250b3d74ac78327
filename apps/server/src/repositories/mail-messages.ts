import { and, eq, lte, or, sql } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { mailMessages } from "../db/schema/index.js";
import { keyset, toPage, type Page } from "./pagination.js";

export type MailMessageRow = typeof mailMessages.$inferSelect;

/** The mail outbox and log. */
export class MailMessagesRepository {
  constructor(private readonly db: Db) {}

  /**
   * A new message, queued: its first attempt is the queue message published with it; the retry job
   * publishes it again only if that has not come after `firstMessageMs` (a lost or failed publish).
   */
  async insert(
    row: { toAddress: string; template: MailMessageRow["template"]; bodySealed: string },
    firstMessageMs: number,
  ) {
    const [inserted] = await this.db
      .insert(mailMessages)
      .values({
        ...row,
        status: "queued",
        nextAttemptAt: sql`now() + ${`${firstMessageMs} milliseconds`}::interval`,
      })
      .returning();
    if (!inserted) throw new Error("mail message not inserted");
    return inserted;
  }

  /**
   * Takes a queued message for one attempt — its first, or a later one that is due: counts the
   * attempt and holds it for `leaseMs` (a duplicate queue message, or the retry job meanwhile, finds
   * it not due).
   */
  async claim(id: string, leaseMs: number): Promise<MailMessageRow | undefined> {
    const [row] = await this.db
      .update(mailMessages)
      .set({
        attempts: sql`${mailMessages.attempts} + 1`,
        nextAttemptAt: sql`now() + ${`${leaseMs} milliseconds`}::interval`,
      })
      .where(
        and(
          eq(mailMessages.id, id),
          eq(mailMessages.status, "queued"),
          or(eq(mailMessages.attempts, 0), lte(mailMessages.nextAttemptAt, sql`now()`)),
        ),
      )
      .returning();
    return row;
  }

  async markSent(id: string): Promise<void> {
    await this.db
      .update(mailMessages)
      .set({ status: "sent", sentAt: sql`now()`, bodySealed: null, nextAttemptAt: null, lastError: null })
      .where(eq(mailMessages.id, id));
  }

  /** A failed attempt: tried again after `retryInMs`, or given up (`undefined`), its body dropped. */
  async markFailed(id: string, error: string, retryInMs: number | undefined): Promise<void> {
    await this.db
      .update(mailMessages)
      .set(
        retryInMs === undefined
          ? { status: "failed", lastError: error, bodySealed: null, nextAttemptAt: null }
          : { lastError: error, nextAttemptAt: sql`now() + ${`${retryInMs} milliseconds`}::interval` },
      )
      .where(eq(mailMessages.id, id));
  }

  /** Queued messages whose next attempt is due (their queue message may be lost or not yet sent). */
  async due(limit: number): Promise<string[]> {
    const rows = await this.db
      .select({ id: mailMessages.id })
      .from(mailMessages)
      .where(and(eq(mailMessages.status, "queued"), lte(mailMessages.nextAttemptAt, sql`now()`)))
      .orderBy(mailMessages.nextAttemptAt)
      .limit(limit);
    return rows.map((row) => row.id);
  }

  /** The log, newest first. */
  async list(options: { limit: number; cursor?: string | undefined }): Promise<Page<MailMessageRow>> {
    const page = keyset(mailMessages, options.cursor, "desc");
    const rows = await this.db
      .select()
      .from(mailMessages)
      .where(page.where)
      .orderBy(...page.orderBy)
      .limit(options.limit + 1);
    return toPage(rows, options.limit, (row) => row);
  }
}
