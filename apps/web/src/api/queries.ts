import type { Organization, Workflow } from "@bifrost/contracts";
import { useMutation, useQuery, useQueryClient, type QueryKey } from "@tanstack/react-query";
import { useCallback } from "react";
import { apiFetch } from "./client.js";

/** One page of a cursor-paged list of the API (`?limit=&cursor=` → `{ items, nextCursor }`). */
export type Page<T> = { items: T[]; nextCursor: string | null };

/**
 * Every item of a cursor-paged list, page after page: for pickers and name look-ups, which must not
 * silently stop at the first page.
 */
export async function fetchAllPages<T>(path: string, signal?: AbortSignal): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes("?") ? "&" : "?";
    const cursorParam: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
    const page: Page<T> = await apiFetch<Page<T>>(`${path}${separator}limit=1000${cursorParam}`, {
      ...(signal ? { signal } : {}),
    });
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

/** A write to the API that refreshes the queries under `key` once it succeeds. */
export function useInvalidatingMutation<V, R>(key: QueryKey, run: (variables: V) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSuccess: () => client.invalidateQueries({ queryKey: key }),
  });
}

/** Every organization (platform admins): one cached list for the pickers, names and the switcher. */
export function useAllOrganizations() {
  return useQuery({
    queryKey: ["organizations", "all"],
    queryFn: ({ signal }) => fetchAllPages<Organization>("/api/organizations", signal),
    staleTime: 30_000,
  });
}

/** An organization's name by id ("Global" for null; the id itself until the list has loaded). */
export function useOrganizationName(): (organizationId: string | null | undefined) => string {
  const organizations = useAllOrganizations();
  const list = organizations.data;
  return useCallback(
    (organizationId) => {
      if (!organizationId) return "Global";
      return list?.find((o) => o.id === organizationId)?.name ?? organizationId;
    },
    [list],
  );
}

/** Every workflow the caller may see (all types), for pickers. */
export function useAllWorkflows() {
  return useQuery({
    queryKey: ["workflows", "all"],
    queryFn: ({ signal }) => fetchAllPages<Workflow>("/api/workflows", signal),
    staleTime: 10_000,
  });
}
