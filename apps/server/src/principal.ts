import { PROVIDER_ORGANIZATION_ID } from "./db/schema/organizations.js";
import { SYSTEM_USER_EMAIL, SYSTEM_USER_ID } from "./db/schema/triggers.js";

/**
 * Who is asking, in one place for every layer (ARCHITECTURE.md "Who is asking"): routes hand the
 * services an authorized `Principal`; services derive from it the `Caller` that tenancy checks need
 * and the `DataScope` a data call acts in. Ground level: it imports nothing of the layers above.
 */

/** Who, whichever way they came. */
type Identity = {
  userId: string;
  email: string;
  name: string;
  organizationId: string;
  isSuperuser: boolean;
  roles: string[];
};

/**
 * A signed-in user, with the login (`sessionId`) the request belongs to. How the token came:
 * cookie-authenticated unsafe requests also need the CSRF header.
 */
export type UserPrincipal = Identity & {
  via: "bearer" | "cookie" | "query";
  sessionId: string;
  /** When the access token ends (ms since the epoch). */
  expiresAt?: number;
};

/** A run's SDK, acting as its caller inside the run's organization and never as a platform admin. */
type RunPrincipal = Identity & { via: "execution"; executionId: string };

/** The platform acting for a trigger (an endpoint key, a schedule, a webhook): no login, no run. */
export type SystemPrincipal = Identity & { via: "system" };

/** The caller of a request, of a run's SDK, or the system acting for a trigger. */
export type Principal = UserPrincipal | RunPrincipal | SystemPrincipal;

export const isUserPrincipal = (principal: Principal): principal is UserPrincipal =>
  principal.via === "bearer" || principal.via === "cookie" || principal.via === "query";

/**
 * Who acted and from where, as the audit log records it: the principal's identity when there is one
 * (a failed sign-in has none), the client's address and the request's id.
 */
export type AuditActor = {
  userId?: string | undefined;
  email?: string | undefined;
  organizationId?: string | undefined;
  ip?: string | undefined;
  requestId?: string | undefined;
};

/** The actor of a request before (or without) a principal: the user it is about, when known. */
export const requestActor = (
  meta: { ip: string; requestId?: string | undefined },
  user?: { id: string; email?: string; organizationId?: string },
): AuditActor => ({
  userId: user?.id,
  email: user?.email,
  organizationId: user?.organizationId,
  ip: meta.ip,
  requestId: meta.requestId,
});

export const auditActorOf = (
  principal: Principal | null,
  origin: { ip?: string; requestId?: string } = {},
): AuditActor => ({
  ...(principal
    ? { userId: principal.userId, email: principal.email, organizationId: principal.organizationId }
    : {}),
  ...origin,
});

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
export const systemPrincipal = (organizationId: string | null): SystemPrincipal => ({
  userId: SYSTEM_USER_ID,
  email: SYSTEM_USER_EMAIL,
  name: "System",
  organizationId: organizationId ?? PROVIDER_ORGANIZATION_ID,
  isSuperuser: false,
  roles: [],
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
      executionId: principal.executionId,
    };
  }
  return { kind: "admin", organizationId: requested ?? null };
}

/** The run's own scope, for the routes only a run's SDK reaches (the `run` access rule). */
export function runScopeOf(principal: Principal): RunDataScope {
  const scope = dataScopeOf(principal);
  if (scope.kind !== "run") throw new Error("a run-only route reached without an execution token");
  return scope;
}

/** The organizations a read looks in, in order: the scope's own, then global (`null`). */
export const readOrder = (scope: DataScope): Array<string | null> =>
  scope.organizationId === null ? [null] : [scope.organizationId, null];
