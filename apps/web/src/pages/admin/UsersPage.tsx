import type { AccountLinkAnswer, AdminUser, CreateUser } from "@bifrost/contracts";
import "./admin.css";
import { RoleChecklist } from "./RoleChecklist.js";
import { useState } from "react";
import { apiFetch } from "../../api/client.js";
import {
  useAllOrganizations,
  useAllRoles,
  useInvalidatingMutation,
  useOrganizationName,
} from "../../api/queries.js";
import { OrganizationSelect } from "../../components/OrganizationSelect.js";
import { ActionError, Badge, Button, Dialog, Field, Input } from "../../components/ui/index.js";
import { AdminTable, CreateCard, RowButton } from "./collection.js";
import { ADMIN_KEY, useUsers } from "./queries.js";
import { selectColumn, UserBulkActions, type Selection } from "./UserBulkActions.js";

/**
 * A link the API answered because no mail server is configured: shown once, to copy and hand over.
 * It is not stored anywhere; closing the dialog loses it (send a new one if needed).
 */
function LinkOnce({
  shown,
  onClose,
}: {
  shown: { email: string; answer: AccountLinkAnswer } | null;
  onClose: () => void;
}) {
  const [copied, setCopied] = useState(false);
  const link = shown?.answer.link ?? "";
  return (
    <Dialog
      open={shown !== null}
      onOpenChange={(open) => {
        if (!open) {
          setCopied(false);
          onClose();
        }
      }}
      title={`Link for ${shown?.email ?? ""}`}
      description="No mail server is configured (BIFROST_SMTP_URL), so here is the link to hand over. It is shown only once and works once."
      footer={
        <>
          <Button
            onClick={() =>
              void navigator.clipboard
                .writeText(link)
                .then(() => setCopied(true))
                .catch(() => setCopied(false))
            }
          >
            {copied ? "Copied" : "Copy link"}
          </Button>
          <Button variant="primary" onClick={onClose}>
            Done
          </Button>
        </>
      }
    >
      <Field
        label="Link"
        hint={shown ? `Valid until ${new Date(shown.answer.expiresAt).toLocaleString()}` : undefined}
      >
        {(ids) => <Input {...ids} readOnly value={link} onFocus={(e) => e.target.select()} />}
      </Field>
    </Dialog>
  );
}

