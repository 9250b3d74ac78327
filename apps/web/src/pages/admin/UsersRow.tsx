import type { AdminUser } from "@bifrost/contracts";
import { Badge } from "../../components/ui/index.js";
import { RowButton } from "./collection.js";
import type { UserAccountWrites } from "./user-actions.js";

/** What a user is at a glance: platform admin, active or not, MFA, invited or not signed up yet. */
export function UserStatusBadges({ user: u }: { user: AdminUser }) {
  return (
    <>
      {u.isSuperuser && <Badge tone="info">admin</Badge>}{" "}
      {u.isActive ? <Badge tone="success">active</Badge> : <Badge>inactive</Badge>}{" "}
      {u.mfaEnabled && <Badge tone="neutral">MFA</Badge>}{" "}
      {u.invitation ? (
        <Badge tone="warning">invited until {new Date(u.invitation.expiresAt).toLocaleDateString()}</Badge>
      ) : (
        !u.signsIn && <Badge tone="neutral">not signed up</Badge>
      )}
    </>
  );
}

/**
 * The Users list's buttons on one row. `self`: the signed-in admin's own row, which is never offered
 * Deactivate (the API refuses it too: it would end one's own access).
 */
export function UserRowActions({
  user: u,
  writes,
  self,
}: {
  user: AdminUser;
  writes: UserAccountWrites;
  self: boolean;
}) {
  return (
    <>
      {u.mfaEnabled && (
        <RowButton write={writes.resetMfa} row={u} aria-label={`Reset MFA of ${u.email}`}>
          Reset MFA
        </RowButton>
      )}{" "}
      {u.isActive && !u.signsIn && (
        <RowButton
          write={writes.invite}
          row={u}
          aria-label={`${u.invitation ? "Resend invitation to" : "Invite"} ${u.email}`}
        >
          {u.invitation ? "Resend invitation" : "Invite"}
        </RowButton>
      )}{" "}
      {u.invitation && (
        <RowButton write={writes.revokeInvite} row={u} aria-label={`Revoke invitation of ${u.email}`}>
          Revoke invitation
        </RowButton>
      )}{" "}
      {u.isActive && u.signsIn && (
        <RowButton write={writes.sendReset} row={u} aria-label={`Send reset link to ${u.email}`}>
          Send reset link
        </RowButton>
      )}{" "}
      {u.isActive && !self && (
        <RowButton write={writes.deactivate} row={u} variant="danger" aria-label={`Deactivate ${u.email}`}>
          Deactivate
        </RowButton>
      )}
      {!u.isActive && (
        <RowButton write={writes.activate} row={u} aria-label={`Activate ${u.email}`}>
          Activate
        </RowButton>
      )}
    </>
  );
}
