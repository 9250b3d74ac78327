import type { AuditEntry } from "@bifrost/contracts";
import { useCursorList } from "../../api/queries.js";
import { ADMIN_KEY } from "./queries.js";

/**
 * The Audit page's filters as the URL holds them (`?actor=&action=&from=&to=`), so a filtered view
 * can be linked: days (`YYYY-MM-DD`, the date inputs' value) rather than instants.
 */
export type AuditFilters = { actor: string; action: string; from: string; to: string };

const NAMES = ["actor", "action", "from", "to"] as const;

export function filtersFromUrl(params: URLSearchParams): AuditFilters {
  const [actor, action, from, to] = NAMES.map((name) => params.get(name)?.trim() ?? "");
  return { actor: actor ?? "", action: action ?? "", from: from ?? "", to: to ?? "" };
}

export function filtersToUrl(filters: AuditFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const name of NAMES) {
    const value = filters[name].trim();
    if (value) params.set(name, value);
  }
  return params;
}

/** Local midnight of `day` (plus `days`), as the API's ISO instant; undefined for no or a bad day. */
function startOfDay(day: string, days = 0): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return undefined;
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + days);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** The audit log under these filters, newest first, a page at a time. `to` is a whole day. */
export function useFilteredAudit(filters: AuditFilters) {
  return useCursorList<AuditEntry>([...ADMIN_KEY, "audit"], "/api/audit", {
    limit: 100,
    actor: filters.actor,
    action: filters.action,
    since: startOfDay(filters.from),
    until: startOfDay(filters.to, 1),
  });
}
