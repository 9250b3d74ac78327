import { and, eq, isNull, or, type SQL } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { configs } from "../db/schema/index.js";
import { OrgScopedRepository } from "./org-scoped.js";

export type ConfigRow = typeof configs.$inferSelect;

/** What is written for one entry: `value` in clear, or (a secret) `secretSealed` with a null value. */
export type ConfigFields = {
  value: unknown;
  secretSealed: string | null;
  type: ConfigRow["type"];
  description?: string | null | undefined;
  updatedBy: string | null;
};

const inScope = (organizationId: string | null): SQL =>
  organizationId === null ? isNull(configs.organizationId) : eq(configs.organizationId, organizationId);

/**
 * Config entries, global (organizationId null) or one organization's. Lists and look-ups by id for
 * platform admins go through OrgScopedRepository; a run's reads name its organizations explicitly
 * (its own, then global), so it can never reach another organization's rows.
 */
export class ConfigsRepository extends OrgScopedRepository<typeof configs> {
  constructor(db: Db) {
    super(db, configs, {
      id: configs.id,
      organizationId: configs.organizationId,
      createdAt: configs.createdAt,
      name: configs.key,
    });
  }

  /** The entry of `key` in the first of `organizations` (in order) that has one. */
  async findByKey(organizations: Array<string | null>, key: string): Promise<ConfigRow | undefined> {
    const rows = await this.db
      .select()
      .from(configs)
      .where(and(eq(configs.key, key), or(...organizations.map(inScope))));
    for (const organizationId of organizations) {
      const row = rows.find((r) => r.organizationId === organizationId);
      if (row) return row;
    }
    return undefined;
  }

  /** Every entry of these scopes, ordered by key. */
  async listIn(organizations: Array<string | null>): Promise<ConfigRow[]> {
    return await this.db
      .select()
      .from(configs)
      .where(or(...organizations.map(inScope)))
      .orderBy(configs.key);
  }

  /** Inserts a new entry; undefined when the scope already has one with this key. */
  async insert(
    organizationId: string | null,
    key: string,
    fields: ConfigFields,
  ): Promise<ConfigRow | undefined> {
    const [row] = await this.db
      .insert(configs)
      .values({ ...fields, value: fields.value ?? null, organizationId, key })
      .onConflictDoNothing()
      .returning();
    return row;
  }

  async update(id: string, fields: ConfigFields): Promise<ConfigRow | undefined> {
    const [row] = await this.db
      .update(configs)
      .set({ ...fields, value: fields.value ?? null, updatedAt: new Date() })
      .where(eq(configs.id, id))
      .returning();
    return row;
  }

  /**
   * Writes the entry of `key` in one organization, creating it if needed. The unique index is on an
   * expression (global entries have a null organization), so the upsert is update-else-insert; a
   * concurrent insert of the same key makes the insert a no-op and the update is tried again.
   */
  async upsertInOrganization(
    organizationId: string,
    key: string,
    fields: ConfigFields,
  ): Promise<{ row: ConfigRow; created: boolean }> {
    const where = and(eq(configs.organizationId, organizationId), eq(configs.key, key));
    for (let attempt = 0; attempt < 3; attempt++) {
      const [updated] = await this.db
        .update(configs)
        .set({ ...fields, value: fields.value ?? null, updatedAt: new Date() })
        .where(where)
        .returning();
      if (updated) return { row: updated, created: false };
      const inserted = await this.insert(organizationId, key, fields);
      if (inserted) return { row: inserted, created: true };
    }
    throw new Error(`config ${key} could neither be updated nor inserted`);
  }

  async deleteById(id: string): Promise<boolean> {
    const rows = await this.db.delete(configs).where(eq(configs.id, id)).returning({ id: configs.id });
    return rows.length > 0;
  }

  /** Deletes the entry of `key` in exactly this organization (never a global one). */
  async deleteInOrganization(organizationId: string, key: string): Promise<ConfigRow | undefined> {
    const [row] = await this.db
      .delete(configs)
      .where(and(eq(configs.organizationId, organizationId), eq(configs.key, key)))
      .returning();
    return row;
  }
}
