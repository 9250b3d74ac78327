import type { AdminUser, MailMessage } from "@bifrost/contracts";
import { useQuery } from "@tanstack/react-query";
import { fetchAllPages, useCursorList } from "../../api/queries.js";

/** What the users and audit lists live under: a write on the users page or a role assignment refreshes them. */
export const ADMIN_KEY = ["admin"] as const;
/** The organizations' cached list (`useAllOrganizations`): organization writes refresh it. */
export const ORGANIZATIONS_KEY = ["organizations"] as const;
/** The roles' cached list (`useAllRoles`): a new role refreshes it. */
export const ROLES_KEY = ["roles"] as const;

/** Every user (of an organization, when one is given). */
export function useUsers(organizationId: string) {
  const query = organizationId ? `?organizationId=${encodeURIComponent(organizationId)}` : "";
  return useQuery({
    queryKey: ["admin", "users", organizationId],
    queryFn: ({ signal }) => fetchAllPages<AdminUser>(`/api/users${query}`, signal),
  });
}

/** The mail log, newest first, a page at a time (refreshed: a queued message changes on its own). */
export function useMailLog() {
  return useCursorList<MailMessage>(
    [...ADMIN_KEY, "mail"],
    "/api/platform/mail",
    { limit: 100 },
    { refetchInterval: ({ pages }) => (pages === 1 ? 5_000 : false) },
  );
}
