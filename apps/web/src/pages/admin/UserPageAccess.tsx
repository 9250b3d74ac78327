import type { AdminUser } from "@bifrost/contracts";
import { useState } from "react";
import { Button, Card, ConfirmDialog } from "../../components/ui/index.js";
import { RowButton } from "./collection.js";
import type { UserAccountWrites } from "./user-actions.js";

/**
 * How the user signs in and whether they may: active or not (never deactivate oneself: the API
 * refuses it too), MFA enrolled (an admin can reset it), password, invitation and reset link.
 */
export function UserPageAccess({
  user: u,
  writes,
  self,
}: {
  user: AdminUser;
  writes: UserAccountWrites;
  self: boolean;
}) {
  const [confirming, setConfirming] = useState(false);
  const until = (iso: string) => new Date(iso).toLocaleString();
  return (
    <Card title="Access">
      <dl className="admin-facts">
        <dt>Status</dt>
        <dd>{u.isActive ? "Active" : "Deactivated: they cannot sign in"}</dd>
        <dt>Multi-factor authentication</dt>
        <dd>{u.mfaEnabled ? "Enrolled" : "Not enrolled"}</dd>
        <dt>Password</dt>
        <dd>{u.hasPassword ? "Set" : "Not set"}</dd>
        <dt>Can sign in</dt>
        <dd>
          {u.signsIn
            ? "Yes (a password, a passkey or single sign-on)"
            : "Not yet: no password, passkey or single sign-on"}
        </dd>
        <dt>Invitation</dt>
        <dd>{u.invitation ? `Pending, valid until ${until(u.invitation.expiresAt)}` : "None pending"}</dd>
      </dl>
      <div className="admin-actions">
        {u.mfaEnabled && (
          <RowButton write={writes.resetMfa} row={u}>
            Reset MFA
          </RowButton>
        )}
        {u.isActive && !u.signsIn && (
          <RowButton write={writes.invite} row={u}>
            {u.invitation ? "Resend invitation" : "Send invitation"}
          </RowButton>
        )}
        {u.invitation && (
          <RowButton write={writes.revokeInvite} row={u}>
            Revoke invitation
          </RowButton>
        )}
        {u.isActive && u.signsIn && (
          <RowButton write={writes.sendReset} row={u}>
            Send password reset link
          </RowButton>
        )}
        {!u.isActive && (
          <RowButton write={writes.activate} row={u}>
            Activate
          </RowButton>
        )}
        {u.isActive && !self && (
          <Button variant="danger" onClick={() => setConfirming(true)}>
            Deactivate
          </Button>
        )}
      </div>
      {u.isActive && self && (
        <p className="data-muted">This is your own account: another platform admin can deactivate it.</p>
      )}
      <ConfirmDialog
        open={confirming}
        title={`Deactivate ${u.email}?`}
        description="They are signed out at once and their running workflows are cancelled. You can activate them again later."
        confirmLabel="Deactivate"
        busy={writes.deactivate.isPending}
        error={writes.deactivate.error}
        onConfirm={() => writes.deactivate.mutate(u, { onSuccess: () => setConfirming(false) })}
        onCancel={() => {
          setConfirming(false);
          writes.deactivate.reset();
        }}
      />
    </Card>
  );
}
