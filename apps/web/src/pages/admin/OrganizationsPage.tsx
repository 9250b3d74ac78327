import type { Organization } from "@bifrost/contracts";
import "./admin.css";
import { useState, type FormEvent } from "react";
import { apiFetch } from "../../api/client.js";
import { useAllOrganizations, useInvalidatingMutation } from "../../api/queries.js";
import {
  ActionError,
  Badge,
  Button,
  Card,
  Field,
  Input,
  QueryView,
  Table,
} from "../../components/ui/index.js";
import { ORGANIZATIONS_KEY } from "./queries.js";

export function OrganizationsPage() {
  const organizations = useAllOrganizations();
  const [name, setName] = useState("");
  const [domain, setDomain] = useState("");
  const create = useInvalidatingMutation(ORGANIZATIONS_KEY, (body: { name: string; domain: string | null }) =>
    apiFetch<Organization>("/api/organizations", { method: "POST", body }),
  );
  const deactivate = useInvalidatingMutation(ORGANIZATIONS_KEY, (id: string) =>
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
          <ActionError error={create.error} />
        </form>
      </Card>
      <ActionError error={deactivate.error} />
      <QueryView query={organizations} what="the organizations" isEmpty={(items) => items.length === 0}>
        {(items) => (
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
                    {o.isActive ? (
                      <Badge tone="success">active</Badge>
                    ) : (
                      <Badge tone="neutral">inactive</Badge>
                    )}
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
      </QueryView>
    </section>
  );
}
