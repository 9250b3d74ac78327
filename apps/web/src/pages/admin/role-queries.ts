import type { RoleDetail, roleMemberSchema } from "@bifrost/contracts";
import { useQuery } from "@tanstack/react-query";
import type { z } from "zod";
import { apiFetch } from "../../api/client.js";
import { ADMIN_KEY, ROLES_KEY } from "./queries.js";

export type RoleMember = z.infer<typeof roleMemberSchema>;

export const rolePath = (roleId: string) => `/api/roles/${encodeURIComponent(roleId)}`;

/** Under the roles' key: a rename or a delete refreshes the list and the page together. */
export const roleKey = (roleId: string) => [...ROLES_KEY, "detail", roleId] as const;

/** A role, and the forms and workflows it opens. */
export function useRole(roleId: string) {
  return useQuery({
    queryKey: roleKey(roleId),
    queryFn: ({ signal }) => apiFetch<RoleDetail>(rolePath(roleId), { signal }),
  });
}

/**
 * The role's members. Under the admin key, as the users list: a role given on the Roles page or
 * replaced in bulk on the Users page refreshes them too.
 */
export function useRoleMembers(roleId: string) {
  return useQuery({
    queryKey: [...ADMIN_KEY, "roles", roleId, "members"],
    queryFn: ({ signal }) => apiFetch<{ items: RoleMember[] }>(`${rolePath(roleId)}/users`, { signal }),
  });
}
