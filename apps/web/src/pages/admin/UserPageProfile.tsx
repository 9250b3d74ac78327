import type { AdminUser } from "@bifrost/contracts";
import { useState, type FormEvent } from "react";
import { apiFetch } from "../../api/client.js";
import { useInvalidatingMutation, useOrganizationName } from "../../api/queries.js";
import { OrganizationSelect } from "../../components/OrganizationSelect.js";
import { ActionError, Button, Card, Field, Input } from "../../components/ui/index.js";
import { ADMIN_KEY } from "./queries.js";
import { userPath } from "./user-queries.js";

type Change = { name: string } | { organizationId: string };

/** The user's name, and the organization they belong to (a move: their runs there stop). */
export function UserPageProfile({ user, onNotice }: { user: AdminUser; onNotice: (notice: string) => void }) {
  const orgName = useOrganizationName();
  const [name, setName] = useState(user.name);
  const [organizationId, setOrganizationId] = useState(user.organizationId);
  const save = useInvalidatingMutation(ADMIN_KEY, (change: Change) =>
    apiFetch<AdminUser>(userPath(user.id), { method: "PATCH", body: change }),
  );
  const submit = (change: Change, notice: string) => (event: FormEvent) => {
    event.preventDefault();
    save.mutate(change, { onSuccess: () => onNotice(notice) });
  };
  const busy = (field: string) => save.isPending && field in save.variables;
  const trimmed = name.trim();

  return (
    <Card title="Profile" className="admin-stack">
      <form className="admin-form" onSubmit={submit({ name: trimmed }, `The user is now called ${trimmed}.`)}>
        <Field label="Name">
          {(ids) => (
            <Input {...ids} value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />
          )}
        </Field>
        <Button type="submit" busy={busy("name")} disabled={trimmed === user.name}>
          Save name
        </Button>
      </form>
      <form
        className="admin-form"
        onSubmit={submit({ organizationId }, `${user.email} moved to ${orgName(organizationId)}.`)}
      >
        <OrganizationSelect
          label="Organization"
          value={organizationId}
          onChange={setOrganizationId}
          globalLabel="Choose…"
          required
          hint={
            user.isSuperuser
              ? "A platform admin belongs to the provider organization."
              : "Moving the user stops their runs in their current organization."
          }
        />
        <Button type="submit" busy={busy("organizationId")} disabled={organizationId === user.organizationId}>
          Move
        </Button>
      </form>
      <ActionError error={save.error} />
    </Card>
  );
}
