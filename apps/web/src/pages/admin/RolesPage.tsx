import type { Role } from "@bifrost/contracts";
import "./admin.css";
import { useState } from "react";
import { Link } from "react-router";
import { apiFetch } from "../../api/client.js";
import { ActionError, Button, Dialog, Field, Input, QueryView } from "../../components/ui/index.js";
import { useAllRoles, useInvalidatingMutation } from "../../api/queries.js";
import { AdminTable, CreateCard } from "./collection.js";
import { ADMIN_KEY, ROLES_KEY, useUsers } from "./queries.js";

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
              <Button onClick={() => setAssigning(r)} aria-label={`Assign users to ${r.name}`}>
                Assign users
              </Button>
            ),
          },
        ]}
      />
      {assigning && <AssignDialog role={assigning} onClose={() => setAssigning(null)} />}
    </section>
  );
}

function AssignDialog({ role, onClose }: { role: Role; onClose: () => void }) {
  const users = useUsers("");
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const assign = useInvalidatingMutation(ADMIN_KEY, (userIds: string[]) =>
    apiFetch<void>(`/api/roles/${encodeURIComponent(role.id)}/users`, { method: "POST", body: { userIds } }),
  );
  const toggle = (id: string) =>
    setChosen((previous) => {
      const next = new Set(previous);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <Dialog
      open
      onOpenChange={(open) => !open && onClose()}
      title={`Assign users to ${role.name}`}
      description="Users who already have the role keep it."
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button
            variant="primary"
            busy={assign.isPending}
            disabled={chosen.size === 0}
            onClick={() => assign.mutate([...chosen], { onSuccess: onClose })}
          >
            Assign
          </Button>
        </>
      }
    >
      <QueryView query={users} what="the users" isEmpty={(items) => items.length === 0}>
        {(items) => (
          <ul className="admin-checklist">
            {items.map((u) => (
              <li key={u.id}>
                <label>
                  <input type="checkbox" checked={chosen.has(u.id)} onChange={() => toggle(u.id)} /> {u.name}{" "}
                  ({u.email})
                </label>
              </li>
            ))}
          </ul>
        )}
      </QueryView>
      <ActionError error={assign.error} />
    </Dialog>
  );
}
