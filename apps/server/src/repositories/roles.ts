import { and, asc, eq, inArray } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { formRoles, forms, roles, userRoles, users, workflowRoles, workflows } from "../db/schema/index.js";
import { keyset, toPage, type Page } from "./pagination.js";

export type RoleRow = typeof roles.$inferSelect;

/** Roles are global: one catalogue for every organization. */
/** Which of these role ids exist (forms and workflows check their role lists with it too). */
export async function existingRoleIds(db: Db, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .select({ id: roles.id })
    .from(roles)
    .where(inArray(roles.id, [...ids]));
  return new Set(rows.map((row) => row.id));
}

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

  /** Which of these role ids exist. */
  async existingIds(ids: readonly string[]): Promise<Set<string>> {
    return existingRoleIds(this.db, ids);
  }

  /** Takes the role from one user; answers whether they held it. */
  async removeUser(roleId: string, userId: string): Promise<boolean> {
    const rows = await this.db
      .delete(userRoles)
      .where(and(eq(userRoles.roleId, roleId), eq(userRoles.userId, userId)))
      .returning({ userId: userRoles.userId });
    return rows.length > 0;
  }

  async update(
    id: string,
    values: { name?: string | undefined; description?: string | null | undefined },
  ): Promise<RoleRow | undefined> {
    const changes = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
    const [row] = await this.db
      .update(roles)
      .set({ ...changes, updatedAt: new Date() })
      .where(eq(roles.id, id))
      .returning();
    return row;
  }

  /**
   * Deletes the role and, in the same transaction (the foreign keys cascade), every membership and
   * every form's and workflow's use of it. Answers its former members, or undefined when unknown.
   */
  async delete(id: string): Promise<string[] | undefined> {
    return await this.db.transaction(async (tx) => {
      const members = await tx
        .select({ userId: userRoles.userId })
        .from(userRoles)
        .where(eq(userRoles.roleId, id));
      const deleted = await tx.delete(roles).where(eq(roles.id, id)).returning({ id: roles.id });
      return deleted.length === 0 ? undefined : members.map((m) => m.userId);
    });
  }

  async members(roleId: string) {
    return await this.db
      .select({
        id: users.id,
        email: users.email,
        name: users.name,
        organizationId: users.organizationId,
        isActive: users.isActive,
      })
      .from(userRoles)
      .innerJoin(users, eq(users.id, userRoles.userId))
      .where(eq(userRoles.roleId, roleId))
      .orderBy(asc(users.email));
  }

  /** The forms and workflows the role opens. */
  async uses(roleId: string) {
    const [formRows, workflowRows] = await Promise.all([
      this.db
        .select({ id: forms.id, name: forms.name })
        .from(formRoles)
        .innerJoin(forms, eq(forms.id, formRoles.formId))
        .where(eq(formRoles.roleId, roleId))
        .orderBy(asc(forms.name)),
      this.db
        .select({ id: workflows.id, name: workflows.name })
        .from(workflowRoles)
        .innerJoin(workflows, eq(workflows.id, workflowRoles.workflowId))
        .where(eq(workflowRoles.roleId, roleId))
        .orderBy(asc(workflows.name)),
    ]);
    return { forms: formRows, workflows: workflowRows };
  }
}
