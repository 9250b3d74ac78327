import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import type { RetryPolicy } from "@bifrost/contracts";
import { createdAt, id, updatedAt } from "./columns.js";
import { organizations } from "./organizations.js";
import { roles } from "./roles.js";

export const workflowTypes = ["workflow", "tool", "data_provider"] as const;
export type WorkflowType = (typeof workflowTypes)[number];
export const accessLevels = ["authenticated", "role_based"] as const;
export type AccessLevel = (typeof accessLevels)[number];
export const executionModes = ["sync", "async"] as const;

/** One exported definition of a workspace file, keyed by (path, exportName). */
export const workflows = pgTable(
  "workflows",
  {
    id: id(),
    name: text("name").notNull(),
    description: text("description"),
    category: text("category"),
    tags: jsonb("tags").$type<string[]>().notNull().default([]),
    type: text("type", { enum: workflowTypes }).notNull(),
    path: text("path").notNull(),
    exportName: text("export_name").notNull(),
    /** JSON Schema of the input (parameters with a default are optional). */
    parametersSchema: jsonb("parameters_schema").$type<Record<string, unknown>>().notNull(),
    /** Null: global, runnable for every organization. */
    organizationId: uuid("organization_id").references(() => organizations.id, { onDelete: "cascade" }),
    accessLevel: text("access_level", { enum: accessLevels }).notNull().default("role_based"),
    timeoutSeconds: integer("timeout_seconds").notNull().default(1800),
    /** False once its export is gone from the file: history keeps pointing at the row. */
    isActive: boolean("is_active").notNull().default(true),
    endpointEnabled: boolean("endpoint_enabled").notNull().default(false),
    executionMode: text("execution_mode", { enum: executionModes }).notNull().default("sync"),
    allowedMethods: jsonb("allowed_methods").$type<string[]>().notNull().default(["POST"]),
    cacheTtlSeconds: integer("cache_ttl_seconds").notNull().default(300),
    /** How a failed run is tried again; null: never (a lost worker's run is re-queued regardless). */
    retryPolicy: jsonb("retry_policy").$type<RetryPolicy>(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("workflows_path_export_unique").on(t.path, t.exportName),
    index("workflows_name_idx").on(t.name),
    index("workflows_organization_idx").on(t.organizationId),
    index("workflows_created_idx").on(t.createdAt, t.id),
  ],
);

export const workflowRoles = pgTable(
  "workflow_roles",
  {
    workflowId: uuid("workflow_id")
      .notNull()
      .references(() => workflows.id, { onDelete: "cascade" }),
    roleId: uuid("role_id")
      .notNull()
      .references(() => roles.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.workflowId, t.roleId] }), index("workflow_roles_role_idx").on(t.roleId)],
);
