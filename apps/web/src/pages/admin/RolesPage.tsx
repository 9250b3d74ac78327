import type { Role } from "@bifrost/contracts";
import "./admin.css";
import { useState } from "react";
import { Link } from "react-router";
import { apiFetch } from "../../api/client.js";
import { Button, Field, Input } from "../../components/ui/index.js";
import { useAllRoles, useInvalidatingMutation } from "../../api/queries.js";
import { AdminTable, CreateCard } from "./collection.js";
import { ROLES_KEY } from "./queries.js";
import { AddMembersDialog } from "./RoleMembers.js";

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

  return (
    <section className="admin-page">
      <h1>Roles</h1>
      <CreateCard title="New role" submitLabel="Create role" create={create} onSubmit={submit}>
        <Field label="Name">
          {(ids) => <Input {...ids} value={name} onChange={(e) => setName(e.target.value)} required />}
        </Field>
        <Field label="Description">
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
