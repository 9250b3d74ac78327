import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { ssoProviders, userIdentities } from "../db/schema/index.js";

export type SsoProviderRow = typeof ssoProviders.$inferSelect;
export type UserIdentityRow = typeof userIdentities.$inferSelect;

/** Sign-in providers and the identities of theirs linked to users. */
export class SsoRepository {
  constructor(private readonly db: Db) {}

  async listProviders(): Promise<SsoProviderRow[]> {
    return await this.db.select().from(ssoProviders).orderBy(asc(ssoProviders.name));
  }

  async findProvider(name: string): Promise<SsoProviderRow | undefined> {
    const [row] = await this.db.select().from(ssoProviders).where(eq(ssoProviders.name, name)).limit(1);
    return row;
  }

  /** Creates or replaces a provider; a secret of `undefined` keeps the stored one. */
  async putProvider(
    values: Omit<typeof ssoProviders.$inferInsert, "createdAt" | "updatedAt">,
  ): Promise<SsoProviderRow> {
    const { clientSecretSealed, ...rest } = values;
    const [row] = await this.db
      .insert(ssoProviders)
      .values(values)
      .onConflictDoUpdate({
        target: ssoProviders.name,
        set: {
          ...rest,
          ...(clientSecretSealed !== undefined ? { clientSecretSealed } : {}),
          updatedAt: new Date(),
        },
      })
      .returning();
    if (!row) throw new Error("upsert returned no row");
    return row;
  }

  /** False when there was no such provider. Its linked identities go with it. */
  async deleteProvider(name: string): Promise<boolean> {
    const deleted = await this.db
      .delete(ssoProviders)
      .where(eq(ssoProviders.name, name))
      .returning({ name: ssoProviders.name });
    return deleted.length === 1;
  }

  async findIdentity(provider: string, subject: string): Promise<UserIdentityRow | undefined> {
    const [row] = await this.db
      .select()
      .from(userIdentities)
      .where(and(eq(userIdentities.provider, provider), eq(userIdentities.subject, subject)))
      .limit(1);
    return row;
  }

  /** Links the identity to the user; undefined when it is already linked (to anyone). */
  async link(values: typeof userIdentities.$inferInsert): Promise<UserIdentityRow | undefined> {
    const [row] = await this.db
      .insert(userIdentities)
      .values(values)
      .onConflictDoNothing({ target: [userIdentities.provider, userIdentities.subject] })
      .returning();
    return row;
  }

  async touchIdentity(id: string, at: Date, email: string | null): Promise<void> {
    await this.db.update(userIdentities).set({ lastUsedAt: at, email }).where(eq(userIdentities.id, id));
  }

  async identitiesOf(userId: string): Promise<Array<UserIdentityRow & { providerDisplayName: string }>> {
    const rows = await this.db
      .select({ identity: userIdentities, providerDisplayName: ssoProviders.displayName })
      .from(userIdentities)
      .innerJoin(ssoProviders, eq(ssoProviders.name, userIdentities.provider))
      .where(eq(userIdentities.userId, userId))
      .orderBy(asc(userIdentities.createdAt));
    return rows.map((row) => ({ ...row.identity, providerDisplayName: row.providerDisplayName }));
  }

  /** False when the user has no such identity. */
  async unlink(userId: string, id: string): Promise<boolean> {
    const deleted = await this.db
      .delete(userIdentities)
      .where(and(eq(userIdentities.id, id), eq(userIdentities.userId, userId)))
      .returning({ id: userIdentities.id });
    return deleted.length === 1;
  }
}
