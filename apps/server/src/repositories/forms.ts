import { and, asc, eq, inArray, type SQL } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { formFields, formRoles, forms } from "../db/schema/index.js";
import { OrgScopedRepository } from "./org-scoped.js";
import { type Caller } from "../principal.js";
import { existingRoleIds } from "./roles.js";

export type FormRow = typeof forms.$inferSelect;
export type FormFieldRow = typeof formFields.$inferSelect;
export type NewForm = Omit<typeof forms.$inferInsert, "id" | "createdAt" | "updatedAt">;
export type NewFormField = Omit<typeof formFields.$inferInsert, "id" | "formId" | "position">;

/**
 * Forms: tenancy and the role rule are OrgScopedRepository's, with `form_roles` as the junction
 * (the rule of workflows). An organization user never sees an inactive form; platform admins do.
 */
export class FormsRepository extends OrgScopedRepository<typeof forms> {
  constructor(db: Db) {
    super(
      db,
      forms,
      {
        id: forms.id,
        organizationId: forms.organizationId,
        createdAt: forms.createdAt,
        name: forms.name,
        accessLevel: forms.accessLevel,
      },
      { table: formRoles, entityId: formRoles.formId, roleId: formRoles.roleId },
    );
  }

  protected override visibleTo(caller: Caller): SQL | undefined {
    const scoped = super.visibleTo(caller);
    return caller.isSuperuser ? scoped : and(scoped, eq(forms.isActive, true));
  }

  /** The fields of each form, in order. */
  async fieldsOf(ids: readonly string[]): Promise<Map<string, FormFieldRow[]>> {
    const byForm = new Map<string, FormFieldRow[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return byForm;
    const rows = await this.db
      .select()
      .from(formFields)
      .where(inArray(formFields.formId, [...ids]))
      .orderBy(asc(formFields.formId), asc(formFields.position));
    for (const row of rows) byForm.get(row.formId)?.push(row);
    return byForm;
  }

  async roleIdsOf(ids: readonly string[]): Promise<Map<string, string[]>> {
    const byForm = new Map<string, string[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return byForm;
    const rows = await this.db
      .select()
      .from(formRoles)
      .where(inArray(formRoles.formId, [...ids]))
      .orderBy(formRoles.roleId);
    for (const row of rows) byForm.get(row.formId)?.push(row.roleId);
    return byForm;
  }

  async existingRoleIds(ids: readonly string[]): Promise<Set<string>> {
    return existingRoleIds(this.db, ids);
  }

  /** Creates a form with its fields and roles; one transaction. */
  async create(form: NewForm, fields: readonly NewFormField[], roleIds: readonly string[]): Promise<FormRow> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.insert(forms).values(form).returning();
      if (!row) throw new Error("insert returned no row");
      await new FormsRepository(tx).writeChildren(row.id, fields, roleIds);
      return row;
    });
  }

  /** Replaces a form, its fields and its roles (PUT); undefined when it does not exist. */
  async replace(
    id: string,
    form: NewForm,
    fields: readonly NewFormField[],
    roleIds: readonly string[],
  ): Promise<FormRow | undefined> {
    return this.db.transaction(async (tx) => {
      const { createdBy: _kept, ...changes } = form;
      const [row] = await tx
        .update(forms)
        .set({ ...changes, updatedAt: new Date() })
        .where(eq(forms.id, id))
        .returning();
      if (!row) return undefined;
      await tx.delete(formFields).where(eq(formFields.formId, id));
      await tx.delete(formRoles).where(eq(formRoles.formId, id));
      await new FormsRepository(tx).writeChildren(id, fields, roleIds);
      return row;
    });
  }

  async delete(id: string): Promise<boolean> {
    const rows = await this.db.delete(forms).where(eq(forms.id, id)).returning({ id: forms.id });
    return rows.length > 0;
  }

  private async writeChildren(
    formId: string,
    fields: readonly NewFormField[],
    roleIds: readonly string[],
  ): Promise<void> {
    if (fields.length > 0) {
      await this.db
        .insert(formFields)
        .values(fields.map((field, position) => ({ ...field, formId, position })));
    }
    const unique = [...new Set(roleIds)];
    if (unique.length > 0)
      await this.db.insert(formRoles).values(unique.map((roleId) => ({ formId, roleId })));
  }
}
