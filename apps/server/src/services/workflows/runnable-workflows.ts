import { ValidationError } from "../../errors.js";
import type { Caller } from "../../principal.js";
import type { OrganizationsRepository } from "../../repositories/organizations.js";
import type { WorkflowRow, WorkflowsRepository } from "../../repositories/workflows.js";

/**
 * Which workflow a caller may run, and in which organization the run acts — one answer for every
 * path that starts runs (the API, schedules, forms, endpoints, webhooks, and the coming MCP tools).
 * Tenancy and roles are the repository's (DESIGN.md §4); this adds "active" and the organization.
 */
export class RunnableWorkflows {
  constructor(
    private readonly deps: { workflows: WorkflowsRepository; organizations: OrganizationsRepository },
  ) {}

  /** Active and runnable by `caller`, by id or else by name; undefined otherwise (answered 404). */
  async find(caller: Caller, ref: { id?: string; name?: string }): Promise<WorkflowRow | undefined> {
    const row = ref.id
      ? await this.deps.workflows.findById(caller, ref.id)
      : ref.name !== undefined
        ? await this.deps.workflows.findRunnableByName(caller, ref.name)
        : undefined;
    return row?.isActive ? row : undefined;
  }

  /** Any workflow by id, whatever its organization or state: for platform admins' routes (schedules, keys). */
  async byId(id: string): Promise<WorkflowRow | undefined> {
    return await this.deps.workflows.findAnyById(id);
  }

  /**
   * A workflow a trigger of `organizationId` may name (a schedule's or a webhook's run, a form, an
   * event subscription): global, or that organization's own — a global trigger (a global form, null)
   * names global workflows only — so a trigger never runs another organization's code. Who may use
   * the trigger is the trigger's own rule. `active: false` also finds one that cannot run now.
   */
  async forTrigger(
    organizationId: string | null,
    id: string,
    options: { active: boolean } = { active: true },
  ): Promise<WorkflowRow | undefined> {
    const row = await this.deps.workflows.findAnyById(id);
    if (!row || (options.active && !row.isActive)) return undefined;
    return row.organizationId === null || row.organizationId === organizationId ? row : undefined;
  }

  /**
   * The organization a run of `workflow` acts in: `requested` when given (it must exist, and be the
   * workflow's own when the workflow belongs to one: 422 otherwise), else the workflow's
   * organization, else `fallback` (the caller's, or the provider organization for the system).
   * Who may request one is the caller's business (platform admins, for the API).
   */
  async organizationFor(
    workflow: Pick<WorkflowRow, "organizationId">,
    requested: string | undefined,
    fallback: string,
  ): Promise<string> {
    if (requested === undefined) return workflow.organizationId ?? fallback;
    const organization = await this.deps.organizations.find(requested);
    if (!organization || organization.deletedAt) {
      throw new ValidationError("Unknown organization", [
        { path: "body.organizationId", message: "no such organization" },
      ]);
    }
    if (workflow.organizationId !== null && workflow.organizationId !== requested) {
      throw new ValidationError("The workflow belongs to another organization", [
        { path: "body.organizationId", message: "the workflow is not available to this organization" },
      ]);
    }
    return requested;
  }
}
