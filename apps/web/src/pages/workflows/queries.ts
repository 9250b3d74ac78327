import type { ExecutionSummary, Form, Workflow } from "@bifrost/contracts";
import { useQuery } from "@tanstack/react-query";
import { apiFetch } from "../../api/client.js";
import { fetchAllPages, useCursorList, type Page } from "../../api/queries.js";
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

/** How many runs a workflow's page lists. */
const RECENT_RUNS = 10;

/**
 * The latest runs of a workflow, newest first; the API gives an organization user only their own.
 * Under the executions' key, so whatever refreshes the history refreshes these too.
 */
export function useRecentRuns(workflowName: string) {
  return useQuery({
    queryKey: ["executions", "recent", workflowName],
    queryFn: ({ signal }) =>
      apiFetch<Page<ExecutionSummary>>(
        `/api/executions?workflowName=${encodeURIComponent(workflowName)}&limit=${RECENT_RUNS}`,
        { signal },
      ),
    select: (page) => page.items,
  });
}

/**
 * The active forms that run a workflow, among those the caller may use: the forms API has no filter
 * by workflow, so the whole list is read (forms are few) and narrowed here.
 */
export function useFormsOfWorkflow(workflowId: string) {
  return useQuery({
    queryKey: ["forms", "all"],
    queryFn: ({ signal }) => fetchAllPages<Form>("/api/forms", signal),
    select: (forms) => forms.filter((form) => form.workflowId === workflowId && form.isActive),
  });
}
