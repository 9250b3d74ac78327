import type { Organization } from "@bifrost/contracts";
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
  Spinner,
  Table,
} from "../../components/ui/index.js";
import { useAdminAction, useOrganizations } from "./queries.js";

export function OrganizationsPage() {
  const organizations = useOrganizations();
  const [name, setName] = useState("");
  const [domain, setDomain] = useState("");
  const create = useAdminAction((body: { name: string; domain: string | null }) =>
    apiFetch<Organization>("/api/organizations", { method: "POST", body }),
  );
  const deactivate = useAdminAction((id: string) =>
    apiFetch<Organization>(`/api/organizations/${encodeURIComponent(id)}`, {
      method: "PATCH",
      body: { isActive: false },
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { name: name.trim(), domain: domain.trim() || null },
      {
        onSuccess: () => {
          setName("");
          setDomain("");
        },
      },
    );
  };
  const items = organizations.data?.items ?? [];

  return (
    <section className="admin-page">
      <h1>Organizations</h1>
      <Card title="New organization">
        <form onSubmit={submit} className="admin-form">
          <Field label="Name">
            {(ids) => <Input {...ids} value={name} onChange={(e) => setName(e.target.value)} required />}
          </Field>
          <Field label="Domain" hint="Optional, e.g. example.com">
            {(ids) => <Input {...ids} value={domain} onChange={(e) => setDomain(e.target.value)} />}
          </Field>
          <Button type="submit" variant="primary" busy={create.isPending}>
            Create organization
          </Button>
          {create.isError && (
            <p className="ui-field__error" role="alert">
              {errorMessage(create.error)}
            </p>
          )}
        </form>
      </Card>
      {deactivate.isError && (
        <p className="ui-field__error" role="alert">
          {errorMessage(deactivate.error)}
        </p>
      )}
      {organizations.isPending ? (
        <Spinner />
      ) : organizations.isError ? (
        <ErrorState
          title="Could not load the organizations"
          error={organizations.error}
          onRetry={() => void organizations.refetch()}
        />
      ) : items.length === 0 ? (
        <EmptyState title="No organizations yet." />
      ) : (
        <Table
          caption="Organizations"
          rows={items}
          rowKey={(o) => o.id}
          columns={[
            { header: "Name", cell: (o) => o.name },
            { header: "Domain", cell: (o) => o.domain ?? "—" },
            {
              header: "Status",
              cell: (o) => (
                <>
                  {o.isProvider && <Badge tone="info">provider</Badge>}{" "}
                  {o.isActive ? <Badge tone="success">active</Badge> : <Badge tone="neutral">inactive</Badge>}
                </>
              ),
            },
            {
              header: "Actions",
              cell: (o) =>
                o.isActive && !o.isProvider ? (
                  <Button
                    variant="danger"
                    busy={deactivate.isPending && deactivate.variables === o.id}
                    onClick={() => deactivate.mutate(o.id)}
                    aria-label={`Deactivate ${o.name}`}
                  >
                    Deactivate
                  </Button>
                ) : null,
            },
          ]}
        />
      )}
    </section>
  );
}
