import { and, eq, isNull, or, type SQL } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { integrationMappings, integrations } from "../db/schema/index.js";

export type IntegrationRow = typeof integrations.$inferSelect;
export type MappingRow = typeof integrationMappings.$inferSelect;
export type IntegrationFields = Pick<
  IntegrationRow,
  "name" | "description" | "configSchema" | "defaults" | "oauthProviderId"
>;
export type MappingFields = Pick<MappingRow, "entityId" | "entityName" | "config">;

const mappingScope = (organizationId: string | null): SQL =>
  organizationId === null
    ? isNull(integrationMappings.organizationId)
    : eq(integrationMappings.organizationId, organizationId);

/** Integrations (soft-deleted rows are invisible) and their mappings, one per organization plus one global. */
export class IntegrationsRepository {
  constructor(private readonly db: Db) {}

  async list(): Promise<IntegrationRow[]> {
    return await this.db
      .select()
      .from(integrations)
      .where(isNull(integrations.deletedAt))
      .orderBy(integrations.name);
  }

  async findById(id: string): Promise<IntegrationRow | undefined> {
    const [row] = await this.db
      .select()
      .from(integrations)
      .where(and(eq(integrations.id, id), isNull(integrations.deletedAt)));
    return row;
  }

  async findByName(name: string): Promise<IntegrationRow | undefined> {
    const [row] = await this.db
      .select()
      .from(integrations)
      .where(and(eq(integrations.name, name), isNull(integrations.deletedAt)));
    return row;
  }

  /** undefined when the name is taken (a soft-deleted integration keeps its name). */
  async insert(fields: IntegrationFields): Promise<IntegrationRow | undefined> {
    const [row] = await this.db.insert(integrations).values(fields).onConflictDoNothing().returning();
    return row;
  }

  async update(id: string, fields: Partial<IntegrationFields>): Promise<IntegrationRow | undefined> {
    const [row] = await this.db
      .update(integrations)
      .set({ ...fields, updatedAt: new Date() })
      .where(and(eq(integrations.id, id), isNull(integrations.deletedAt)))
      .returning();
    return row;
  }

  async softDelete(id: string): Promise<boolean> {
    // The name is freed so a new integration may take it.
    const rows = await this.db
      .update(integrations)
      .set({ deletedAt: new Date(), name: `${id}:deleted` })
      .where(and(eq(integrations.id, id), isNull(integrations.deletedAt)))
      .returning();
    return rows.length > 0;
  }

  async listMappings(integrationId: string): Promise<MappingRow[]> {
    return await this.db
      .select()
      .from(integrationMappings)
      .where(eq(integrationMappings.integrationId, integrationId))
      .orderBy(integrationMappings.createdAt);
  }

  /** The mappings of these scopes (a run: its organization, then global). */
  async mappingsIn(integrationId: string, organizations: Array<string | null>): Promise<MappingRow[]> {
    return await this.db
      .select()
      .from(integrationMappings)
      .where(
        and(eq(integrationMappings.integrationId, integrationId), or(...organizations.map(mappingScope))),
      );
  }

  async findMapping(integrationId: string, mappingId: string): Promise<MappingRow | undefined> {
    const [row] = await this.db
      .select()
      .from(integrationMappings)
      .where(
        and(eq(integrationMappings.integrationId, integrationId), eq(integrationMappings.id, mappingId)),
      );
    return row;
  }

  /** undefined when the scope already has a mapping. */
  async insertMapping(
    integrationId: string,
    organizationId: string | null,
    fields: MappingFields,
  ): Promise<MappingRow | undefined> {
    const [row] = await this.db
      .insert(integrationMappings)
      .values({ ...fields, integrationId, organizationId })
      .onConflictDoNothing()
      .returning();
    return row;
  }

  async updateMapping(id: string, fields: Partial<MappingFields>): Promise<MappingRow | undefined> {
    const [row] = await this.db
      .update(integrationMappings)
      .set({ ...fields, updatedAt: new Date() })
      .where(eq(integrationMappings.id, id))
      .returning();
    return row;
  }

  /** Update-else-insert of the scope's mapping (the unique index is on an expression). */
  async upsertMapping(
    integrationId: string,
    organizationId: string | null,
    fields: MappingFields,
  ): Promise<{ row: MappingRow; created: boolean }> {
    const where = and(eq(integrationMappings.integrationId, integrationId), mappingScope(organizationId));
    for (let attempt = 0; attempt < 3; attempt++) {
      const [updated] = await this.db
        .update(integrationMappings)
        .set({ ...fields, updatedAt: new Date() })
        .where(where)
        .returning();
      if (updated) return { row: updated, created: false };
      const inserted = await this.insertMapping(integrationId, organizationId, fields);
      if (inserted) return { row: inserted, created: true };
    }
    throw new Error("the mapping could neither be updated nor inserted");
  }

  async deleteMapping(id: string): Promise<MappingRow | undefined> {
    const [row] = await this.db.delete(integrationMappings).where(eq(integrationMappings.id, id)).returning();
    return row;
  }
}
