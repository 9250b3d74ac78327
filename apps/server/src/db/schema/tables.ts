import { sql } from "drizzle-orm";
import { index, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, updatedAt } from "./columns.js";
import { organizations } from "./organizations.js";
import { users } from "./users.js";

/** A named document collection, global or one organization's (names are unique per scope). */
export const dataTables = pgTable(
  "tables",
  {
    id: id(),
    name: text("name").notNull(),
    description: text("description"),
    /** Optional column schema (JSON Schema of a document's data); null: free-form documents. */
    schema: jsonb("schema").$type<Record<string, unknown>>(),
    organizationId: uuid("organization_id").references(() => organizations.id, { onDelete: "cascade" }),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("tables_scope_name_unique").on(
      sql`coalesce(${t.organizationId}, '00000000-0000-0000-0000-000000000000'::uuid)`,
      t.name,
    ),
  ],
);

/** A document: caller-chosen id (≤ 255 characters) or a generated UUID, JSON data. */
export const documents = pgTable(
  "documents",
  {
    tableId: uuid("table_id")
      .notNull()
      .references(() => dataTables.id, { onDelete: "cascade" }),
    id: text("id").notNull(),
    data: jsonb("data").$type<Record<string, unknown>>().notNull(),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    updatedBy: uuid("updated_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tableId, t.id] }),
    // Equality and containment filters (`data @> {...}`) and key tests over any field.
    index("documents_data_gin").using("gin", t.data.op("jsonb_path_ops")),
    index("documents_table_created_idx").on(t.tableId, t.createdAt),
  ],
);
