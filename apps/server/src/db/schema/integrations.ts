import { sql } from "drizzle-orm";
import { index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, updatedAt } from "./columns.js";
import { organizations } from "./organizations.js";

export const oauthFlows = ["authorization_code", "client_credentials"] as const;
export const oauthTokenStatuses = ["connected", "expired", "error"] as const;

/** An OAuth provider configuration ("connection"): how to get tokens from one external system. */
export const oauthProviders = pgTable("oauth_providers", {
  id: id(),
  name: text("name").notNull().unique(),
  flow: text("flow", { enum: oauthFlows }).notNull(),
  clientId: text("client_id").notNull(),
  /** Sealed by the SecretBox; never returned by the API. */
  clientSecretSealed: text("client_secret_sealed"),
  authorizeUrl: text("authorize_url"),
  tokenUrl: text("token_url").notNull(),
  scopes: jsonb("scopes").$type<string[]>().notNull().default([]),
  audience: text("audience"),
  extraTokenParams: jsonb("extra_token_params").$type<Record<string, string>>().notNull().default({}),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** Tokens obtained from a provider, sealed; one per provider and organization (null: global). */
export const oauthTokens = pgTable(
  "oauth_tokens",
  {
    id: id(),
    providerId: uuid("provider_id")
      .notNull()
      .references(() => oauthProviders.id, { onDelete: "cascade" }),
    organizationId: uuid("organization_id").references(() => organizations.id, { onDelete: "cascade" }),
    accessTokenSealed: text("access_token_sealed"),
    refreshTokenSealed: text("refresh_token_sealed"),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    scopes: jsonb("scopes").$type<string[]>().notNull().default([]),
    status: text("status", { enum: oauthTokenStatuses }).notNull().default("connected"),
    lastError: text("last_error"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("oauth_tokens_provider_scope_unique").on(
      t.providerId,
      sql`coalesce(${t.organizationId}, '00000000-0000-0000-0000-000000000000'::uuid)`,
    ),
    index("oauth_tokens_expires_idx").on(t.expiresAt),
  ],
);

/** A named external system with a config schema, integration-level defaults and an OAuth provider. */
export const integrations = pgTable("integrations", {
  id: id(),
  name: text("name").notNull().unique(),
  description: text("description"),
  /** [{ key, type, required, default, secret }] */
  configSchema: jsonb("config_schema").$type<Array<Record<string, unknown>>>().notNull().default([]),
  /** Integration-level defaults; secret keys hold sealed strings. */
  defaults: jsonb("defaults").$type<Record<string, unknown>>().notNull().default({}),
  oauthProviderId: uuid("oauth_provider_id").references(() => oauthProviders.id, { onDelete: "set null" }),
  deletedAt: timestamp("deleted_at", { withTimezone: true }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** One organization's (or the global, null) mapping of an integration: entity and config overrides. */
export const integrationMappings = pgTable(
  "integration_mappings",
  {
    id: id(),
    integrationId: uuid("integration_id")
      .notNull()
      .references(() => integrations.id, { onDelete: "cascade" }),
    organizationId: uuid("organization_id").references(() => organizations.id, { onDelete: "cascade" }),
    entityId: text("entity_id"),
    entityName: text("entity_name"),
    /** Overrides of the integration's defaults; secret keys hold sealed strings. */
    config: jsonb("config").$type<Record<string, unknown>>().notNull().default({}),
    oauthTokenId: uuid("oauth_token_id").references(() => oauthTokens.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // At most one mapping per organization, and at most one global mapping.
    uniqueIndex("integration_mappings_scope_unique").on(
      t.integrationId,
      sql`coalesce(${t.organizationId}, '00000000-0000-0000-0000-000000000000'::uuid)`,
    ),
  ],
);
