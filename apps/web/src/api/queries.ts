import type { Organization, Role, Workflow } from "@bifrost/contracts";
import {
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
  type QueryKey,
} from "@tanstack/react-query";
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

/** Query-string parameters of a list; empty, null and undefined ones are left out. */
export type ListParams = Record<string, string | number | null | undefined>;

function listUrl(path: string, params: ListParams, cursor: string | undefined): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") query.set(name, String(value));
  }
  if (cursor) query.set("cursor", cursor);
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

/**
 * A cursor-paged list of the API, a page at a time (`LoadMore` asks for the next): the query key
 * holds the parameters, so changing a filter starts again from the first page.
 */
export function useCursorList<T>(
  key: QueryKey,
  path: string,
  params: ListParams,
  options: {
    enabled?: boolean;
    /** Given how many pages are loaded (a refetch reloads each of them). */
    refetchInterval?: (state: { pages: number }) => number | false;
  } = {},
) {
  return useInfiniteQuery({
    queryKey: [...key, params],
    queryFn: ({ pageParam, signal }) => apiFetch<Page<T>>(listUrl(path, params, pageParam), { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    ...(options.enabled === undefined ? {} : { enabled: options.enabled }),
    ...(options.refetchInterval
      ? {
          refetchInterval: (query: { state: { data?: { pages: unknown[] } | undefined } }) =>
            options.refetchInterval?.({ pages: query.state.data?.pages.length ?? 0 }) ?? false,
        }
      : {}),
  });
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

/** Every role (platform admins): the Roles page's list and the access pickers of workflows and forms. */
export function useAllRoles() {
  return useQuery({
    queryKey: ["roles", "all"],
    queryFn: ({ signal }) => fetchAllPages<Role>("/api/roles", signal),
  });
}
