import type { Role, RoleDetail } from "@bifrost/contracts";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { apiFetch, isNotFound } from "../../api/client.js";
import { useInvalidatingMutation } from "../../api/queries.js";
import {
  Button,
  Card,
  ConfirmDialog,
  Dialog,
  ErrorState,
  Field,
  Input,
  Spinner,
} from "../../components/ui/index.js";
import { NotFoundPage } from "../../shell/NotFoundPage.js";
import { EditForm } from "./collection.js";
import { ROLES_KEY } from "./queries.js";
import { RoleMembers } from "./RoleMembers.js";
import { rolePath, roleKey, useRole } from "./role-queries.js";
import "./admin.css";
import "./data.css";

/** A role: its members, the forms and workflows it opens; rename and delete it. */
export function RolePage() {
  const { roleId = "" } = useParams();
  const role = useRole(roleId);
  const [notice, setNotice] = useState("");
  const [renaming, setRenaming] = useState(false);
  const [deleting, setDeleting] = useState(false);

  if (isNotFound(role.error)) return <NotFoundPage />;
  return (
    <section className="admin-page">
      <p>
        <Link to="/admin/roles">← All roles</Link>
      </p>
      <h1>{role.data?.name ?? "Role"}</h1>
      {role.isPending && <Spinner />}
      {role.isError && (
        <ErrorState title="Could not load the role" error={role.error} onRetry={() => void role.refetch()} />
      )}
      {role.data && (
        <>
          {role.data.description && <p className="data-muted">{role.data.description}</p>}
          <div className="admin-actions">
            <Button onClick={() => setRenaming(true)}>Rename</Button>
            <Button variant="danger" onClick={() => setDeleting(true)}>
              Delete role
            </Button>
          </div>
          {notice && <p role="status">{notice}</p>}
          <RoleMembers role={role.data} onNotice={setNotice} />
          <div className="data-grid-2">
            <Card title="Forms">
              <OpenedList
                items={role.data.forms}
                to={(id) => `/forms/${encodeURIComponent(id)}/edit`}
                none="No form is open to this role."
              />
            </Card>
            <Card title="Workflows">
              <OpenedList
                items={role.data.workflows}
                to={(id) => `/workflows/${encodeURIComponent(id)}`}
                none="No workflow is open to this role."
              />
            </Card>
          </div>
          {renaming && (
            <RenameDialog
              role={role.data}
              onClose={() => setRenaming(false)}
              onRenamed={(renamed) => {
                setRenaming(false);
                setNotice(`The role is now called ${renamed.name}.`);
              }}
            />
          )}
          <DeleteRoleDialog role={role.data} open={deleting} onClose={() => setDeleting(false)} />
        </>
      )}
    </section>
  );
}

/** The forms or workflows the role opens, each a link to its page. */
function OpenedList({
  items,
  to,
  none,
}: {
  items: { id: string; name: string }[];
  to: (id: string) => string;
  none: string;
}) {
  if (items.length === 0) return <p className="data-muted">{none}</p>;
  return (
    <ul>
      {items.map((item) => (
        <li key={item.id}>
          <Link to={to(item.id)}>{item.name}</Link>
        </li>
      ))}
    </ul>
  );
}

function RenameDialog({
  role,
  onClose,
  onRenamed,
}: {
  role: RoleDetail;
  onClose: () => void;
  onRenamed: (role: Role) => void;
}) {
  const [name, setName] = useState(role.name);
  const [description, setDescription] = useState(role.description ?? "");
  const rename = useInvalidatingMutation(ROLES_KEY, (body: { name: string; description: string | null }) =>
    apiFetch<Role>(rolePath(role.id), { method: "PATCH", body }),
  );
  return (
    <Dialog open onOpenChange={(open) => !open && onClose()} title={`Rename ${role.name}`}>
      <EditForm
        save={rename}
        submitLabel="Rename"
        onCancel={onClose}
        onSubmit={() =>
          rename.mutate(
            { name: name.trim(), description: description.trim() || null },
            { onSuccess: onRenamed },
          )
        }
      >
        <Field label="Name">
          {(ids) => <Input {...ids} value={name} onChange={(e) => setName(e.target.value)} required />}
        </Field>
        <Field label="Description" hint="Optional">
          {(ids) => <Input {...ids} value={description} onChange={(e) => setDescription(e.target.value)} />}
        </Field>
      </EditForm>
    </Dialog>
  );
}

/**
 * Deleting takes the role from its users, forms and workflows (the API does it in one go); the page
 * leaves before the lists are refreshed, so the gone role is never fetched again (a 404 flash).
 */
function DeleteRoleDialog({ role, open, onClose }: { role: RoleDetail; open: boolean; onClose: () => void }) {
  const client = useQueryClient();
  const navigate = useNavigate();
  const remove = useMutation({
    mutationFn: () => apiFetch<void>(rolePath(role.id), { method: "DELETE" }),
    onSuccess: async () => {
      await navigate("/admin/roles");
      client.removeQueries({ queryKey: roleKey(role.id) });
      await client.invalidateQueries({ queryKey: ROLES_KEY });
    },
  });
  const count = (n: number, one: string) => (n === 0 ? "" : `${n} ${one}${n === 1 ? "" : "s"}`);
  const uses = [count(role.forms.length, "form"), count(role.workflows.length, "workflow")].filter(Boolean);
  return (
    <ConfirmDialog
      open={open}
      title={`Delete ${role.name}?`}
      description={
        "The role is taken from all its users and removed from all the forms and workflows that use it" +
        `${uses.length ? ` (${uses.join(", ")})` : ""}. This cannot be undone.`
      }
      confirmLabel="Delete role"
      busy={remove.isPending}
      error={remove.error}
      onConfirm={() => remove.mutate()}
      onCancel={() => {
        remove.reset();
        onClose();
      }}
    />
  );
}
