import { sql } from "drizzle-orm";
import { boolean, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, id, updatedAt } from "./columns.js";

/** The MSP's own organization; its members are the platform admins. Seeded by the first migration. */
export const PROVIDER_ORGANIZATION_ID = "00000000-0000-0000-0000-000000000002";

export const organizations = pgTable(
  "organizations",
  {
    id: id(),
    name: text("name").notNull(),
    /** E-mail domain used to place new users automatically. */
    domain: text("domain"),
    isProvider: boolean("is_provider").notNull().default(false),
    isActive: boolean("is_active").notNull().default(true),
    /** Most of its runs running at once; null: the platform default (`BIFROST_ORG_MAX_CONCURRENT_RUNS`). */
    maxConcurrentRuns: integer("max_concurrent_runs"),
    /** Microsoft Entra ID tenant ids (lower case) whose users belong here (SSO matching and provisioning). */
    ssoTenantIds: text("sso_tenant_ids")
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** Password sign-in refused for its users (platform admins keep password + MFA). */
    ssoOnly: boolean("sso_only").notNull().default(false),
    settings: jsonb("settings").$type<Record<string, unknown>>().notNull().default({}),
    /** Soft delete: the row stays for history; its users cannot sign in and it is hidden from lists. */
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("organizations_name_unique").on(sql`lower(${t.name})`),
    uniqueIndex("organizations_domain_unique").on(sql`lower(${t.domain})`),
    // At most one provider organization.
    uniqueIndex("organizations_single_provider")
      .on(t.isProvider)
      .where(sql`${t.isProvider}`),
  ],
);
