import type { RoleDetail } from "@bifrost/contracts";
import { useState } from "react";
import { apiFetch } from "../../api/client.js";
import { useInvalidatingMutation, useOrganizationName } from "../../api/queries.js";
import { ActionError, Button, Card, Dialog, QueryView } from "../../components/ui/index.js";
import { AdminTable, RowButton } from "./collection.js";
import { ADMIN_KEY, useUsers } from "./queries.js";
import { rolePath, useRoleMembers, type RoleMember } from "./role-queries.js";

const plural = (count: number, one: string) => `${count} ${one}${count === 1 ? "" : "s"}`;

/** The users who hold the role: removed one by one, added from the users who do not hold it yet. */
export function RoleMembers({ role, onNotice }: { role: RoleDetail; onNotice: (notice: string) => void }) {
  const members = useRoleMembers(role.id);
  const orgName = useOrganizationName();
  const [adding, setAdding] = useState(false);
  const remove = useInvalidatingMutation(ADMIN_KEY, (member: RoleMember) =>
    apiFetch<void>(`${rolePath(role.id)}/users/${encodeURIComponent(member.id)}`, { method: "DELETE" }),
  );

  return (
    <Card
      title="Members"
      actions={
        <Button onClick={() => setAdding(true)} disabled={!members.data}>
          Add members
        </Button>
      }
    >
      <ActionError error={remove.error} />
      <AdminTable
        query={members}
        what="the members"
        caption={`Members of ${role.name}`}
        empty="No one holds this role yet."
        columns={[
          { header: "Name", cell: (m) => m.name },
          { header: "Email", cell: (m) => m.email },
          { header: "Organization", cell: (m) => orgName(m.organizationId) },
          {
            header: "Actions",
            cell: (m) => (
              <RowButton
                write={remove}
                row={m}
                variant="danger"
                onDone={() => onNotice(`${m.email} no longer holds ${role.name}.`)}
                aria-label={`Remove ${m.email} from ${role.name}`}
              >
                Remove
              </RowButton>
            ),
          },
        ]}
      />
      {adding && members.data && (
        <AddMembersDialog
          role={role}
          members={members.data.items}
          onClose={() => setAdding(false)}
          onAdded={(count) => {
            setAdding(false);
            onNotice(`${plural(count, "member")} added to ${role.name}.`);
          }}
        />
      )}
    </Card>
  );
}

/** A checklist of the users who do not hold the role yet (of every user, when `members` is not known). */
export function AddMembersDialog({
  role,
  members = [],
  onClose,
  onAdded,
}: {
  role: Pick<RoleDetail, "id" | "name">;
  members?: readonly Pick<RoleMember, "id">[];
  onClose: () => void;
  onAdded: (count: number) => void;
}) {
  const users = useUsers("");
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const add = useInvalidatingMutation(ADMIN_KEY, (userIds: string[]) =>
    apiFetch<void>(`${rolePath(role.id)}/users`, { method: "POST", body: { userIds } }),
  );
  const memberIds = new Set(members.map((m) => m.id));
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
      title={`Add members to ${role.name}`}
      description="The users who do not hold the role yet."
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button
            variant="primary"
            busy={add.isPending}
            disabled={chosen.size === 0}
            onClick={() => add.mutate([...chosen], { onSuccess: () => onAdded(chosen.size) })}
          >
            Add
          </Button>
        </>
      }
    >
      <QueryView
        query={users}
        what="the users"
        isEmpty={(items) => items.every((u) => memberIds.has(u.id))}
        empty="Every user already holds this role."
      >
        {(items) => (
          <ul className="admin-checklist">
            {items
              .filter((u) => !memberIds.has(u.id))
              .map((u) => (
                <li key={u.id}>
                  <label>
                    <input type="checkbox" checked={chosen.has(u.id)} onChange={() => toggle(u.id)} />{" "}
                    {u.name} ({u.email}){u.isActive ? "" : " — inactive"}
                  </label>
                </li>
              ))}
          </ul>
        )}
      </QueryView>
      <ActionError error={add.error} />
    </Dialog>
  );
}
