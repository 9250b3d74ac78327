import type { Workflow } from "@bifrost/contracts";
import { useQuery } from "@tanstack/react-query";
import { apiFetch } from "../../api/client.js";
import { useCursorList } from "../../api/queries.js";
import { useAuth } from "../../shell/auth.js";
import { useOrgScope } from "../../shell/org-scope.js";

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
