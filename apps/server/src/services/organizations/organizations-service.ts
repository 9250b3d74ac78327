import type { Organization } from "@bifrost/contracts";
import { ConflictError, NotFoundError } from "../../errors.js";
import type { Clock } from "../../infra/clock.js";
import type {
  OrganizationChanges,
  OrganizationRow,
  OrganizationsRepository,
} from "../../repositories/organizations.js";
import type { Page } from "../../repositories/pagination.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { AuditActor } from "../../principal.js";
import type { RunRevocation } from "../execution/accept/cancellation.js";
import type { AuthStateCache } from "../auth/auth-state.js";

const toOrganization = (row: OrganizationRow): Organization => ({
  id: row.id,
  name: row.name,
  domain: row.domain,
  isProvider: row.isProvider,
  isActive: row.isActive,
  maxConcurrentRuns: row.maxConcurrentRuns,
  ssoTenantIds: row.ssoTenantIds,
  ssoOnly: row.ssoOnly,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

/** The MSP's customers. Deleting one is soft: its users can no longer sign in, at once. */
export class OrganizationsService {
  constructor(
    private readonly deps: {
      organizations: OrganizationsRepository;
      authState: AuthStateCache;
      clock: Clock;
      audit: AuditLog;
      runs: RunRevocation;
    },
  ) {}

  async list(options: { limit: number; cursor?: string | undefined }): Promise<Page<Organization>> {
    const page = await this.deps.organizations.list(options);
    return { items: page.items.map(toOrganization), nextCursor: page.nextCursor };
  }

  async get(id: string): Promise<Organization> {
    const row = await this.deps.organizations.find(id);
    if (!row) throw new NotFoundError("Organization not found");
    return toOrganization(row);
  }

  async create(
    input: { name: string; domain?: string | null | undefined },
    actor: AuditActor,
  ): Promise<Organization> {
    const row = await this.deps.organizations.insert(input);
    await this.deps.audit.record(actor, {
      action: "organization.create",
      resourceType: "organization",
      resourceId: row.id,
      details: { name: row.name },
    });
    return toOrganization(row);
  }

  async update(id: string, input: OrganizationChanges, actor: AuditActor): Promise<Organization> {
    if (input.ssoTenantIds) {
      input = { ...input, ssoTenantIds: [...new Set(input.ssoTenantIds.map((t) => t.toLowerCase()))] };
      const other = await this.deps.organizations.tenantIdsTaken(input.ssoTenantIds ?? [], id);
      if (other) throw new ConflictError(`A tenant id is already bound to the organization ${other.name}`);
    }
    const row = await this.deps.organizations.update(id, input);
    if (!row) throw new NotFoundError("Organization not found");
    if (input.isActive === false) {
      await this.deps.authState.invalidate({ organizationId: id });
      await this.deps.runs.cancelRunsOf({ organizationId: id });
    }
    await this.deps.audit.record(actor, {
      action: "organization.update",
      resourceType: "organization",
      resourceId: id,
      details: { changed: Object.keys(input) },
    });
    return toOrganization(row);
  }

  /** The provider organization cannot be deleted (404 as for anything not deletable here). */
  async delete(id: string, actor: AuditActor): Promise<void> {
    if (!(await this.deps.organizations.softDelete(id, new Date(this.deps.clock.now())))) {
      throw new NotFoundError("Organization not found");
    }
    await this.deps.authState.invalidate({ organizationId: id });
    await this.deps.runs.cancelRunsOf({ organizationId: id });
    await this.deps.audit.record(actor, {
      action: "organization.delete",
      resourceType: "organization",
      resourceId: id,
    });
  }
}
