import type { AccountLinkAnswer, AdminUser } from "@bifrost/contracts";
import { useState } from "react";
import { apiFetch } from "../../api/client.js";
import { useInvalidatingMutation } from "../../api/queries.js";
import { ADMIN_KEY } from "./queries.js";
import { userPath } from "./user-queries.js";

/** A link the API answered because no mail server is configured, for `UsersLinkOnce`. */
export type ShownLink = { email: string; answer: AccountLinkAnswer };

/**
 * The writes on a user's account that the Users list and the user page share: activate, deactivate,
 * reset MFA, invite (or resend), revoke the invitation, send a reset link. Each refreshes what lives
 * under the admin key; `notice` says what happened, `link` holds a link to hand over by hand.
 */
export function useUserAccountWrites() {
  const [notice, setNotice] = useState("");
  const [link, setLink] = useState<ShownLink | null>(null);
  /** After an invitation or a reset link: the mail is on its way, or the link is shown once. */
  const linkSent = (u: AdminUser, what: string) => (answer: AccountLinkAnswer) => {
    if (answer.link) setLink({ email: u.email, answer });
    else setNotice(`${what} sent to ${u.email}.`);
    return answer;
  };
  const setActive = (u: AdminUser, isActive: boolean) =>
    apiFetch<AdminUser>(userPath(u.id), { method: "PATCH", body: { isActive } }).then(() =>
      setNotice(`${u.email} is ${isActive ? "active again" : "deactivated"}.`),
    );

  const activate = useInvalidatingMutation(ADMIN_KEY, (u: AdminUser) => setActive(u, true));
  const deactivate = useInvalidatingMutation(ADMIN_KEY, (u: AdminUser) => setActive(u, false));
  const resetMfa = useInvalidatingMutation(ADMIN_KEY, (u: AdminUser) =>
    apiFetch<void>(`${userPath(u.id)}/mfa`, { method: "DELETE" }).then(() =>
      setNotice(`MFA reset for ${u.email}.`),
    ),
  );
  const invite = useInvalidatingMutation(ADMIN_KEY, (u: AdminUser) =>
    apiFetch<AccountLinkAnswer>(`${userPath(u.id)}/invite`, { method: "POST" }).then(
      linkSent(u, "An invitation"),
    ),
  );
  const revokeInvite = useInvalidatingMutation(ADMIN_KEY, (u: AdminUser) =>
    apiFetch<void>(`${userPath(u.id)}/invite`, { method: "DELETE" }).then(() =>
      setNotice(`The invitation of ${u.email} is revoked.`),
    ),
  );
  const sendReset = useInvalidatingMutation(ADMIN_KEY, (u: AdminUser) =>
    apiFetch<AccountLinkAnswer>(`${userPath(u.id)}/password-reset`, { method: "POST" }).then(
      linkSent(u, "A password reset link"),
    ),
  );
  const writes = [activate, deactivate, resetMfa, invite, revokeInvite, sendReset];
  return {
    activate,
    deactivate,
    resetMfa,
    invite,
    revokeInvite,
    sendReset,
    /** The failure of the last write that failed, with the API's message. */
    error: writes.find((w) => w.error)?.error ?? null,
    notice,
    setNotice,
    link,
    closeLink: () => setLink(null),
  };
}

export type UserAccountWrites = ReturnType<typeof useUserAccountWrites>;
