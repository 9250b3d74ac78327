import type { Me, Role, Workflow } from "@bifrost/contracts";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { apiFetch, ApiError } from "../../api/client.js";

type Page<T> = { items: T[]; nextCursor: string | null };

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

/** Every workflow the caller may see, cursor-paged (`nextCursor`), 1,000 a page. */
export function useWorkflows() {
  return useInfiniteQuery({
    queryKey: WORKFLOW_LIST_KEY,
    queryFn: ({ pageParam }) =>
      apiFetch<Page<Workflow>>(
        `/api/workflows?limit=1000${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ""}`,
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useWorkflow(id: string) {
  return useQuery({
    queryKey: ["workflows", id],
    queryFn: () => apiFetch<Workflow>(`/api/workflows/${encodeURIComponent(id)}`),
  });
}

export function useRoles(enabled: boolean) {
  return useQuery({
    queryKey: ["roles"],
    queryFn: () => apiFetch<Page<Role>>("/api/roles?limit=1000"),
    enabled,
  });
}

/** The API's own message for a failure, else a generic one. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}
