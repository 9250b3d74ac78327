import { boolean, index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { ssoProviderKinds } from "@bifrost/contracts";
import { createdAt, id, updatedAt } from "./columns.js";
import { users } from "./users.js";

/** An OpenID Connect provider users sign in with (platform-admin managed); the secret sealed. */
export const ssoProviders = pgTable("sso_providers", {
  name: text("name").primaryKey(),
  kind: text("kind", { enum: ssoProviderKinds }).notNull(),
  displayName: text("display_name").notNull(),
  issuer: text("issuer").notNull(),
  clientId: text("client_id").notNull(),
  clientSecretSealed: text("client_secret_sealed"),
  requireMfa: boolean("require_mfa").notNull().default(false),
  provisionIntoProvider: boolean("provision_into_provider").notNull().default(false),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/**
 * A provider's identity linked to a user: `subject` is the provider's stable id of the person — for
 * Entra `{tid}:{oid}`, elsewhere the ID token's `sub`. One identity links to one user.
 */
export const userIdentities = pgTable(
  "user_identities",
  {
    id: id(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    provider: text("provider")
      .notNull()
      .references(() => ssoProviders.name, { onDelete: "cascade" }),
    subject: text("subject").notNull(),
    tenantId: text("tenant_id"),
    email: text("email"),
    createdAt: createdAt(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("user_identities_provider_subject_unique").on(t.provider, t.subject),
    index("user_identities_user_idx").on(t.userId),
  ],
);
