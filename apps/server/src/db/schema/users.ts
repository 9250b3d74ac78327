import { sql } from "drizzle-orm";
import { bigint, boolean, index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, updatedAt } from "./columns.js";
import { organizations } from "./organizations.js";

export const users = pgTable(
  "users",
  {
    id: id(),
    email: text("email").notNull(),
    name: text("name").notNull(),
    /** Argon2id; null for users who only sign in with SSO or passkeys. */
    passwordHash: text("password_hash"),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "restrict" }),
    /** Platform admin: member of the provider organization with every permission. */
    isSuperuser: boolean("is_superuser").notNull().default(false),
    isActive: boolean("is_active").notNull().default(true),
    /** The principal of runs started by schedules, webhooks and endpoints; never logs in. */
    isSystem: boolean("is_system").notNull().default(false),
    mfaEnabled: boolean("mfa_enabled").notNull().default(false),
    /** TOTP seed, sealed with the secret box (purpose "mfa-totp"); set at enrolment start. */
    mfaSecretSealed: text("mfa_secret_sealed"),
    /** Last TOTP time step accepted: no step at or before it is accepted again (no replay). */
    mfaLastStep: bigint("mfa_last_step", { mode: "number" }),
    passwordChangedAt: timestamp("password_changed_at", { withTimezone: true }),
    lastLoginAt: timestamp("last_login_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("users_email_unique").on(sql`lower(${t.email})`),
    index("users_organization_idx").on(t.organizationId),
  ],
);
