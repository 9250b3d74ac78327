import type { Role } from "@bifrost/contracts";
import "./admin.css";
import { useState } from "react";
import { Link } from "react-router";
import { apiFetch } from "../../api/client.js";
import { formErrors } from "../../api/field-errors.js";
import { Button, Field, Input } from "../../components/ui/index.js";
import { useAllRoles, useInvalidatingMutation } from "../../api/queries.js";
import { AdminTable, CreateCard } from "./collection.js";
import { ROLES_KEY } from "./queries.js";
import { AddMembersDialog } from "./RoleMembers.js";

/** The fields that show the server's messages about them (e.g. the name's rule). */
const CREATE_FIELDS = ["name", "description"];

export function RolesPage() {
  const roles = useAllRoles();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [assigning, setAssigning] = useState<Role | null>(null);
  const create = useInvalidatingMutation(ROLES_KEY, (body: { name: string; description?: string }) =>
    apiFetch<Role>("/api/roles", { method: "POST", body }),
  );
  const submit = () => {
    const text = description.trim();
    create.mutate(
      { name: name.trim(), ...(text ? { description: text } : {}) },
      {
        onSuccess: () => {
          setName("");
          setDescription("");
        },
      },
    );
  };

  const refused = formErrors(create.error, CREATE_FIELDS);

  return (
    <section className="admin-page">
      <h1>Roles</h1>
      <CreateCard
        title="New role"
        submitLabel="Create role"
        create={create}
        shown={CREATE_FIELDS}
        onSubmit={submit}
      >
        <Field label="Name" error={refused.fields.name}>
          {(ids) => <Input {...ids} value={name} onChange={(e) => setName(e.target.value)} required />}
        </Field>
        <Field label="Description" error={refused.fields.description}>
          {(ids) => <Input {...ids} value={description} onChange={(e) => setDescription(e.target.value)} />}
        </Field>
      </CreateCard>
      <AdminTable
        query={roles}
        what="the roles"
        caption="Roles"
        columns={[
          {
            header: "Name",
            cell: (r) => <Link to={`/admin/roles/${encodeURIComponent(r.id)}`}>{r.name}</Link>,
          },
          { header: "Description", cell: (r) => r.description ?? "—" },
          {
            header: "Actions",
            cell: (r) => (
              <Button onClick={() => setAssigning(r)} aria-label={`Add members to ${r.name}`}>
                Add members
              </Button>
            ),
          },
        ]}
      />
      {assigning && (
        <AddMembersDialog
          role={assigning}
          onClose={() => setAssigning(null)}
          onAdded={() => setAssigning(null)}
        />
      )}
    </section>
  );
}
