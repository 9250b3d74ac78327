import type { AdminUser, Role, roleMemberSchema, Session } from "@bifrost/contracts";
import { useQueries, useQuery } from "@tanstack/react-query";
import type { z } from "zod";
import { apiFetch } from "../../api/client.js";
import { useAllRoles } from "../../api/queries.js";
import { ADMIN_KEY } from "./queries.js";

type RoleMember = z.infer<typeof roleMemberSchema>;

export const userPath = (userId: string) => `/api/users/${encodeURIComponent(userId)}`;

/** A well-formed user id; anything else is "Not found" without asking the API (which answers 422). */
export const isUserId = (value: string) =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);

/** Under the admin key: every write of the Users page or the user page refreshes it. */
const userKey = (userId: string) => [...ADMIN_KEY, "user", userId] as const;

/** One user as platform admins see them. */
export function useUser(userId: string) {
  return useQuery({
    queryKey: userKey(userId),
    queryFn: ({ signal }) => apiFetch<AdminUser>(userPath(userId), { signal }),
    enabled: isUserId(userId),
  });
}

/** The user's logins (their browsers and programs). */
export function useUserSessions(userId: string) {
  return useQuery({
    queryKey: [...userKey(userId), "sessions"],
    queryFn: ({ signal }) => apiFetch<{ items: Session[] }>(`${userPath(userId)}/sessions`, { signal }),
  });
}

/**
 * The roles each user holds, from every role's members (`GET /api/roles/{id}/users`): a user's view
 * does not carry their roles. The members' key is the role page's (`useRoleMembers`), so the two
 * share one cache, and a role given or taken anywhere (under the admin key) refreshes both.
 * `rolesOf` answers undefined until every list has loaded.
 */
export function useRolesOfUsers(): {
  rolesOf: (userId: string) => Role[] | undefined;
  error: unknown;
} {
  const roles = useAllRoles();
  const all = roles.data ?? [];
  return useQueries({
    queries: all.map((role) => ({
      queryKey: [...ADMIN_KEY, "roles", role.id, "members"],
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        apiFetch<{ items: RoleMember[] }>(`/api/roles/${encodeURIComponent(role.id)}/users`, { signal }),
    })),
    combine: (results) => {
      const error = roles.error ?? results.find((r) => r.error)?.error ?? null;
      if (!roles.data || results.some((r) => !r.data)) return { rolesOf: () => undefined, error };
      const held = new Map<string, Role[]>();
      results.forEach((result, i) => {
        const role = all[i];
        if (!role) return;
        for (const member of result.data?.items ?? [])
          held.set(member.id, [...(held.get(member.id) ?? []), role]);
      });
      return { rolesOf: (userId: string) => held.get(userId) ?? [], error };
    },
  });
}
