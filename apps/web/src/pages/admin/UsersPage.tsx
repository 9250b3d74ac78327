import type { AuthUser } from "@bifrost/contracts";
import "./admin.css";
import { useState, type FormEvent } from "react";
import { apiFetch } from "../../api/client.js";
import {
  Badge,
  Button,
  Card,
  EmptyState,
  ErrorState,
  errorMessage,
  Field,
  Input,
  Select,
  Spinner,
  Table,
} from "../../components/ui/index.js";
import { useAdminAction, useOrganizations, useUsers } from "./queries.js";

type NewUser = { email: string; name: string; password?: string; organizationId: string };

export function UsersPage() {
  const organizations = useOrganizations();
  const [filter, setFilter] = useState("");
  const users = useUsers(filter);
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [organizationId, setOrganizationId] = useState("");
  const [notice, setNotice] = useState("");
  const orgs = organizations.data?.items ?? [];
  const orgName = (id: string) => orgs.find((o) => o.id === id)?.name ?? id;

  const create = useAdminAction((body: NewUser) =>
    apiFetch<AuthUser>("/api/users", { method: "POST", body }),
  );
  const deactivate = useAdminAction((id: string) =>
    apiFetch<AuthUser>(`/api/users/${encodeURIComponent(id)}`, {
      method: "PATCH",
      body: { isActive: false },
    }),
  );
  const resetMfa = useAdminAction((id: string) =>
    apiFetch<void>(`/api/users/${encodeURIComponent(id)}/mfa`, { method: "DELETE" }),
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
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
  const items = users.data?.items ?? [];
  const actionError = deactivate.error ?? resetMfa.error;

  return (
    <section className="admin-page">
      <h1>Users</h1>
      <Card title="New user">
        <form onSubmit={submit} className="admin-form">
          <Field label="Email">
            {(ids) => (
              <Input
                {...ids}
                type="email"
                value={email}
                onChange={(e) => setEmail(e.target.value)}
                required
              />
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
          <Field label="Organization">
            {(ids) => (
              <Select
                {...ids}
                value={organizationId}
                onChange={(e) => setOrganizationId(e.target.value)}
                required
              >
                <option value="">Choose…</option>
                {orgs.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          <Button type="submit" variant="primary" busy={create.isPending}>
            Create user
          </Button>
          {create.isError && (
            <p className="ui-field__error" role="alert">
              {errorMessage(create.error)}
            </p>
          )}
        </form>
      </Card>
      <div className="admin-filters" role="search">
        <Field label="Filter by organization">
          {(ids) => (
            <Select {...ids} value={filter} onChange={(e) => setFilter(e.target.value)}>
              <option value="">All organizations</option>
              {orgs.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </Select>
          )}
        </Field>
      </div>
      {notice && <p role="status">{notice}</p>}
      {actionError && (
        <p className="ui-field__error" role="alert">
          {errorMessage(actionError)}
        </p>
      )}
      {users.isPending ? (
        <Spinner />
      ) : users.isError ? (
        <ErrorState
          title="Could not load the users"
          error={users.error}
          onRetry={() => void users.refetch()}
        />
      ) : items.length === 0 ? (
        <EmptyState title={filter ? "No users in this organization." : "No users yet."} />
      ) : (
        <Table
          caption="Users"
          rows={items}
          rowKey={(u) => u.id}
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
                    <Button
                      busy={resetMfa.isPending && resetMfa.variables === u.id}
                      onClick={() =>
                        resetMfa.mutate(u.id, { onSuccess: () => setNotice(`MFA reset for ${u.email}.`) })
                      }
                      aria-label={`Reset MFA of ${u.email}`}
                    >
                      Reset MFA
                    </Button>
                  )}{" "}
                  {u.isActive && (
                    <Button
                      variant="danger"
                      busy={deactivate.isPending && deactivate.variables === u.id}
                      onClick={() => deactivate.mutate(u.id)}
                      aria-label={`Deactivate ${u.email}`}
                    >
                      Deactivate
                    </Button>
                  )}
                </>
              ),
            },
          ]}
        />
      )}
    </section>
  );
}
