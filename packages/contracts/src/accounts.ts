import { z } from "zod";
import { authUserSchema } from "./auth.js";

// Invitations, password resets and the mail they send (issue 21). A link's token is a random secret
// handed over once (in the mail, or to the admin when no mail server is configured); the server
// keeps only its hash.

const token = z.string().min(16).max(256);

/** `POST /auth/password/forgot`: always 202, whether the account exists or not. */
export const forgotPasswordSchema = z.object({ email: z.string().trim().max(254) });
/** `POST /auth/password/reset` → 204; every login of the user is revoked. */
export const resetPasswordSchema = z.object({ token, password: z.string().max(1024) });
/** `POST /auth/register-from-invite` → the answer of a login (MFA enrolment first when required). */
export const registerFromInviteSchema = z.object({ token, password: z.string().max(1024) });

/**
 * What an admin's invitation or reset link request answers: `sent` when the mail went to the outbox;
 * without a mail server, `link` — shown once to the admin, never stored or logged.
 */
export const accountLinkAnswerSchema = z.object({
  sent: z.boolean(),
  link: z.string().nullable(),
  expiresAt: z.string(),
});
export type AccountLinkAnswer = z.infer<typeof accountLinkAnswerSchema>;

/** An invitation not yet used, revoked or expired (on a user object). */
const pendingInvitationSchema = z.object({ createdAt: z.string(), expiresAt: z.string() });

/**
 * A user as platform admins see it (`/api/users`): whether they have chosen a password, and their
 * pending invitation.
 */
export const adminUserSchema = authUserSchema.extend({
  hasPassword: z.boolean(),
  /** They have a way to sign in: a password, a passkey or a linked single sign-on account. */
  signsIn: z.boolean(),
  invitation: pendingInvitationSchema.nullable(),
});
export type AdminUser = z.infer<typeof adminUserSchema>;

export const mailTemplates = ["invitation", "password_reset"] as const;
export const mailStatuses = ["queued", "sent", "failed"] as const;

/** One message of the mail log (`GET /api/platform/mail`): never its link. */
export const mailMessageSchema = z.object({
  id: z.guid(),
  to: z.string(),
  template: z.enum(mailTemplates),
  status: z.enum(mailStatuses),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
});
export type MailMessage = z.infer<typeof mailMessageSchema>;
