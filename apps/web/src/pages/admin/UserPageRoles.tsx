import type { AdminUser } from "@bifrost/contracts";
import { useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { apiFetch } from "../../api/client.js";
import { useAllRoles, useInvalidatingMutation } from "../../api/queries.js";
import { ActionError, Button, Card, ErrorState, Spinner } from "../../components/ui/index.js";
import { ADMIN_KEY } from "./queries.js";
import { RoleChecklist } from "./RoleChecklist.js";
import { useRolesOfUsers } from "./user-queries.js";

const roleUsers = (roleId: string) => `/api/roles/${encodeURIComponent(roleId)}/users`;

/**
 * The roles the user holds, ticked; saving gives the newly ticked ones and takes the unticked ones,
 * one role at a time (`POST /api/roles/{id}/users`, `DELETE /api/roles/{id}/users/{userId}`), so a
 * role another admin gave meanwhile and left alone here stays.
 */
export function UserPageRoles({ user, onNotice }: { user: AdminUser; onNotice: (notice: string) => void }) {
  const client = useQueryClient();
  const roles = useAllRoles();
  const { rolesOf, error } = useRolesOfUsers();
  const held = rolesOf(user.id)?.map((r) => r.id);
  const [draft, setDraft] = useState<string[] | null>(null);
  const chosen = draft ?? held ?? [];
  const added = chosen.filter((id) => !held?.includes(id));
  const removed = (held ?? []).filter((id) => !chosen.includes(id));
  const save = useInvalidatingMutation(ADMIN_KEY, async (change: { added: string[]; removed: string[] }) => {
    for (const roleId of change.added)
      await apiFetch<void>(roleUsers(roleId), { method: "POST", body: { userIds: [user.id] } });
    for (const roleId of change.removed)
      await apiFetch<void>(`${roleUsers(roleId)}/${encodeURIComponent(user.id)}`, { method: "DELETE" });
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const names = (ids: string[]) =>
      (roles.data ?? [])
        .filter((r) => ids.includes(r.id))
        .map((r) => r.name)
        .join(", ");
    const said = [
      added.length > 0 ? `given ${names(added)}` : "",
      removed.length > 0 ? `no longer holds ${names(removed)}` : "",
    ].filter(Boolean);
    save.mutate(
      { added, removed },
      {
        onSuccess: () => {
          setDraft(null);
          onNotice(`${user.email}: ${said.join("; ")}.`);
        },
        // Some roles may have changed before one failed: show what holds now.
        onError: () => void client.invalidateQueries({ queryKey: ADMIN_KEY }),
      },
    );
  };

  const body = () => {
    if (roles.isError || error)
      return <ErrorState title="Could not load the roles" error={roles.error ?? error} />;
    if (!roles.data || !held) return <Spinner label="Loading the roles…" />;
    if (roles.data.length === 0)
      return (
        <p className="data-muted">
          No roles yet: <Link to="/admin/roles">create one</Link>.
        </p>
      );
    return (
      <form className="admin-form" onSubmit={submit}>
        <RoleChecklist
          legend={`Roles of ${user.name}`}
          roles={roles.data}
          value={chosen}
          onChange={setDraft}
        />
        <Button type="submit" busy={save.isPending} disabled={added.length + removed.length === 0}>
          Save roles
        </Button>
        <ActionError error={save.error} />
      </form>
    );
  };
  return <Card title="Roles">{body()}</Card>;
}
