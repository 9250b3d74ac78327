import { and, count, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { organizations, passkeys, roles, userIdentities, userRoles, users } from "../db/schema/index.js";
import { keyset, toPage, type Page } from "./pagination.js";

export type UserRow = typeof users.$inferSelect;

const FIRST_USER_LOCK_KEY = 4_242_000_002;

/** A user with what deciding a login needs: is the organization still active? */
export type UserWithOrganization = UserRow & {
  organizationActive: boolean;
  /** The organization signs in only through SSO (its `ssoOnly`). */
  organizationSsoOnly: boolean;
};

export class UsersRepository {
  constructor(private readonly db: Db) {}

  /** People who can sign in: the system user does not count. */
  async countHumans(): Promise<number> {
    const [row] = await this.db.select({ value: count() }).from(users).where(eq(users.isSystem, false));
    return row?.value ?? 0;
  }

  async findByEmail(email: string): Promise<UserWithOrganization | undefined> {
    return this.findOne(sql`lower(${users.email}) = lower(${email})`);
  }

  async findById(id: string): Promise<UserWithOrganization | undefined> {
    return this.findOne(eq(users.id, id));
  }

  private async findOne(where: ReturnType<typeof eq>): Promise<UserWithOrganization | undefined> {
    const [row] = await this.db
      .select({
        user: users,
        organizationActive: organizations.isActive,
        organizationSsoOnly: organizations.ssoOnly,
      })
      .from(users)
      .innerJoin(organizations, eq(organizations.id, users.organizationId))
      .where(where)
      .limit(1);
    return row
      ? {
          ...row.user,
          organizationActive: row.organizationActive,
          organizationSsoOnly: row.organizationSsoOnly,
        }
      : undefined;
  }

  async insert(values: typeof users.$inferInsert): Promise<UserRow> {
    const [row] = await this.db.insert(users).values(values).returning();
    if (!row) throw new Error("insert returned no row");
    return row;
  }

  /**
   * Inserts the first user only while no human user exists. A transaction-scoped advisory lock
   * serialises concurrent setups (on every API process), so exactly one wins. `alongside` writes what
   * must exist with the user (a passkey-only admin's credential) in the same transaction.
   */
  async insertFirstUser(
    values: typeof users.$inferInsert,
    alongside?: (tx: Db, user: UserRow) => Promise<void>,
  ): Promise<UserRow | undefined> {
    return this.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${FIRST_USER_LOCK_KEY})`);
      const [existing] = await tx.select({ value: count() }).from(users).where(eq(users.isSystem, false));
      if ((existing?.value ?? 0) > 0) return undefined;
      const [row] = await tx.insert(users).values(values).returning();
      if (row && alongside) await alongside(tx, row);
      return row;
    });
  }

  async roleNames(userId: string): Promise<string[]> {
    const rows = await this.db
      .select({ name: roles.name })
      .from(userRoles)
      .innerJoin(roles, eq(roles.id, userRoles.roleId))
      .where(eq(userRoles.userId, userId))
      .orderBy(roles.name);
    return rows.map((r) => r.name);
  }

  async setMfaSecret(userId: string, sealed: string): Promise<void> {
    await this.db
      .update(users)
      .set({ mfaSecretSealed: sealed, updatedAt: new Date() })
      .where(and(eq(users.id, userId), eq(users.mfaEnabled, false)));
  }

  /**
   * Records `step` as the last accepted TOTP step, only if it is later than the one stored: the
   * compare-and-set makes a replayed (or concurrently reused) code lose. Optionally enables MFA.
   */
  async acceptTotpStep(userId: string, step: number, options: { enable?: boolean } = {}): Promise<boolean> {
    const updated = await this.db
      .update(users)
      .set({ mfaLastStep: step, ...(options.enable ? { mfaEnabled: true } : {}), updatedAt: new Date() })
      .where(and(eq(users.id, userId), or(isNull(users.mfaLastStep), lt(users.mfaLastStep, step))))
      .returning({ id: users.id });
    return updated.length === 1;
  }

  /**
   * Puts a confirmed new seed in place of the one in use (re-enrolment), with the step of the code
   * that confirmed it; the same compare-and-set as `acceptTotpStep`.
   */
  async replaceMfaSecret(userId: string, sealed: string, step: number): Promise<boolean> {
    const updated = await this.db
      .update(users)
      .set({ mfaSecretSealed: sealed, mfaLastStep: step, mfaEnabled: true, updatedAt: new Date() })
      .where(and(eq(users.id, userId), or(isNull(users.mfaLastStep), lt(users.mfaLastStep, step))))
      .returning({ id: users.id });
    return updated.length === 1;
  }

  async clearMfa(userId: string): Promise<void> {
    await this.db
      .update(users)
      .set({ mfaEnabled: false, mfaSecretSealed: null, updatedAt: new Date() })
      .where(eq(users.id, userId));
  }

  async list(options: {
    limit: number;
    cursor?: string | undefined;
    organizationId?: string | undefined;
  }): Promise<Page<UserRow>> {
    const page = keyset(users, options.cursor);
    const rows = await this.db
      .select()
      .from(users)
      .where(
        and(
          eq(users.isSystem, false),
          options.organizationId ? eq(users.organizationId, options.organizationId) : undefined,
          page.where,
        ),
      )
      .orderBy(...page.orderBy)
      .limit(options.limit + 1);
    return toPage(rows, options.limit, (row) => row);
  }

  async update(
    id: string,
    values: { name?: string; isActive?: boolean; organizationId?: string; isSuperuser?: boolean },
  ): Promise<UserRow | undefined> {
    const changes = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
    const [row] = await this.db
      .update(users)
      .set({ ...changes, updatedAt: new Date() })
      .where(and(eq(users.id, id), eq(users.isSystem, false)))
      .returning();
    return row;
  }

  async delete(id: string): Promise<boolean> {
    const deleted = await this.db
      .delete(users)
      .where(and(eq(users.id, id), eq(users.isSystem, false)))
      .returning({ id: users.id });
    return deleted.length === 1;
  }

  /** Of these users, those who can sign in without a password: a passkey, or a linked SSO identity. */
  async withPasswordlessSignIn(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.db
      .select({ id: passkeys.userId })
      .from(passkeys)
      .where(inArray(passkeys.userId, [...ids]))
      .union(
        this.db
          .select({ id: userIdentities.userId })
          .from(userIdentities)
          .where(inArray(userIdentities.userId, [...ids])),
      );
    return new Set(rows.map((row) => row.id));
  }

  /** Whether the user can sign in through a linked single sign-on identity. */
  async hasLinkedIdentity(userId: string): Promise<boolean> {
    const [row] = await this.db
      .select({ id: userIdentities.id })
      .from(userIdentities)
      .where(eq(userIdentities.userId, userId))
      .limit(1);
    return row !== undefined;
  }

  async existingIds(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.db.select({ id: users.id }).from(users).where(inArray(users.id, ids));
    return new Set(rows.map((r) => r.id));
  }

  async updatePassword(userId: string, passwordHash: string, at: Date): Promise<void> {
    await this.db
      .update(users)
      .set({ passwordHash, passwordChangedAt: at, updatedAt: at })
      .where(eq(users.id, userId));
  }

  async recordLogin(userId: string, at: Date): Promise<void> {
    await this.db.update(users).set({ lastLoginAt: at }).where(eq(users.id, userId));
  }

  /**
   * One action on several users in one transaction: their rows are locked first; `check` sees them
   * (and may throw, which undoes everything). Answers the rows as they were before.
   */
  async bulk(
    userIds: readonly string[],
    change: { organizationId?: string; isActive?: boolean; roleIds?: readonly string[] },
    check: (before: UserRow[]) => void,
  ): Promise<UserRow[]> {
    return await this.db.transaction(async (tx) => {
      const before = await tx
        .select()
        .from(users)
        .where(and(inArray(users.id, [...userIds]), eq(users.isSystem, false)))
        .for("update");
      check(before);
      const values = Object.fromEntries(
        Object.entries({ organizationId: change.organizationId, isActive: change.isActive }).filter(
          ([, v]) => v !== undefined,
        ),
      );
      if (Object.keys(values).length > 0)
        await tx
          .update(users)
          .set({ ...values, updatedAt: new Date() })
          .where(inArray(users.id, [...userIds]));
      if (change.roleIds) {
        await tx.delete(userRoles).where(inArray(userRoles.userId, [...userIds]));
        const rows = userIds.flatMap((userId) =>
          (change.roleIds ?? []).map((roleId) => ({ userId, roleId })),
        );
        if (rows.length > 0) await tx.insert(userRoles).values(rows);
      }
      return before;
    });
  }
}
