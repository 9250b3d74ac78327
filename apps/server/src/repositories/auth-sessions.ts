import { and, count, desc, eq, gt, isNull, ne, sql } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { authSessions, mfaRecoveryCodes, refreshTokens } from "../db/schema/index.js";

export type SessionRow = typeof authSessions.$inferSelect;

/** Logins (token families), their single-use refresh tokens, and MFA recovery codes. */
export class AuthSessionsRepository {
  constructor(private readonly db: Db) {}

  async createSession(values: typeof authSessions.$inferInsert): Promise<SessionRow> {
    const [row] = await this.db.insert(authSessions).values(values).returning();
    if (!row) throw new Error("insert returned no row");
    return row;
  }

  async findSession(id: string): Promise<SessionRow | undefined> {
    const [row] = await this.db.select().from(authSessions).where(eq(authSessions.id, id)).limit(1);
    return row;
  }

  /** The user's logins that are neither revoked nor expired, most recently used first. */
  async listActive(userId: string): Promise<SessionRow[]> {
    return await this.db
      .select()
      .from(authSessions)
      .where(
        and(
          eq(authSessions.userId, userId),
          isNull(authSessions.revokedAt),
          gt(authSessions.expiresAt, sql`now()`),
        ),
      )
      .orderBy(desc(authSessions.lastUsedAt));
  }

  async addRefreshToken(sessionId: string, tokenHash: string, expiresAt: Date): Promise<void> {
    await this.db.insert(refreshTokens).values({ sessionId, tokenHash, expiresAt });
  }

  async findRefreshToken(
    tokenHash: string,
  ): Promise<{ token: typeof refreshTokens.$inferSelect; session: SessionRow } | undefined> {
    const [row] = await this.db
      .select({ token: refreshTokens, session: authSessions })
      .from(refreshTokens)
      .innerJoin(authSessions, eq(authSessions.id, refreshTokens.sessionId))
      .where(eq(refreshTokens.tokenHash, tokenHash))
      .limit(1);
    return row;
  }

  /** Retires a refresh token; false when it was already used (a replay, or a concurrent refresh). */
  async useRefreshToken(id: string, at: Date): Promise<boolean> {
    const updated = await this.db
      .update(refreshTokens)
      .set({ usedAt: at })
      .where(and(eq(refreshTokens.id, id), isNull(refreshTokens.usedAt)))
      .returning({ id: refreshTokens.id });
    return updated.length === 1;
  }

  async touchSession(id: string, at: Date): Promise<void> {
    await this.db.update(authSessions).set({ lastUsedAt: at }).where(eq(authSessions.id, id));
  }

  async revokeSession(id: string, reason: string, at: Date): Promise<void> {
    await this.db
      .update(authSessions)
      .set({ revokedAt: at, revokedReason: reason })
      .where(and(eq(authSessions.id, id), isNull(authSessions.revokedAt)));
  }

  /** Ends every login of a user, except `keep` (the caller's own, when changing a password). */
  async revokeUserSessions(userId: string, reason: string, at: Date, keep?: string): Promise<number> {
    const revoked = await this.db
      .update(authSessions)
      .set({ revokedAt: at, revokedReason: reason })
      .where(
        and(
          eq(authSessions.userId, userId),
          isNull(authSessions.revokedAt),
          keep === undefined ? undefined : ne(authSessions.id, keep),
        ),
      )
      .returning({ id: authSessions.id });
    return revoked.length;
  }

  async replaceRecoveryCodes(userId: string, codeHashes: string[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, userId));
      if (codeHashes.length > 0) {
        await tx.insert(mfaRecoveryCodes).values(codeHashes.map((codeHash) => ({ userId, codeHash })));
      }
    });
  }

  async countUnusedRecoveryCodes(userId: string): Promise<number> {
    const [row] = await this.db
      .select({ value: count() })
      .from(mfaRecoveryCodes)
      .where(and(eq(mfaRecoveryCodes.userId, userId), isNull(mfaRecoveryCodes.usedAt)));
    return row?.value ?? 0;
  }

  /** Spends a recovery code; false when it does not exist or was used. */
  async useRecoveryCode(userId: string, codeHash: string, at: Date): Promise<boolean> {
    const updated = await this.db
      .update(mfaRecoveryCodes)
      .set({ usedAt: at })
      .where(
        and(
          eq(mfaRecoveryCodes.userId, userId),
          eq(mfaRecoveryCodes.codeHash, codeHash),
          isNull(mfaRecoveryCodes.usedAt),
        ),
      )
      .returning({ id: mfaRecoveryCodes.id });
    return updated.length === 1;
  }
}
