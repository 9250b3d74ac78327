import { sql } from "drizzle-orm";
import { index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { mailStatuses, mailTemplates } from "@bifrost/contracts";
import { createdAt, id } from "./columns.js";
import { users } from "./users.js";

export const accountTokenPurposes = ["invitation", "password_reset"] as const;
export type AccountTokenPurpose = (typeof accountTokenPurposes)[number];

/**
 * A single-use link for a user: an invitation (set a password, 7 days) or a password reset (30 min).
 * Only a SHA-256 of the token is kept. Used, revoked or expired, it opens nothing.
 */
export const accountTokens = pgTable(
  "account_tokens",
  {
    id: id(),
    purpose: text("purpose", { enum: accountTokenPurposes }).notNull(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    /** The admin who sent it; null for a reset the user asked for. */
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    usedAt: timestamp("used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("account_tokens_hash_unique").on(t.tokenHash),
    index("account_tokens_user_idx").on(t.userId, t.purpose),
  ],
);

/**
 * The mail outbox and log. `bodySealed` holds what the message needs (its link among it), sealed
 * with the secret box, only until it is sent or given up; the log never shows it.
 */
export const mailMessages = pgTable(
  "mail_messages",
  {
    id: id(),
    toAddress: text("to_address").notNull(),
    template: text("template", { enum: mailTemplates }).notNull(),
    status: text("status", { enum: mailStatuses }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }),
    bodySealed: text("body_sealed"),
    createdAt: createdAt(),
    sentAt: timestamp("sent_at", { withTimezone: true }),
  },
  (t) => [
    index("mail_messages_created_idx").on(t.createdAt, t.id),
    index("mail_messages_due_idx")
      .on(t.nextAttemptAt)
      .where(sql`${t.status} = 'queued'`),
  ],
);
