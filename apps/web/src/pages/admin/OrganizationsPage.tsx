import type { Organization } from "@bifrost/contracts";
import "./admin.css";
import { useState } from "react";
import { apiFetch } from "../../api/client.js";
import { useAllOrganizations, useInvalidatingMutation } from "../../api/queries.js";
import { ActionError, Badge, Field, Input } from "../../components/ui/index.js";
import { AdminTable, CreateCard, RowButton } from "./collection.js";
import { ORGANIZATIONS_KEY } from "./queries.js";

export function OrganizationsPage() {
  const organizations = useAllOrganizations();
  const [name, setName] = useState("");
  const [domain, setDomain] = useState("");
  const create = useInvalidatingMutation(ORGANIZATIONS_KEY, (body: { name: string; domain: string | null }) =>
    apiFetch<Organization>("/api/organizations", { method: "POST", body }),
  );
  const deactivate = useInvalidatingMutation(ORGANIZATIONS_KEY, (o: Organization) =>
    apiFetch<Organization>(`/api/organizations/${encodeURIComponent(o.id)}`, {
      method: "PATCH",
      body: { isActive: false },
    }),
  );
  const submit = () =>
    create.mutate(
      { name: name.trim(), domain: domain.trim() || null },
      {
        onSuccess: () => {
          setName("");
          setDomain("");
        },
      },
    );

  return (
    <section className="admin-page">
      <h1>Organizations</h1>
      <CreateCard
        title="New organization"
        submitLabel="Create organization"
        create={create}
        onSubmit={submit}
      >
        <Field label="Name">
          {(ids) => <Input {...ids} value={name} onChange={(e) => setName(e.target.value)} required />}
        </Field>
        <Field label="Domain" hint="Optional, e.g. example.com">
          {(ids) => <Input {...ids} value={domain} onChange={(e) => setDomain(e.target.value)} />}
        </Field>
      </CreateCard>
      <ActionError error={deactivate.error} />
      <AdminTable
        query={organizations}
        what="the organizations"
        caption="Organizations"
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
                <RowButton write={deactivate} row={o} variant="danger" aria-label={`Deactivate ${o.name}`}>
                  Deactivate
                </RowButton>
              ) : null,
          },
        ]}
      />
    </section>
  );
}
