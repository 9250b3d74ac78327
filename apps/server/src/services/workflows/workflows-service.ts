import type { UpdateWorkflow, Workflow } from "@bifrost/contracts";
import { ConflictError, NotFoundError, ValidationError } from "../../errors.js";
import type { OrganizationsRepository } from "../../repositories/organizations.js";
import type { Page } from "../../repositories/pagination.js";
import type { WorkflowFilters, WorkflowRow, WorkflowsRepository } from "../../repositories/workflows.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { AuditActor } from "../../principal.js";
import { type Caller } from "../../principal.js";

const toWorkflow = (row: WorkflowRow, roleIds: string[]): Workflow => ({
  id: row.id,
  name: row.name,
  description: row.description,
  category: row.category,
  tags: row.tags,
  type: row.type,
  path: row.path,
  exportName: row.exportName,
  parametersSchema: row.parametersSchema,
  organizationId: row.organizationId,
  accessLevel: row.accessLevel,
  timeoutSeconds: row.timeoutSeconds,
  isActive: row.isActive,
  endpointEnabled: row.endpointEnabled,
  executionMode: row.executionMode,
  allowedMethods: row.allowedMethods as Workflow["allowedMethods"],
  cacheTtlSeconds: row.cacheTtlSeconds,
  retryPolicy: row.retryPolicy,
  roleIds,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

/**
 * The workflow registry: what the workspace defines, and the settings platform admins give each
 * definition (scope, access, timeout, endpoint). Who may see and run what is decided by
 * WorkflowsRepository (OrgScopedRepository): an organization user sees the active workflows that are
 * global or their organization's, `authenticated` or `role_based` with a role they hold.
 */
export class WorkflowsService {
  constructor(
    private readonly deps: {
      workflows: WorkflowsRepository;
      organizations: OrganizationsRepository;
      audit: AuditLog;
    },
  ) {}

  async list(caller: Caller, filters: WorkflowFilters): Promise<Page<Workflow>> {
    const page = await this.deps.workflows.search(caller, filters);
    return { items: await this.withRoles(page.items), nextCursor: page.nextCursor };
  }

  /** Out of the caller's reach is 404, as if it did not exist. */
  async get(caller: Caller, id: string): Promise<Workflow> {
    const row = await this.deps.workflows.findById(caller, id);
    if (!row) throw new NotFoundError("Workflow not found");
    const [workflow] = await this.withRoles([row]);
    return workflow as Workflow;
  }

  /** Platform admin: a workflow of any scope, active or not. */
  async update(caller: Caller, id: string, input: UpdateWorkflow, actor: AuditActor): Promise<Workflow> {
    const current = await this.deps.workflows.findById(caller, id);
    if (!current) throw new NotFoundError("Workflow not found");
    const { roleIds, ...settings } = input;
    if (roleIds !== undefined) await this.assertRoles(roleIds);
    const target = settings.organizationId;
    const moves = target !== undefined && target !== current.organizationId;
    if (moves) await this.assertOrganization(target);
    const changes = Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined));
    const row = await this.deps.workflows.updateSettings(
      id,
      changes,
      roleIds,
      moves ? (tx) => assertNameFree(tx, current, target) : undefined,
    );
    if (!row) throw new NotFoundError("Workflow not found");
    await this.deps.audit.record(actor, {
      action: "workflow.update",
      resourceType: "workflow",
      resourceId: id,
      details: {
        name: row.name,
        changed: Object.keys(input).filter((key) => key in changes || key === "roleIds"),
        ...(roleIds ? { roleIds } : {}),
      },
    });
    const [workflow] = await this.withRoles([row]);
    return workflow as Workflow;
  }

  private async assertRoles(roleIds: readonly string[]): Promise<void> {
    const known = await this.deps.workflows.existingRoleIds(roleIds);
    const unknown = [...new Set(roleIds)].filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw new ValidationError("Unknown roles", [
        { path: "body.roleIds", message: `no such role: ${unknown.join(", ")}` },
      ]);
    }
  }

  private async assertOrganization(organizationId: string | null): Promise<void> {
    if (organizationId !== null && !(await this.deps.organizations.find(organizationId))) {
      throw new ValidationError("Unknown organization", [
        { path: "body.organizationId", message: `no such organization: ${organizationId}` },
      ]);
    }
  }

  private async withRoles(rows: readonly WorkflowRow[]): Promise<Workflow[]> {
    const roles = await this.deps.workflows.roleIdsOf(rows.map((row) => row.id));
    return rows.map((row) => toWorkflow(row, roles.get(row.id) ?? []));
  }
}

/** An active workflow moving to another scope must not meet an active one of the same name there. */
async function assertNameFree(
  workflows: WorkflowsRepository,
  current: WorkflowRow,
  organizationId: string | null,
): Promise<void> {
  if (!current.isActive) return;
  const clash = await workflows.activeNameTaken(current.name, organizationId, current.id);
  if (clash) {
    throw new ConflictError(
      `A workflow named "${current.name}" already exists in that scope (${clash.path}, export ${clash.exportName})`,
      { name: current.name, path: clash.path, exportName: clash.exportName },
    );
  }
}
