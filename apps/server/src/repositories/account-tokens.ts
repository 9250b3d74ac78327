import { and, eq, gt, inArray, isNull, sql } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { accountTokens, type AccountTokenPurpose } from "../db/schema/index.js";

export type AccountTokenRow = typeof accountTokens.$inferSelect;

const usable = (purpose: AccountTokenPurpose) =>
  and(
    eq(accountTokens.purpose, purpose),
    isNull(accountTokens.usedAt),
    isNull(accountTokens.revokedAt),
    gt(accountTokens.expiresAt, sql`now()`),
  );

/** Single-use links (invitations, password resets), kept as SHA-256 hashes of their tokens. */
export class AccountTokensRepository {
  constructor(private readonly db: Db) {}

  /** A new link for the user; the ones of the same purpose it had are revoked in the same transaction. */
  async replace(row: {
    purpose: AccountTokenPurpose;
    userId: string;
    tokenHash: string;
    expiresAt: Date;
    createdBy: string | null;
  }): Promise<AccountTokenRow> {
    return await this.db.transaction(async (tx) => {
      await tx
        .update(accountTokens)
        .set({ revokedAt: sql`now()` })
        .where(and(eq(accountTokens.userId, row.userId), usable(row.purpose)));
      const [inserted] = await tx.insert(accountTokens).values(row).returning();
      if (!inserted) throw new Error("account token not inserted");
      return inserted;
    });
  }

  /** The usable link with this hash, if any (not used, revoked or expired). */
  async findUsable(purpose: AccountTokenPurpose, tokenHash: string): Promise<AccountTokenRow | undefined> {
    const [row] = await this.db
      .select()
      .from(accountTokens)
      .where(and(eq(accountTokens.tokenHash, tokenHash), usable(purpose)));
    return row;
  }

  /**
   * Marks the link used if it still is usable: a compare-and-set, so of two uses at once one wins.
   * Answers whether this call used it.
   */
  async use(id: string): Promise<boolean> {
    const rows = await this.db
      .update(accountTokens)
      .set({ usedAt: sql`now()` })
      .where(
        and(
          eq(accountTokens.id, id),
          isNull(accountTokens.usedAt),
          isNull(accountTokens.revokedAt),
          gt(accountTokens.expiresAt, sql`now()`),
        ),
      )
      .returning({ id: accountTokens.id });
    return rows.length === 1;
  }

  /** Revokes the user's usable links of this purpose; answers how many there were. */
  async revoke(userId: string, purpose: AccountTokenPurpose): Promise<number> {
    const rows = await this.db
      .update(accountTokens)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(accountTokens.userId, userId), usable(purpose)))
      .returning({ id: accountTokens.id });
    return rows.length;
  }

  /** The pending invitation of each of these users (the newest usable one). */
  async pendingInvitations(userIds: readonly string[]): Promise<Map<string, AccountTokenRow>> {
    if (userIds.length === 0) return new Map();
    const rows = await this.db
      .select()
      .from(accountTokens)
      .where(and(inArray(accountTokens.userId, [...userIds]), usable("invitation")));
    return new Map(rows.map((row) => [row.userId, row]));
  }
}
