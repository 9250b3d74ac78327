import type { MailMessage } from "@bifrost/contracts";
import "./admin.css";
import { Badge, type BadgeTone } from "../../components/ui/index.js";
import { AdminTable } from "./collection.js";
import { useMailLog } from "./queries.js";

const TEMPLATES: Record<MailMessage["template"], string> = {
  invitation: "Invitation",
  password_reset: "Password reset",
};
const TONES: Record<MailMessage["status"], BadgeTone> = {
  queued: "warning",
  sent: "success",
  failed: "danger",
};

const time = (iso: string | null): string => (iso ? new Date(iso).toLocaleString() : "—");

/** The mail log: what the platform sent or is trying to send (never a message's content or link). */
export function MailPage() {
  const mail = useMailLog();
  return (
    <section className="admin-page">
      <h1>Mail</h1>
      <p>
        Invitations and password resets go out through the mail server of <code>BIFROST_SMTP_URL</code>; a
        message that fails is tried again for about four hours.
      </p>
      <AdminTable
        query={mail}
        what="the mail log"
        caption="Mail log"
        empty="No mail has been sent yet."
        columns={[
          { header: "When", cell: (m) => time(m.createdAt) },
          { header: "To", cell: (m) => m.to },
          { header: "Message", cell: (m) => TEMPLATES[m.template] },
          {
            header: "Status",
            cell: (m) => (
              <Badge tone={TONES[m.status]} data-status={m.status}>
                {m.status}
              </Badge>
            ),
          },
          { header: "Attempts", cell: (m) => m.attempts },
          {
            header: "Details",
            cell: (m) =>
              m.status === "sent"
                ? `sent ${time(m.sentAt)}`
                : [m.lastError, m.nextAttemptAt ? `next attempt ${time(m.nextAttemptAt)}` : null]
                    .filter(Boolean)
                    .join("; ") || "—",
          },
        ]}
      />
    </section>
  );
}
