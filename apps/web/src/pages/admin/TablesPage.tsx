import type { CreateTable, Table as DataTable } from "@bifrost/contracts";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { apiFetch } from "../../api/client.js";
import { formErrors } from "../../api/field-errors.js";
import { useInvalidatingMutation, useOrganizationName } from "../../api/queries.js";
import { OrganizationSelect } from "../../components/OrganizationSelect.js";
import { Field, Input } from "../../components/ui/index.js";
import { useOrgScope } from "../../shell/org-scope.js";
import { AdminTable, CreateCard } from "./collection.js";
import { DATA_KEY, tablePath, useTables } from "./data-queries.js";
import "./admin.css";
import "./data.css";

/** The number of documents of a table (the API's count route). */
function DocumentCount({ tableId }: { tableId: string }) {
  const count = useQuery({
    queryKey: ["admin", "data", "documents", tableId, "count"],
    queryFn: () =>
      apiFetch<{ count: number }>(`${tablePath(tableId)}/documents/count`, { method: "POST", body: {} }),
  });
  if (count.isPending) return <span className="data-muted">…</span>;
  if (count.isError) return <span className="data-muted">unknown</span>;
  return <>{count.data.count}</>;
}

/** The fields that show the server's messages about them (e.g. the name's rule). */
const CREATE_FIELDS = ["name", "description"];

export function TablesPage() {
  const { scope } = useOrgScope();
  const tables = useTables(scope);
  const organizationName = useOrganizationName();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [organizationId, setOrganizationId] = useState<string>(scope ?? "");
  const create = useInvalidatingMutation(DATA_KEY, (body: CreateTable) =>
    apiFetch<DataTable>("/api/tables", { method: "POST", body }),
  );

  const submit = () =>
    create.mutate(
      { name: name.trim(), description: description.trim() || null, organizationId: organizationId || null },
      {
        onSuccess: () => {
          setName("");
          setDescription("");
        },
      },
    );

  const refused = formErrors(create.error, CREATE_FIELDS);

  return (
    <section className="admin-page">
      <h1>Tables</h1>
      <CreateCard
        title="New table"
        submitLabel="Create table"
        create={create}
        shown={CREATE_FIELDS}
        onSubmit={submit}
      >
        <Field label="Name" hint="Letters, digits, spaces and _ . -" error={refused.fields.name}>
          {(ids) => <Input {...ids} value={name} onChange={(e) => setName(e.target.value)} required />}
        </Field>
        <Field label="Description" hint="Optional" error={refused.fields.description}>
          {(ids) => <Input {...ids} value={description} onChange={(e) => setDescription(e.target.value)} />}
        </Field>
        <OrganizationSelect
          value={organizationId}
          onChange={setOrganizationId}
          hint="Global tables are readable by every organization's runs."
        />
      </CreateCard>

      <AdminTable
        query={tables}
        what="the tables"
        caption="Tables"
        emptyHint={<p>Create one above, or let a workflow insert into a new table name.</p>}
        columns={[
          {
            header: "Name",
            cell: (t) => <Link to={`/admin/tables/${encodeURIComponent(t.id)}`}>{t.name}</Link>,
          },
          { header: "Description", cell: (t) => t.description ?? "—" },
          { header: "Organization", cell: (t) => organizationName(t.organizationId) },
          { header: "Documents", cell: (t) => <DocumentCount tableId={t.id} /> },
          { header: "Created", cell: (t) => new Date(t.createdAt).toLocaleString() },
        ]}
      />
    </section>
  );
}
