import type {
  ConfigEntry,
  DocumentPage,
  Integration,
  IntegrationMapping,
  OAuthProvider,
  Table,
  Where,
} from "@bifrost/contracts";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { apiFetch } from "../../api/client.js";
import { useCursorList } from "../../api/queries.js";

/** The config and tables lists: the header's organization (`scope=`), or every scope. */
export function useConfigEntries(scope: string | null) {
  return useCursorList<ConfigEntry>([...DATA_KEY, "config"], "/api/config", { limit: 100, scope });
}

export function useTables(scope: string | null) {
  return useCursorList<Table>([...DATA_KEY, "tables"], "/api/tables", { limit: 100, scope });
}

export const tablePath = (tableId: string) => `/api/tables/${encodeURIComponent(tableId)}`;

export function useTable(tableId: string) {
  return useQuery({
    queryKey: ["admin", "data", "table", tableId],
    queryFn: () => apiFetch<Table>(tablePath(tableId)),
  });
}

/** What the document query box submits (API.md "Config, tables, schedules"). */
export type DocumentFilter = { where?: Where; orderBy?: string; orderDir: "asc" | "desc" };

const DOCUMENT_PAGE = 50;

export function useDocuments(tableId: string, filter: DocumentFilter) {
  return useInfiniteQuery({
    queryKey: ["admin", "data", "documents", tableId, filter],
    queryFn: ({ pageParam }) =>
      apiFetch<DocumentPage>(`${tablePath(tableId)}/documents/query`, {
        method: "POST",
        body: { ...filter, limit: DOCUMENT_PAGE, offset: pageParam },
      }),
    initialPageParam: 0,
    getNextPageParam: (last) => last.nextOffset ?? undefined,
    retry: false,
  });
}

export function useOAuthConnections() {
  return useQuery({
    queryKey: ["admin", "data", "oauth"],
    queryFn: () => apiFetch<{ items: OAuthProvider[] }>("/api/oauth/connections"),
  });
}

export function useIntegrations() {
  return useQuery({
    queryKey: ["admin", "data", "integrations"],
    queryFn: () => apiFetch<{ items: Integration[] }>("/api/integrations"),
  });
}

export function useMappings(integrationId: string) {
  return useQuery({
    queryKey: ["admin", "data", "mappings", integrationId],
    queryFn: () =>
      apiFetch<{ items: IntegrationMapping[] }>(
        `/api/integrations/${encodeURIComponent(integrationId)}/mappings`,
      ),
  });
}

/** What the data pages' lists live under: their writes refresh them (and leave the other lists alone). */
export const DATA_KEY = ["admin", "data"] as const;
