import type { AuditEntry, AuthUser, Organization, Role } from "@bifrost/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "../../api/client.js";

export type Page<T> = { items: T[]; nextCursor: string | null };

export function useOrganizations() {
  return useQuery({
    queryKey: ["admin", "organizations"],
    queryFn: () => apiFetch<Page<Organization>>("/api/organizations?limit=1000"),
  });
}

export function useUsers(organizationId: string) {
  const query = organizationId ? `&organizationId=${encodeURIComponent(organizationId)}` : "";
  return useQuery({
    queryKey: ["admin", "users", organizationId],
    queryFn: () => apiFetch<Page<AuthUser>>(`/api/users?limit=1000${query}`),
  });
}

export function useAdminRoles() {
  return useQuery({
    queryKey: ["admin", "roles"],
    queryFn: () => apiFetch<Page<Role>>("/api/roles?limit=1000"),
  });
}

export function useAudit() {
  return useQuery({
    queryKey: ["admin", "audit"],
    queryFn: () => apiFetch<Page<AuditEntry>>("/api/audit?limit=200"),
  });
}

/** A write to the API that refreshes the admin lists once it succeeds. */
export function useAdminAction<V, R>(run: (variables: V) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSuccess: () => client.invalidateQueries({ queryKey: ["admin"] }),
  });
}
