import { and, arrayOverlaps, eq, isNull, ne, sql } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { organizations } from "../db/schema/index.js";
import { keyset, toPage, type Page } from "./pagination.js";

export type OrganizationRow = typeof organizations.$inferSelect;

/** What `PATCH /api/organizations/{id}` may change (undefined: unchanged). */
export type OrganizationChanges = {
  name?: string | undefined;
  domain?: string | null | undefined;
  isActive?: boolean | undefined;
  maxConcurrentRuns?: number | null | undefined;
  ssoTenantIds?: string[] | undefined;
  ssoOnly?: boolean | undefined;
};

export class OrganizationsRepository {
  constructor(private readonly db: Db) {}

  async list(options: { limit: number; cursor?: string | undefined }): Promise<Page<OrganizationRow>> {
    const page = keyset(organizations, options.cursor);
    const rows = await this.db
      .select()
      .from(organizations)
      .where(and(isNull(organizations.deletedAt), page.where))
      .orderBy(...page.orderBy)
      .limit(options.limit + 1);
    return toPage(rows, options.limit, (row) => row);
  }

  /** A live (not deleted) organization. */
  async find(id: string): Promise<OrganizationRow | undefined> {
    const [row] = await this.db
      .select()
      .from(organizations)
      .where(and(eq(organizations.id, id), isNull(organizations.deletedAt)))
      .limit(1);
    return row;
  }

  async insert(values: { name: string; domain?: string | null | undefined }): Promise<OrganizationRow> {
    const [row] = await this.db
      .insert(organizations)
      .values({ name: values.name, domain: values.domain ?? null })
      .returning();
    if (!row) throw new Error("insert returned no row");
    return row;
  }

  async update(id: string, values: OrganizationChanges): Promise<OrganizationRow | undefined> {
    const changes = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
    const [row] = await this.db
      .update(organizations)
      .set({ ...changes, updatedAt: new Date() })
      .where(and(eq(organizations.id, id), isNull(organizations.deletedAt)))
      .returning();
    return row;
  }

  /** The live organization bound to this Entra tenant id, if any. */
  async findByTenantId(tenantId: string): Promise<OrganizationRow | undefined> {
    const [row] = await this.db
      .select()
      .from(organizations)
      .where(and(arrayOverlaps(organizations.ssoTenantIds, [tenantId]), isNull(organizations.deletedAt)))
      .limit(1);
    return row;
  }

  /** The live organization whose e-mail domain this is, if any. */
  async findByDomain(domain: string): Promise<OrganizationRow | undefined> {
    const [row] = await this.db
      .select()
      .from(organizations)
      .where(
        and(eq(sql`lower(${organizations.domain})`, domain.toLowerCase()), isNull(organizations.deletedAt)),
      )
      .limit(1);
    return row;
  }

  /** Another live organization already bound to one of these tenant ids (each belongs to one). */
  async tenantIdsTaken(tenantIds: string[], exceptId: string): Promise<OrganizationRow | undefined> {
    if (tenantIds.length === 0) return undefined;
    const [row] = await this.db
      .select()
      .from(organizations)
      .where(
        and(
          arrayOverlaps(organizations.ssoTenantIds, tenantIds),
          ne(organizations.id, exceptId),
          isNull(organizations.deletedAt),
        ),
      )
      .limit(1);
    return row;
  }

  async softDelete(id: string, at: Date): Promise<boolean> {
    const deleted = await this.db
      .update(organizations)
      .set({ deletedAt: at, isActive: false, updatedAt: at })
      .where(
        and(eq(organizations.id, id), isNull(organizations.deletedAt), eq(organizations.isProvider, false)),
      )
      .returning({ id: organizations.id });
    return deleted.length === 1;
  }
}
