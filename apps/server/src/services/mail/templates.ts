import { escapeHtml } from "../../infra/html.js";
import type { MailToSend } from "../../infra/mail/smtp-mailer.js";

/** The platform's name in every message. */
const PLATFORM = "Bifrost";

export type MailVariables =
  | {
      template: "invitation";
      name: string;
      organizationName: string;
      invitedBy: string;
      link: string;
      expiresAt: string;
    }
  | { template: "password_reset"; name: string; link: string; expiresAt: string };

const when = (iso: string): string => new Date(iso).toUTCString();

/** A message as text and as HTML: the same paragraphs, the link as a button in the HTML one. */
function compose(
  to: string,
  subject: string,
  paragraphs: string[],
  action: { label: string; link: string },
  after: string,
): MailToSend {
  const text = [...paragraphs, `${action.label}: ${action.link}`, after, `— ${PLATFORM}`].join("\n\n");
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1f2328">
${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join("\n")}
<p><a href="${escapeHtml(action.link)}" style="display:inline-block;padding:10px 16px;background:#2563eb;color:#fff;border-radius:6px;text-decoration:none">${escapeHtml(action.label)}</a></p>
<p style="color:#57606a;font-size:14px">${escapeHtml(after)}<br>${escapeHtml(action.link)}</p>
<p style="color:#57606a;font-size:14px">— ${PLATFORM}</p>
</body></html>`;
  return { to, subject, text, html };
}

/** The message of a template, for `to`. */
export function render(to: string, variables: MailVariables): MailToSend {
  if (variables.template === "invitation") {
    return compose(
      to,
      `${variables.invitedBy} invited you to ${variables.organizationName} on ${PLATFORM}`,
      [
        `Hello ${variables.name},`,
        `${variables.invitedBy} invited you to join ${variables.organizationName} on ${PLATFORM}. Choose a password to sign in.`,
      ],
      { label: "Accept the invitation", link: variables.link },
      `The link works once, until ${when(variables.expiresAt)}. If you did not expect this invitation, ignore this message.`,
    );
  }
  return compose(
    to,
    `Reset your ${PLATFORM} password`,
    [`Hello ${variables.name},`, `Someone asked to reset the password of your ${PLATFORM} account.`],
    { label: "Choose a new password", link: variables.link },
    `The link works once, until ${when(variables.expiresAt)}. Resetting signs you out everywhere. If you did not ask for this, ignore this message: your password stays as it is.`,
  );
}
