import { and, asc, count, eq, lt } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { passkeys } from "../db/schema/index.js";

export type PasskeyRow = typeof passkeys.$inferSelect;
export type NewPasskey = typeof passkeys.$inferInsert;

/** Users' WebAuthn credentials; every change is scoped to the owner (another user's id matches nothing). */
export class PasskeysRepository {
  constructor(private readonly db: Db) {}

  async insert(values: NewPasskey): Promise<PasskeyRow> {
    const [row] = await this.db.insert(passkeys).values(values).returning();
    if (!row) throw new Error("insert returned no row");
    return row;
  }

  async listOf(userId: string): Promise<PasskeyRow[]> {
    return await this.db
      .select()
      .from(passkeys)
      .where(eq(passkeys.userId, userId))
      .orderBy(asc(passkeys.createdAt), asc(passkeys.id));
  }

  async countOf(userId: string): Promise<number> {
    const [row] = await this.db.select({ value: count() }).from(passkeys).where(eq(passkeys.userId, userId));
    return row?.value ?? 0;
  }

  async findByCredentialId(credentialId: string): Promise<PasskeyRow | undefined> {
    const [row] = await this.db
      .select()
      .from(passkeys)
      .where(eq(passkeys.credentialId, credentialId))
      .limit(1);
    return row;
  }

  /**
   * Records a sign-in: the authenticator's new counter, only if it moved forward (or the authenticator
   * keeps none: 0). A compare-and-set, so of two assertions racing with counters n and n+1 the stale
   * one loses. False when it lost.
   */
  async recordUse(id: string, counter: number, backedUp: boolean, at: Date): Promise<boolean> {
    const updated = await this.db
      .update(passkeys)
      .set({ counter, backedUp, lastUsedAt: at })
      .where(
        and(eq(passkeys.id, id), counter === 0 ? eq(passkeys.counter, 0) : lt(passkeys.counter, counter)),
      )
      .returning({ id: passkeys.id });
    return updated.length === 1;
  }

  async rename(userId: string, id: string, name: string): Promise<PasskeyRow | undefined> {
    const [row] = await this.db
      .update(passkeys)
      .set({ name })
      .where(and(eq(passkeys.id, id), eq(passkeys.userId, userId)))
      .returning();
    return row;
  }

  async delete(userId: string, id: string): Promise<boolean> {
    const deleted = await this.db
      .delete(passkeys)
      .where(and(eq(passkeys.id, id), eq(passkeys.userId, userId)))
      .returning({ id: passkeys.id });
    return deleted.length === 1;
  }
}
