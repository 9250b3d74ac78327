import { and, eq, gt, lt } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { deviceAuthorizations, type DeviceAuthorizationStatus } from "../db/schema/index.js";

export type DeviceAuthorizationRow = typeof deviceAuthorizations.$inferSelect;

/** Device logins waiting for, or given, a signed-in user's decision (RFC 8628). */
export class DeviceAuthorizationsRepository {
  constructor(private readonly db: Db) {}

  /** Undefined when the user code is taken (the caller draws another). */
  async create(
    values: typeof deviceAuthorizations.$inferInsert,
  ): Promise<DeviceAuthorizationRow | undefined> {
    const [row] = await this.db
      .insert(deviceAuthorizations)
      .values(values)
      .onConflictDoNothing({ target: deviceAuthorizations.userCode })
      .returning();
    return row;
  }

  /** Drops requests that expired before `before`: their user codes can be drawn again. */
  async deleteExpired(before: Date): Promise<void> {
    await this.db.delete(deviceAuthorizations).where(lt(deviceAuthorizations.expiresAt, before));
  }

  async findByDeviceCode(deviceCodeHash: string): Promise<DeviceAuthorizationRow | undefined> {
    const [row] = await this.db
      .select()
      .from(deviceAuthorizations)
      .where(eq(deviceAuthorizations.deviceCodeHash, deviceCodeHash))
      .limit(1);
    return row;
  }

  /** A request still waiting for a decision. */
  async findPending(userCode: string, now: Date): Promise<DeviceAuthorizationRow | undefined> {
    const [row] = await this.db
      .select()
      .from(deviceAuthorizations)
      .where(
        and(
          eq(deviceAuthorizations.userCode, userCode),
          eq(deviceAuthorizations.status, "pending"),
          gt(deviceAuthorizations.expiresAt, now),
        ),
      )
      .limit(1);
    return row;
  }

  /** Approves or denies a pending request; false when it was decided, or expired, meanwhile. */
  async decide(
    id: string,
    decision: Extract<DeviceAuthorizationStatus, "approved" | "denied">,
    userId: string,
    now: Date,
  ): Promise<boolean> {
    const updated = await this.db
      .update(deviceAuthorizations)
      .set({ status: decision, userId, decidedAt: now })
      .where(
        and(
          eq(deviceAuthorizations.id, id),
          eq(deviceAuthorizations.status, "pending"),
          gt(deviceAuthorizations.expiresAt, now),
        ),
      )
      .returning({ id: deviceAuthorizations.id });
    return updated.length === 1;
  }

  /**
   * Records a poll at `now`. When the last one was less than the interval ago, the interval grows by
   * `slowDownSeconds` and the answer is `slowDown` (RFC 8628 §3.5); the row is locked, so two
   * concurrent polls cannot both pass.
   */
  async poll(
    id: string,
    now: Date,
    slowDownSeconds: number,
  ): Promise<{ slowDown: boolean; intervalSeconds: number }> {
    return await this.db.transaction(async (tx) => {
      const [row] = await tx
        .select()
        .from(deviceAuthorizations)
        .where(eq(deviceAuthorizations.id, id))
        .for("update");
      if (!row) throw new Error("device authorization vanished");
      const slowDown =
        row.lastPolledAt !== null && now.getTime() - row.lastPolledAt.getTime() < row.intervalSeconds * 1000;
      const intervalSeconds = slowDown ? row.intervalSeconds + slowDownSeconds : row.intervalSeconds;
      await tx
        .update(deviceAuthorizations)
        .set({ lastPolledAt: now, intervalSeconds })
        .where(eq(deviceAuthorizations.id, id));
      return { slowDown, intervalSeconds };
    });
  }

  /** Approved → consumed, once: the winner issues the login. */
  async consume(id: string): Promise<boolean> {
    const updated = await this.db
      .update(deviceAuthorizations)
      .set({ status: "consumed" })
      .where(and(eq(deviceAuthorizations.id, id), eq(deviceAuthorizations.status, "approved")))
      .returning({ id: deviceAuthorizations.id });
    return updated.length === 1;
  }
}
