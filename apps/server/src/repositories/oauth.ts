import { and, eq, isNull, type SQL } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { oauthProviders, oauthTokens } from "../db/schema/index.js";

export type OAuthProviderRow = typeof oauthProviders.$inferSelect;
export type OAuthTokenRow = typeof oauthTokens.$inferSelect;
export type OAuthProviderFields = Omit<typeof oauthProviders.$inferInsert, "id" | "createdAt" | "updatedAt">;
export type OAuthTokenFields = Pick<
  OAuthTokenRow,
  "accessTokenSealed" | "refreshTokenSealed" | "expiresAt" | "scopes" | "status" | "lastError"
>;

const tokenScope = (organizationId: string | null): SQL =>
  organizationId === null
    ? isNull(oauthTokens.organizationId)
    : eq(oauthTokens.organizationId, organizationId);

/** OAuth provider configs and the (sealed) tokens obtained from them, one per provider and organization. */
export class OAuthRepository {
  constructor(private readonly db: Db) {}

  async listProviders(): Promise<OAuthProviderRow[]> {
    return await this.db.select().from(oauthProviders).orderBy(oauthProviders.name);
  }

  async findProvider(name: string): Promise<OAuthProviderRow | undefined> {
    const [row] = await this.db.select().from(oauthProviders).where(eq(oauthProviders.name, name));
    return row;
  }

  async findProviderById(id: string): Promise<OAuthProviderRow | undefined> {
    const [row] = await this.db.select().from(oauthProviders).where(eq(oauthProviders.id, id));
    return row;
  }

  /** undefined when the name is taken. */
  async insertProvider(fields: OAuthProviderFields): Promise<OAuthProviderRow | undefined> {
    const [row] = await this.db.insert(oauthProviders).values(fields).onConflictDoNothing().returning();
    return row;
  }

  async updateProvider(
    id: string,
    fields: Partial<OAuthProviderFields>,
  ): Promise<OAuthProviderRow | undefined> {
    const [row] = await this.db
      .update(oauthProviders)
      .set({ ...fields, updatedAt: new Date() })
      .where(eq(oauthProviders.id, id))
      .returning();
    return row;
  }

  async deleteProvider(id: string): Promise<boolean> {
    const rows = await this.db.delete(oauthProviders).where(eq(oauthProviders.id, id)).returning();
    return rows.length > 0;
  }

  async tokensOf(providerId: string): Promise<OAuthTokenRow[]> {
    return await this.db.select().from(oauthTokens).where(eq(oauthTokens.providerId, providerId));
  }

  async findToken(providerId: string, organizationId: string | null): Promise<OAuthTokenRow | undefined> {
    const [row] = await this.db
      .select()
      .from(oauthTokens)
      .where(and(eq(oauthTokens.providerId, providerId), tokenScope(organizationId)));
    return row;
  }

  async findTokenById(id: string): Promise<OAuthTokenRow | undefined> {
    const [row] = await this.db.select().from(oauthTokens).where(eq(oauthTokens.id, id));
    return row;
  }

  /**
   * Writes the token of (provider, organization). The unique index is on an expression (global
   * tokens have a null organization): update, else insert, else (a concurrent insert won) update.
   */
  async saveToken(
    providerId: string,
    organizationId: string | null,
    fields: OAuthTokenFields,
  ): Promise<OAuthTokenRow> {
    const where = and(eq(oauthTokens.providerId, providerId), tokenScope(organizationId));
    for (let attempt = 0; attempt < 3; attempt++) {
      const [updated] = await this.db
        .update(oauthTokens)
        .set({ ...fields, updatedAt: new Date() })
        .where(where)
        .returning();
      if (updated) return updated;
      const [inserted] = await this.db
        .insert(oauthTokens)
        .values({ ...fields, providerId, organizationId })
        .onConflictDoNothing()
        .returning();
      if (inserted) return inserted;
    }
    throw new Error("the OAuth token could neither be updated nor inserted");
  }

  async updateToken(id: string, fields: Partial<OAuthTokenFields>): Promise<OAuthTokenRow | undefined> {
    const [row] = await this.db
      .update(oauthTokens)
      .set({ ...fields, updatedAt: new Date() })
      .where(eq(oauthTokens.id, id))
      .returning();
    return row;
  }
}
