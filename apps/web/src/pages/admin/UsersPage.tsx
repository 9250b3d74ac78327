import type { AdminUser, CreateUser } from "@bifrost/contracts";
import "./admin.css";
import { RoleChecklist } from "./RoleChecklist.js";
import { useState } from "react";
import { Link } from "react-router";
import { apiFetch } from "../../api/client.js";
import { formErrors } from "../../api/field-errors.js";
import {
  useAllOrganizations,
  useAllRoles,
  useInvalidatingMutation,
  useOrganizationName,
} from "../../api/queries.js";
import { OrganizationSelect } from "../../components/OrganizationSelect.js";
import { ActionError, Field, Input } from "../../components/ui/index.js";
import { useAuth } from "../../shell/auth.js";
import { AdminTable, CreateCard } from "./collection.js";
import { ADMIN_KEY, useUsers } from "./queries.js";
import { useUserAccountWrites } from "./user-actions.js";
import { useRolesOfUsers } from "./user-queries.js";
import { selectColumn, UserBulkActions, type Selection } from "./UserBulkActions.js";
import { UserRowActions, UserStatusBadges } from "./UsersRow.js";
import { UsersLinkOnce } from "./UsersLinkOnce.js";

/** The fields of "New user" that show the server's messages (e.g. "Password is too common"). */
const CREATE_FIELDS = ["email", "name", "password"];

export function UsersPage() {
  const organizations = useAllOrganizations();
  const roles = useAllRoles();
  const { rolesOf } = useRolesOfUsers();
  const me = useAuth().user;
  const [roleIds, setRoleIds] = useState<string[]>([]);
  const orgName = useOrganizationName();
  const [filter, setFilter] = useState("");
  const users = useUsers(filter);
  const [selection, setSelection] = useState<Selection>(new Set());
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [organizationId, setOrganizationId] = useState("");
  const writes = useUserAccountWrites();
  const orgs = organizations.data ?? [];

  /** Creates the user, then gives them the chosen roles (the invitation follows when there is no password). */
  const create = useInvalidatingMutation(ADMIN_KEY, async (body: CreateUser) => {
    const user = await apiFetch<AdminUser>("/api/users", { method: "POST", body });
    for (const roleId of roleIds) {
      await apiFetch<unknown>(`/api/roles/${encodeURIComponent(roleId)}/users`, {
        method: "POST",
        body: { userIds: [user.id] },
      });
    }
    return user;
  });

  const submit = () => {
    const chosen = organizationId || orgs[0]?.id || "";
    create.mutate(
      { email: email.trim(), name: name.trim(), organizationId: chosen, ...(password ? { password } : {}) },
      {
        onSuccess: (user) => {
          setEmail("");
          setName("");
          setPassword("");
          setRoleIds([]);
          writes.setNotice(`Created ${user.email}.`);
          // Without a password, the new user is invited at once.
          if (!user.signsIn) writes.invite.mutate(user);
        },
      },
    );
  };
  const refused = formErrors(create.error, CREATE_FIELDS);
  const roleNames = (u: AdminUser) => {
    const held = rolesOf(u.id);
    if (!held) return "…";
    return held.length > 0 ? held.map((r) => r.name).join(", ") : "—";
  };

  return (
    <section className="admin-page">
      <h1>Users</h1>
      <CreateCard
        title="New user"
        submitLabel="Create user"
        create={create}
        shown={CREATE_FIELDS}
        onSubmit={submit}
      >
        <Field label="Email" error={refused.fields.email}>
          {(ids) => (
            <Input {...ids} type="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
          )}
        </Field>
        <Field label="Name" error={refused.fields.name}>
          {(ids) => <Input {...ids} value={name} onChange={(e) => setName(e.target.value)} required />}
        </Field>
        <Field
          label="Password"
          hint="Optional: leave it empty and the user is invited by e-mail to choose one"
          error={refused.fields.password}
        >
          {(ids) => (
            <Input
              {...ids}
              type="password"
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
        <OrganizationSelect
          value={organizationId}
          onChange={setOrganizationId}
          globalLabel="Choose…"
          required
        />
        {(roles.data?.length ?? 0) > 0 && (
          <RoleChecklist legend="Roles" roles={roles.data ?? []} value={roleIds} onChange={setRoleIds} />
        )}
      </CreateCard>
      <div className="admin-filters" role="search">
        <OrganizationSelect
          label="Filter by organization"
          value={filter}
          onChange={setFilter}
          globalLabel="All organizations"
        />
      </div>
      {writes.notice && <p role="status">{writes.notice}</p>}
      <UsersLinkOnce shown={writes.link} onClose={writes.closeLink} />
      <ActionError error={writes.error} />
      <UserBulkActions
        shown={users.data ?? []}
        selection={selection}
        onSelectionChange={setSelection}
        onDone={writes.setNotice}
      />
      <AdminTable
        query={users}
        what="the users"
        caption="Users"
        empty={filter ? "No users in this organization." : "No users yet."}
        columns={[
          selectColumn(selection, setSelection),
          {
            header: "Email",
            cell: (u) => <Link to={`/admin/users/${encodeURIComponent(u.id)}`}>{u.email}</Link>,
          },
          { header: "Name", cell: (u) => u.name },
          { header: "Organization", cell: (u) => orgName(u.organizationId) },
          { header: "Roles", cell: roleNames },
          { header: "Status", cell: (u) => <UserStatusBadges user={u} /> },
          {
            header: "Actions",
            cell: (u) => <UserRowActions user={u} writes={writes} self={u.id === me?.id} />,
          },
        ]}
      />
    </section>
  );
}
