import { sql } from "drizzle-orm";
import { jsonb, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, updatedAt } from "./columns.js";
import { organizations } from "./organizations.js";
import { users } from "./users.js";

export const configTypes = ["string", "int", "bool", "json", "secret"] as const;
export type ConfigType = (typeof configTypes)[number];

/**
 * Configuration values, global (`organizationId` null) or one organization's; a read looks at the
 * organization's first, then the global one. A secret's value is never stored in clear: `value` is
 * null and `secretSealed` holds it sealed by the SecretBox (AES-256-GCM, key derived from
 * BIFROST_SECRET_KEY).
 */
export const configs = pgTable(
  "configs",
  {
    id: id(),
    key: text("key").notNull(),
    value: jsonb("value"),
    secretSealed: text("secret_sealed"),
    type: text("type", { enum: configTypes }).notNull(),
    description: text("description"),
    organizationId: uuid("organization_id").references(() => organizations.id, { onDelete: "cascade" }),
    updatedBy: uuid("updated_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("configs_scope_key_unique").on(
      sql`coalesce(${t.organizationId}, '00000000-0000-0000-0000-000000000000'::uuid)`,
      t.key,
    ),
  ],
);
