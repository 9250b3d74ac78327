import { PROVIDER_ORGANIZATION_ID } from "./db/schema/organizations.js";
import { SYSTEM_USER_EMAIL, SYSTEM_USER_ID } from "./db/schema/triggers.js";

/**
 * Who is asking, in one place for every layer (ARCHITECTURE.md "Who is asking"): routes hand the
 * services an authorized `Principal`; services derive from it the `Caller` that tenancy checks need
 * and the `DataScope` a data call acts in. Ground level: it imports nothing of the layers above.
 */

/** The caller of a request, of a run's SDK, or the system acting for a trigger. */
export type Principal = {
  userId: string;
  email: string;
  name: string;
  organizationId: string;
  isSuperuser: boolean;
  roles: string[];
  /** The login the request belongs to; empty for a run's SDK and the system, which have none. */
  sessionId: string;
  /**
   * How it came: cookie-authenticated unsafe requests also need the CSRF header; `execution` is a
   * run's SDK, acting as its caller inside the run's organization and never as a platform admin;
   * `system` is the platform acting for a trigger (an endpoint key, a schedule, a webhook).
   */
  via: "bearer" | "cookie" | "query" | "execution" | "system";
  /** Set when `via` is `execution`. */
  executionId?: string;
  /** When the access token ends (ms since the epoch); set for users' tokens. */
  expiresAt?: number;
};

/** Who is asking, as tenancy and role checks need it (repositories filter with it). */
export type Caller = { userId: string; organizationId: string; isSuperuser: boolean };

export const callerOf = (principal: Principal): Caller => ({
  userId: principal.userId,
  organizationId: principal.organizationId,
  isSuperuser: principal.isSuperuser,
});

/**
 * The system user acting inside an organization (the provider organization for a global workflow):
 * whoever triggered the run was authorized by other means (a workflow key, a webhook's secret).
 */
export const systemPrincipal = (organizationId: string | null): Principal => ({
  userId: SYSTEM_USER_ID,
  email: SYSTEM_USER_EMAIL,
  name: "System",
  organizationId: organizationId ?? PROVIDER_ORGANIZATION_ID,
  isSuperuser: false,
  roles: [],
  sessionId: "",
  via: "system",
});

/**
 * Where a data call (config, tables, files) acts, from who makes it (DESIGN.md §4):
 * - a run's SDK acts inside the run's organization: reads look there first, then at global
 *   entries; writes go to the organization. It can never name another organization.
 * - a platform admin names the scope: an organization's id, or `null` for global.
 */
export type DataScope = RunDataScope | { kind: "admin"; organizationId: string | null };
export type RunDataScope = { kind: "run"; organizationId: string; executionId: string };

export function dataScopeOf(principal: Principal, requested?: string | null): DataScope {
  if (principal.via === "execution") {
    return {
      kind: "run",
      organizationId: principal.organizationId,
      executionId: principal.executionId ?? "",
    };
  }
  return { kind: "admin", organizationId: requested ?? null };
}

/** The organizations a read looks in, in order: the scope's own, then global (`null`). */
export const readOrder = (scope: DataScope): Array<string | null> =>
  scope.organizationId === null ? [null] : [scope.organizationId, null];
