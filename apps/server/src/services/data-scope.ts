import type { Principal } from "../api/access.js";

/**
 * Where a data call (config, tables, files) acts, from who makes it (DESIGN.md §4):
 * - a run's SDK acts inside the run's organization: reads look there first, then at global
 *   entries; writes go to the organization. It can never name another organization.
 * - a platform admin names the scope: an organization's id, or `null` for global.
 */
export type DataScope =
  | { kind: "run"; organizationId: string; executionId: string }
  | { kind: "admin"; organizationId: string | null };

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
