import type { AuthUser, CreateUser } from "@bifrost/contracts";
import "./admin.css";
import { useState } from "react";
import { apiFetch } from "../../api/client.js";
import { useAllOrganizations, useInvalidatingMutation, useOrganizationName } from "../../api/queries.js";
import { OrganizationSelect } from "../../components/OrganizationSelect.js";
import { ActionError, Badge, Field, Input } from "../../components/ui/index.js";
import { AdminTable, CreateCard, RowButton } from "./collection.js";
import { ADMIN_KEY, useUsers } from "./queries.js";

export function UsersPage() {
  const organizations = useAllOrganizations();
  const orgName = useOrganizationName();
  const [filter, setFilter] = useState("");
  const users = useUsers(filter);
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [organizationId, setOrganizationId] = useState("");
  const [notice, setNotice] = useState("");
  const orgs = organizations.data ?? [];

  const create = useInvalidatingMutation(ADMIN_KEY, (body: CreateUser) =>
    apiFetch<AuthUser>("/api/users", { method: "POST", body }),
  );
  const deactivate = useInvalidatingMutation(ADMIN_KEY, (u: AuthUser) =>
    apiFetch<AuthUser>(`/api/users/${encodeURIComponent(u.id)}`, {
      method: "PATCH",
      body: { isActive: false },
    }),
  );
  const resetMfa = useInvalidatingMutation(ADMIN_KEY, (u: AuthUser) =>
    apiFetch<void>(`/api/users/${encodeURIComponent(u.id)}/mfa`, { method: "DELETE" }),
  );

  const submit = () => {
    const chosen = organizationId || orgs[0]?.id || "";
    create.mutate(
      { email: email.trim(), name: name.trim(), organizationId: chosen, ...(password ? { password } : {}) },
      {
        onSuccess: (user) => {
          setEmail("");
          setName("");
          setPassword("");
          setNotice(`Created ${user.email}.`);
        },
      },
    );
  };
  const actionError = deactivate.error ?? resetMfa.error;

  return (
    <section className="admin-page">
      <h1>Users</h1>
      <CreateCard title="New user" submitLabel="Create user" create={create} onSubmit={submit}>
        <Field label="Email">
          {(ids) => (
            <Input {...ids} type="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
          )}
        </Field>
        <Field label="Name">
          {(ids) => <Input {...ids} value={name} onChange={(e) => setName(e.target.value)} required />}
        </Field>
        <Field label="Password" hint="Optional: without one the user signs in with SSO">
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
      </CreateCard>
      <div className="admin-filters" role="search">
        <OrganizationSelect
          label="Filter by organization"
          value={filter}
          onChange={setFilter}
          globalLabel="All organizations"
        />
      </div>
      {notice && <p role="status">{notice}</p>}
      <ActionError error={actionError} />
      <AdminTable
        query={users}
        what="the users"
        caption="Users"
        empty={filter ? "No users in this organization." : "No users yet."}
        columns={[
          { header: "Email", cell: (u) => u.email },
          { header: "Name", cell: (u) => u.name },
          { header: "Organization", cell: (u) => orgName(u.organizationId) },
          {
            header: "Status",
            cell: (u) => (
              <>
                {u.isSuperuser && <Badge tone="info">admin</Badge>}{" "}
                {u.isActive ? <Badge tone="success">active</Badge> : <Badge>inactive</Badge>}{" "}
                {u.mfaEnabled && <Badge tone="neutral">MFA</Badge>}
              </>
            ),
          },
          {
            header: "Actions",
            cell: (u) => (
              <>
                {u.mfaEnabled && (
                  <RowButton
                    write={resetMfa}
                    row={u}
                    onDone={() => setNotice(`MFA reset for ${u.email}.`)}
                    aria-label={`Reset MFA of ${u.email}`}
                  >
                    Reset MFA
                  </RowButton>
                )}{" "}
                {u.isActive && (
                  <RowButton write={deactivate} row={u} variant="danger" aria-label={`Deactivate ${u.email}`}>
                    Deactivate
                  </RowButton>
                )}
              </>
            ),
          },
        ]}
      />
    </section>
  );
}
