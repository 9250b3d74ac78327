import { and, desc, eq, gt, isNull } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { trustedDevices } from "../db/schema/index.js";

export type TrustedDeviceRow = typeof trustedDevices.$inferSelect;

/** Neither revoked nor expired at `now` (the caller's clock). */
const live = (now: Date) => and(isNull(trustedDevices.revokedAt), gt(trustedDevices.expiresAt, now));

/** Browsers remembered at the MFA prompt; only a SHA-256 of each one's cookie is kept. */
export class TrustedDevicesRepository {
  constructor(private readonly db: Db) {}

  async create(values: typeof trustedDevices.$inferInsert): Promise<TrustedDeviceRow> {
    const [row] = await this.db.insert(trustedDevices).values(values).returning();
    if (!row) throw new Error("insert returned no row");
    return row;
  }

  /** The user's live device with this cookie hash, its last use recorded; undefined otherwise. */
  async use(userId: string, tokenHash: string, at: Date): Promise<TrustedDeviceRow | undefined> {
    const [row] = await this.db
      .update(trustedDevices)
      .set({ lastUsedAt: at })
      .where(and(eq(trustedDevices.userId, userId), eq(trustedDevices.tokenHash, tokenHash), live(at)))
      .returning();
    return row;
  }

  async findByHash(tokenHash: string, now: Date): Promise<TrustedDeviceRow | undefined> {
    const [row] = await this.db
      .select()
      .from(trustedDevices)
      .where(and(eq(trustedDevices.tokenHash, tokenHash), live(now)))
      .limit(1);
    return row;
  }

  async listActive(userId: string, now: Date): Promise<TrustedDeviceRow[]> {
    return await this.db
      .select()
      .from(trustedDevices)
      .where(and(eq(trustedDevices.userId, userId), live(now)))
      .orderBy(desc(trustedDevices.lastUsedAt));
  }

  /** False when the user has no live device with this id. */
  async revoke(userId: string, id: string, at: Date): Promise<boolean> {
    const updated = await this.db
      .update(trustedDevices)
      .set({ revokedAt: at })
      .where(and(eq(trustedDevices.id, id), eq(trustedDevices.userId, userId), live(at)))
      .returning({ id: trustedDevices.id });
    return updated.length === 1;
  }

  async revokeAll(userId: string, at: Date): Promise<number> {
    const updated = await this.db
      .update(trustedDevices)
      .set({ revokedAt: at })
      .where(and(eq(trustedDevices.userId, userId), live(at)))
      .returning({ id: trustedDevices.id });
    return updated.length;
  }
}
