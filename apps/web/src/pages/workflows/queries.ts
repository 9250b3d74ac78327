import type { Me, Role, Workflow } from "@bifrost/contracts";
import { useQuery } from "@tanstack/react-query";
import { apiFetch } from "../../api/client.js";
import { fetchAllPages, useCursorList } from "../../api/queries.js";
import { useAuth } from "../../shell/auth.js";
import { useOrgScope } from "../../shell/org-scope.js";

/** Who is signed in (`GET /auth/me`); shared by every page through react-query's cache. */
export function useMe() {
  // The shell's session query uses the same key (null when signed out): one request for both.
  return useQuery<Me | null>({
    queryKey: ["auth", "me"],
    queryFn: () => apiFetch<Me>("/auth/me"),
    staleTime: 60_000,
  });
}

export const WORKFLOW_LIST_KEY = ["workflows", "list"] as const;

/**
 * Every workflow the caller may see, cursor-paged (`nextCursor`), 1,000 a page; a platform admin
 * who picked an organization in the header sees that organization's (`scope=`).
 */
export function useWorkflows() {
  const { isPlatformAdmin } = useAuth();
  const { scope } = useOrgScope();
  return useCursorList<Workflow>(WORKFLOW_LIST_KEY, "/api/workflows", {
    limit: 1000,
    scope: isPlatformAdmin ? scope : null,
  });
}

export function useWorkflow(id: string) {
  return useQuery({
    queryKey: ["workflows", id],
    queryFn: () => apiFetch<Workflow>(`/api/workflows/${encodeURIComponent(id)}`),
  });
}

/** Every role (platform admins), page after page: for access pickers. */
export function useRoles(enabled: boolean) {
  return useQuery({
    queryKey: ["roles", "all"],
    queryFn: ({ signal }) => fetchAllPages<Role>("/api/roles", signal),
    enabled,
  });
}