export function UsersPage() {
  const organizations = useAllOrganizations();
  const roles = useAllRoles();
  const [roleIds, setRoleIds] = useState<string[]>([]);
  const orgName = useOrganizationName();
  const [filter, setFilter] = useState("");
  const users = useUsers(filter);
  const [selection, setSelection] = useState<Selection>(new Set());
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [organizationId, setOrganizationId] = useState("");
  const [notice, setNotice] = useState("");
  const [linkShown, setLinkShown] = useState<{ email: string; answer: AccountLinkAnswer } | null>(null);
  const orgs = organizations.data ?? [];

  /** Creates the user, then gives them the chosen roles (the invitation follows when there is no password). */
  const create = useInvalidatingMutation(ADMIN_KEY, async (body: CreateUser) => {
    const user = await apiFetch<AdminUser>("/api/users", { method: "POST", body });
    for (const roleId of roleIds) {
      await apiFetch<unknown>(`/api/roles/${encodeURIComponent(roleId)}/users`, {
        method: "POST",
        body: { userIds: [user.id] },
      });
    }
    return user;
  });
  const deactivate = useInvalidatingMutation(ADMIN_KEY, (u: AdminUser) =>
    apiFetch<AdminUser>(`/api/users/${encodeURIComponent(u.id)}`, {
      method: "PATCH",
      body: { isActive: false },
    }),
  );
  const resetMfa = useInvalidatingMutation(ADMIN_KEY, (u: AdminUser) =>
    apiFetch<void>(`/api/users/${encodeURIComponent(u.id)}/mfa`, { method: "DELETE" }),
  );
  /** After an invitation or reset link: the mail is on its way, or the link is shown once. */
  const linkSent = (u: AdminUser, what: string) => (answer: AccountLinkAnswer) => {
    if (answer.link) setLinkShown({ email: u.email, answer });
    else setNotice(`${what} sent to ${u.email}.`);
  };
  const invite = useInvalidatingMutation(ADMIN_KEY, (u: AdminUser) =>
    apiFetch<AccountLinkAnswer>(`/api/users/${encodeURIComponent(u.id)}/invite`, { method: "POST" }).then(
      (answer) => {
        linkSent(u, "An invitation")(answer);
        return answer;
      },
    ),
  );
  const revokeInvite = useInvalidatingMutation(ADMIN_KEY, (u: AdminUser) =>
    apiFetch<void>(`/api/users/${encodeURIComponent(u.id)}/invite`, { method: "DELETE" }),
  );
  const sendReset = useInvalidatingMutation(ADMIN_KEY, (u: AdminUser) =>
    apiFetch<AccountLinkAnswer>(`/api/users/${encodeURIComponent(u.id)}/password-reset`, {
      method: "POST",
    }).then((answer) => {
      linkSent(u, "A password reset link")(answer);
      return answer;
    }),
  );

  const submit = () => {
    const chosen = organizationId || orgs[0]?.id || "";
    create.mutate(
      { email: email.trim(), name: name.trim(), organizationId: chosen, ...(password ? { password } : {}) },
      {
        onSuccess: (user) => {
          setEmail("");
          setName("");
          setPassword("");
          setRoleIds([]);
          setNotice(`Created ${user.email}.`);
          // Without a password, the new user is invited at once.
          if (!user.signsIn) invite.mutate(user);
        },
      },
    );
  };
  const actionError =
    deactivate.error ?? resetMfa.error ?? invite.error ?? revokeInvite.error ?? sendReset.error;

  return (
    <section className="admin-page">
      <h1>Users</h1>
      <CreateCard title="New user" submitLabel="Create user" create={create} onSubmit={submit}>
        <Field label="Email">
          {(ids) => (
            <Input {...ids} type="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
          )}
        </Field>
        <Field label="Name">
          {(ids) => <Input {...ids} value={name} onChange={(e) => setName(e.target.value)} required />}
        </Field>
        <Field
          label="Password"
          hint="Optional: leave it empty and the user is invited by e-mail to choose one"
        >
          {(ids) => (
            <Input
              {...ids}
              type="password"
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
        <OrganizationSelect
          value={organizationId}
          onChange={setOrganizationId}
          globalLabel="Choose…"
          required
        />
        {(roles.data?.length ?? 0) > 0 && (
          <RoleChecklist legend="Roles" roles={roles.data ?? []} value={roleIds} onChange={setRoleIds} />
        )}
      </CreateCard>
      <div className="admin-filters" role="search">
        <OrganizationSelect
          label="Filter by organization"
          value={filter}
          onChange={setFilter}
          globalLabel="All organizations"
        />
      </div>
      {notice && <p role="status">{notice}</p>}
      <LinkOnce shown={linkShown} onClose={() => setLinkShown(null)} />
      <ActionError error={actionError} />
      <UserBulkActions
        shown={users.data ?? []}
        selection={selection}
        onSelectionChange={setSelection}
        onDone={setNotice}
      />
      <AdminTable
        query={users}
        what="the users"
        caption="Users"
        empty={filter ? "No users in this organization." : "No users yet."}
        columns={[
          selectColumn(selection, setSelection),
          { header: "Email", cell: (u) => u.email },
          { header: "Name", cell: (u) => u.name },
          { header: "Organization", cell: (u) => orgName(u.organizationId) },
          {
            header: "Status",
            cell: (u) => (
              <>
                {u.isSuperuser && <Badge tone="info">admin</Badge>}{" "}
                {u.isActive ? <Badge tone="success">active</Badge> : <Badge>inactive</Badge>}{" "}
                {u.mfaEnabled && <Badge tone="neutral">MFA</Badge>}{" "}
                {u.invitation ? (
                  <Badge tone="warning">
                    invited until {new Date(u.invitation.expiresAt).toLocaleDateString()}
                  </Badge>
                ) : (
                  !u.signsIn && <Badge tone="neutral">not signed up</Badge>
                )}
              </>
            ),
          },
          {
            header: "Actions",
            cell: (u) => (
              <>
                {u.mfaEnabled && (
                  <RowButton
                    write={resetMfa}
                    row={u}
                    onDone={() => setNotice(`MFA reset for ${u.email}.`)}
                    aria-label={`Reset MFA of ${u.email}`}
                  >
                    Reset MFA
                  </RowButton>
                )}{" "}
                {u.isActive && !u.signsIn && (
                  <RowButton
                    write={invite}
                    row={u}
                    aria-label={`${u.invitation ? "Resend invitation to" : "Invite"} ${u.email}`}
                  >
                    {u.invitation ? "Resend invitation" : "Invite"}
                  </RowButton>
                )}{" "}
                {u.invitation && (
                  <RowButton
                    write={revokeInvite}
                    row={u}
                    onDone={() => setNotice(`The invitation of ${u.email} is revoked.`)}
                    aria-label={`Revoke invitation of ${u.email}`}
                  >
                    Revoke invitation
                  </RowButton>
                )}{" "}
                {u.isActive && u.signsIn && (
                  <RowButton write={sendReset} row={u} aria-label={`Send reset link to ${u.email}`}>
                    Send reset link
                  </RowButton>
                )}{" "}
                {u.isActive && (
                  <RowButton write={deactivate} row={u} variant="danger" aria-label={`Deactivate ${u.email}`}>
                    Deactivate
                  </RowButton>
                )}
              </>
            ),
          },
        ]}
      />
    </section>
  );
}
