import type { CreateForm, FieldError, Form, FormField } from "@bifrost/contracts";
import { NotFoundError, ValidationError } from "../../errors.js";
import type { FormFieldRow, FormRow, FormsRepository, NewFormField } from "../../repositories/forms.js";
import type { OrganizationsRepository } from "../../repositories/organizations.js";
import type { Page } from "../../repositories/pagination.js";
import type { WorkflowRow } from "../../repositories/workflows.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { AuditActor } from "../../principal.js";
import { type Caller } from "../../principal.js";
import type { RunnableWorkflows } from "../workflows/runnable-workflows.js";

/** A form with its ordered fields, as the run routes need it. */
export type LoadedForm = { form: FormRow; fields: FormFieldRow[] };

const toField = (row: FormFieldRow): FormField => ({
  name: row.name,
  label: row.label,
  type: row.type,
  required: row.required,
  ...(row.default !== null ? { default: row.default } : {}),
  placeholder: row.placeholder,
  helpText: row.helpText,
  options: row.options,
  dataProvider: (row.dataProvider as FormField["dataProvider"]) ?? null,
  visibleWhen: (row.visibleWhen as FormField["visibleWhen"]) ?? null,
  validation: row.validation ?? null,
});

const toForm = (row: FormRow, fields: FormFieldRow[], roleIds: string[]): Form => ({
  id: row.id,
  name: row.name,
  description: row.description,
  workflowId: row.workflowId,
  launchWorkflowId: row.launchWorkflowId,
  organizationId: row.organizationId,
  accessLevel: row.accessLevel,
  roleIds,
  allowedQueryParams: row.allowedQueryParams,
  isActive: row.isActive,
  fields: fields.map(toField),
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

/**
 * Forms (API.md "Forms"): platform admins write them; everyone sees the forms they may run, by the
 * rule of workflows (scope, then `accessLevel` + `form_roles`), applied by FormsRepository.
 */
export class FormsService {
  constructor(
    private readonly deps: {
      forms: FormsRepository;
      runnable: Pick<RunnableWorkflows, "forTrigger">;
      organizations: OrganizationsRepository;
      audit: AuditLog;
    },
  ) {}

  async list(caller: Caller, query: { limit: number; cursor?: string | undefined }): Promise<Page<Form>> {
    const page = await this.deps.forms.list(caller, query);
    return { items: await this.withChildren(page.items), nextCursor: page.nextCursor };
  }

  /** Out of the caller's reach is 404, as if it did not exist. */
  async get(caller: Caller, id: string): Promise<Form> {
    const row = await this.deps.forms.findById(caller, id);
    if (!row) throw new NotFoundError("Form not found");
    const [form] = await this.withChildren([row]);
    return form as Form;
  }

  /** The form and its fields, when `caller` may run it; else 404. */
  async load(caller: Caller, id: string): Promise<LoadedForm> {
    const form = await this.deps.forms.findById(caller, id);
    if (!form) throw new NotFoundError("Form not found");
    const fields = (await this.deps.forms.fieldsOf([id])).get(id) ?? [];
    return { form, fields };
  }

  async create(caller: Caller, input: CreateForm, actor: AuditActor): Promise<Form> {
    await this.assertReferences(input);
    const row = await this.deps.forms.create(
      { ...rowOf(input), createdBy: caller.userId },
      input.fields.map(fieldRowOf),
      input.roleIds,
    );
    await this.audit(actor, "form.create", row);
    return this.get(caller, row.id);
  }

  async replace(caller: Caller, id: string, input: CreateForm, actor: AuditActor): Promise<Form> {
    if (!(await this.deps.forms.findById(caller, id))) throw new NotFoundError("Form not found");
    await this.assertReferences(input);
    const row = await this.deps.forms.replace(id, rowOf(input), input.fields.map(fieldRowOf), input.roleIds);
    if (!row) throw new NotFoundError("Form not found");
    await this.audit(actor, "form.update", row);
    return this.get(caller, id);
  }

  async delete(caller: Caller, id: string, actor: AuditActor): Promise<void> {
    const row = await this.deps.forms.findById(caller, id);
    if (!row || !(await this.deps.forms.delete(id))) throw new NotFoundError("Form not found");
    await this.audit(actor, "form.delete", row);
  }

  private async audit(actor: AuditActor, action: string, row: FormRow): Promise<void> {
    await this.deps.audit.record(actor, {
      action,
      resourceType: "form",
      resourceId: row.id,
      details: { name: row.name },
    });
  }

  /** Organization, roles and workflows must exist and be usable by the form (422 otherwise). */
  private async assertReferences(input: CreateForm): Promise<void> {
    const errors: FieldError[] = [];
    if (input.organizationId && !(await this.deps.organizations.find(input.organizationId)))
      errors.push({ path: "body.organizationId", message: "no such organization" });
    const known = await this.deps.forms.existingRoleIds(input.roleIds);
    const unknown = [...new Set(input.roleIds)].filter((id) => !known.has(id));
    if (unknown.length > 0)
      errors.push({ path: "body.roleIds", message: `no such role: ${unknown.join(", ")}` });
    const usable = async (path: string, id: string, type?: WorkflowRow["type"]) => {
      // Active, and global or of the form's organization: a form never runs another organization's code.
      const row = await this.deps.runnable.forTrigger(input.organizationId ?? null, id);
      if (!row)
        errors.push({ path, message: "no active workflow with this id in the form's scope (or global)" });
      else if (type && row.type !== type) errors.push({ path, message: `must be a ${type}` });
    };
    await usable("body.workflowId", input.workflowId);
    if (input.launchWorkflowId) await usable("body.launchWorkflowId", input.launchWorkflowId);
    for (const [i, field] of input.fields.entries()) {
      if (field.dataProvider)
        await usable(
          `body.fields.${i}.dataProvider.workflowId`,
          field.dataProvider.workflowId,
          "data_provider",
        );
    }
    if (errors.length > 0) throw new ValidationError("The form refers to things it cannot use", errors);
  }

  private async withChildren(rows: readonly FormRow[]): Promise<Form[]> {
    const ids = rows.map((row) => row.id);
    const [fields, roles] = await Promise.all([
      this.deps.forms.fieldsOf(ids),
      this.deps.forms.roleIdsOf(ids),
    ]);
    return rows.map((row) => toForm(row, fields.get(row.id) ?? [], roles.get(row.id) ?? []));
  }
}

const rowOf = (input: CreateForm) => ({
  name: input.name,
  description: input.description ?? null,
  workflowId: input.workflowId,
  launchWorkflowId: input.launchWorkflowId ?? null,
  organizationId: input.organizationId ?? null,
  accessLevel: input.accessLevel,
  allowedQueryParams: input.allowedQueryParams,
  isActive: input.isActive,
});

const fieldRowOf = (field: CreateForm["fields"][number]): NewFormField => ({
  name: field.name,
  label: field.label,
  type: field.type,
  required: field.required,
  default: field.default ?? null,
  placeholder: field.placeholder ?? null,
  helpText: field.helpText ?? null,
  options: field.options ?? null,
  dataProvider: field.dataProvider ?? null,
  visibleWhen: field.visibleWhen ?? null,
  validation: field.validation ?? null,
});
