import type { AdminUser, BulkUserAction } from "@bifrost/contracts";
import { useId, useState, type FormEvent } from "react";
import { ApiError, apiFetch } from "../../api/client.js";
import { fieldErrorsFromApi } from "../../api/field-errors.js";
import { RoleChecklist } from "./RoleChecklist.js";
import { useAllRoles, useInvalidatingMutation, useOrganizationName } from "../../api/queries.js";
import { OrganizationSelect } from "../../components/OrganizationSelect.js";
import { Button, Card, type Column } from "../../components/ui/index.js";
import { useAuth } from "../../shell/auth.js";
import { ADMIN_KEY } from "./queries.js";
import "./admin.css";
import "./data.css";

type Action = BulkUserAction["action"];
export type Selection = ReadonlySet<string>;

const users = (count: number) => `${count} user${count === 1 ? "" : "s"}`;

function toggled(selection: Selection, id: string, on: boolean): Selection {
  const next = new Set(selection);
  if (on) next.add(id);
  else next.delete(id);
  return next;
}

/** The Users table's first column: a checkbox per user, named after their e-mail address. */
export function selectColumn(selection: Selection, onChange: (next: Selection) => void): Column<AdminUser> {
  return {
    header: "Select",
    cell: (u) => (
      <input
        type="checkbox"
        aria-label={`Select ${u.email}`}
        checked={selection.has(u.id)}
        onChange={(e) => onChange(toggled(selection, u.id, e.target.checked))}
      />
    ),
  };
}

/**
 * "Select all" over the users shown, and once some are chosen the actions on all of them at once
 * (`POST /api/users/bulk`, one transaction: all of them or none). `shown` are the rows of the list:
 * users selected then filtered out of it are left alone.
 */
export function UserBulkActions({
  shown,
  selection,
  onSelectionChange,
  onDone,
}: {
  shown: readonly AdminUser[];
  selection: Selection;
  onSelectionChange: (next: Selection) => void;
  onDone: (notice: string) => void;
}) {
  const chosen = shown.filter((u) => selection.has(u.id));
  const all = shown.length > 0 && chosen.length === shown.length;
  if (shown.length === 0) return null;
  return (
    <>
      <label>
        <input
          type="checkbox"
          checked={all}
          ref={(box) => {
            if (box) box.indeterminate = chosen.length > 0 && !all;
          }}
          onChange={() => onSelectionChange(all ? new Set() : new Set(shown.map((u) => u.id)))}
        />{" "}
        Select all users shown
      </label>
      {chosen.length > 0 && (
        <BulkToolbar chosen={chosen} onClear={() => onSelectionChange(new Set())} onDone={onDone} />
      )}
    </>
  );
}

function BulkToolbar({
  chosen,
  onClear,
  onDone,
}: {
  chosen: AdminUser[];
  onClear: () => void;
  onDone: (notice: string) => void;
}) {
  const me = useAuth().user;
  const roles = useAllRoles();
  const orgName = useOrganizationName();
  const [organizationId, setOrganizationId] = useState("");
  const [roleIds, setRoleIds] = useState<string[]>([]);
  const apply = useInvalidatingMutation(ADMIN_KEY, (action: Action) =>
    apiFetch<{ updated: number }>("/api/users/bulk", {
      method: "POST",
      body: { userIds: chosen.map((u) => u.id), action },
    }),
  );
  const roleNames = (roles.data ?? []).filter((r) => roleIds.includes(r.id)).map((r) => r.name);
  const done = (action: Action, count: number): string => {
    switch (action.type) {
      case "move":
        return `${users(count)} moved to ${orgName(action.organizationId)}.`;
      case "replaceRoles":
        return roleNames.length > 0
          ? `${users(count)} now hold ${roleNames.join(", ")}.`
          : `${users(count)} no longer hold any role.`;
      case "activate":
        return `${users(count)} activated.`;
      case "deactivate":
        return `${users(count)} deactivated.`;
    }
  };
  const run = (action: Action) =>
    apply.mutate(action, { onSuccess: ({ updated }) => onDone(done(action, updated)) });
  const submit = (action: Action) => (event: FormEvent) => {
    event.preventDefault();
    run(action);
  };
  // One's own account is not offered for deactivation: it would sign oneself out.
  const includesMe = chosen.some((u) => u.id === me?.id);
  const meHint = useId();

  return (
    <Card
      title={`${users(chosen.length)} selected`}
      actions={<Button onClick={onClear}>Clear selection</Button>}
    >
      <div className="data-grid-2">
        <form className="admin-form" onSubmit={submit({ type: "move", organizationId })}>
          <OrganizationSelect
            label="Move to organization"
            value={organizationId}
            onChange={setOrganizationId}
            globalLabel="Choose…"
            required
          />
          <Button type="submit" busy={apply.isPending && apply.variables.type === "move"}>
            Move
          </Button>
        </form>
        <form className="admin-form" onSubmit={submit({ type: "replaceRoles", roleIds })}>
          <RoleChecklist
            legend="Replace their roles with"
            roles={roles.data ?? []}
            value={roleIds}
            onChange={setRoleIds}
          >
            {roleIds.length === 0 && <p className="ui-field__hint">None chosen: every role is taken away.</p>}
          </RoleChecklist>
          <Button type="submit" busy={apply.isPending && apply.variables.type === "replaceRoles"}>
            Replace roles
          </Button>
        </form>
      </div>
      <div className="admin-actions">
        <Button
          busy={apply.isPending && apply.variables.type === "activate"}
          onClick={() => run({ type: "activate" })}
        >
          Activate
        </Button>
        <Button
          variant="danger"
          disabled={includesMe}
          aria-describedby={includesMe ? meHint : undefined}
          busy={apply.isPending && apply.variables.type === "deactivate"}
          onClick={() => run({ type: "deactivate" })}
        >
          Deactivate
        </Button>
      </div>
      {includesMe && (
        <p className="ui-field__hint" id={meHint}>
          Your own account is selected: unselect it to deactivate the others.
        </p>
      )}
      <BulkError error={apply.error} />
    </Card>
  );
}

/** The API's refusal, with what it says about each field (e.g. which user cannot be moved). */
function BulkError({ error }: { error: unknown }) {
  if (!error) return null;
  const lines = error instanceof ApiError ? fieldErrorsFromApi(error.details, "").other : [];
  return (
    <div className="ui-field__error" role="alert">
      <p>{error instanceof Error ? error.message : "Something went wrong."}</p>
      {lines.length > 0 && (
        <ul>
          {lines.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
