import { eq } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { roles, userRoles } from "../db/schema/index.js";
import { keyset, toPage, type Page } from "./pagination.js";

export type RoleRow = typeof roles.$inferSelect;

/** Roles are global: one catalogue for every organization. */
export class RolesRepository {
  constructor(private readonly db: Db) {}

  async list(options: { limit: number; cursor?: string | undefined }): Promise<Page<RoleRow>> {
    const page = keyset(roles, options.cursor);
    const rows = await this.db
      .select()
      .from(roles)
      .where(page.where)
      .orderBy(...page.orderBy)
      .limit(options.limit + 1);
    return toPage(rows, options.limit, (row) => row);
  }

  async find(id: string): Promise<RoleRow | undefined> {
    const [row] = await this.db.select().from(roles).where(eq(roles.id, id)).limit(1);
    return row;
  }

  async insert(values: { name: string; description?: string | undefined }): Promise<RoleRow> {
    const [row] = await this.db
      .insert(roles)
      .values({ name: values.name, description: values.description ?? null })
      .returning();
    if (!row) throw new Error("insert returned no row");
    return row;
  }

  /** Adds members; users who already hold the role are left as they are. */
  async assignUsers(roleId: string, userIds: string[], assignedBy: string): Promise<void> {
    await this.db
      .insert(userRoles)
      .values(userIds.map((userId) => ({ roleId, userId, assignedBy })))
      .onConflictDoNothing();
  }
}
