import { sql } from "drizzle-orm";
import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { createdAt, id, updatedAt } from "./columns.js";
import { executions } from "./executions.js";
import { organizations } from "./organizations.js";
import { users } from "./users.js";
import { workflows } from "./workflows.js";

/** The user runs started by schedules, webhooks and endpoints act as (seeded by migration 0008). */
export const SYSTEM_USER_ID = "00000000-0000-0000-0000-000000000001";
export const SYSTEM_USER_EMAIL = "system@bifrost.local";

export const overlapPolicies = ["skip", "queue", "allow"] as const;

/** A cron schedule of a workflow (API.md `/api/schedules`). */
export const schedules = pgTable(
  "schedules",
  {
    id: id(),
    workflowId: uuid("workflow_id")
      .notNull()
      .references(() => workflows.id, { onDelete: "cascade" }),
    /** 5 fields, or 6 with seconds first. */
    cron: text("cron").notNull(),
    timezone: text("timezone").notNull().default("UTC"),
    /** The organization the runs belong to. */
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    inputData: jsonb("input_data").$type<Record<string, unknown>>().notNull().default({}),
    enabled: boolean("enabled").notNull().default(true),
    overlapPolicy: text("overlap_policy", { enum: overlapPolicies }).notNull().default("skip"),
    lastRunAt: timestamp("last_run_at", { withTimezone: true }),
    nextRunAt: timestamp("next_run_at", { withTimezone: true }),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("schedules_due_idx")
      .on(t.nextRunAt)
      .where(sql`${t.enabled}`),
  ],
);

export const fireOutcomes = ["fired", "skipped", "missed"] as const;

/** One fire time of a schedule: the primary key makes every fire happen at most once. */
export const scheduleFires = pgTable(
  "schedule_fires",
  {
    scheduleId: uuid("schedule_id")
      .notNull()
      .references(() => schedules.id, { onDelete: "cascade" }),
    fireTime: timestamp("fire_time", { withTimezone: true }).notNull(),
    outcome: text("outcome", { enum: fireOutcomes }).notNull(),
    executionId: uuid("execution_id").references(() => executions.id, { onDelete: "set null" }),
    reason: text("reason"),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.scheduleId, t.fireTime] }),
    index("schedule_fires_created_idx").on(t.createdAt),
  ],
);

/** API keys of workflow endpoints: only the SHA-256 of a key is kept. */
export const workflowKeys = pgTable(
  "workflow_keys",
  {
    id: id(),
    workflowId: uuid("workflow_id")
      .notNull()
      .references(() => workflows.id, { onDelete: "cascade" }),
    keyHash: text("key_hash").notNull().unique(),
    /** The first characters of the key, to tell keys apart in lists. */
    prefix: text("prefix").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [index("workflow_keys_workflow_idx").on(t.workflowId)],
);

/** Where events come from; for now webhooks with a public receiver. */
export const eventSources = pgTable("event_sources", {
  id: id(),
  name: text("name").notNull(),
  type: text("type", { enum: ["webhook"] })
    .notNull()
    .default("webhook"),
  /** The organization its runs belong to; null: the provider organization. */
  organizationId: uuid("organization_id").references(() => organizations.id, { onDelete: "cascade" }),
  /** HMAC-SHA256 signature check: header name and sealed secret; null header: no check. */
  signatureHeader: text("signature_header"),
  secretSealed: text("secret_sealed"),
  rateLimitPerMinute: integer("rate_limit_per_minute").notNull().default(60),
  enabled: boolean("enabled").notNull().default(true),
  createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const eventStatuses = [
  "received",
  "delivered",
  "partially_failed",
  "failed",
  "no_subscribers",
] as const;

/** One received event, as it came. */
export const events = pgTable(
  "events",
  {
    id: id(),
    sourceId: uuid("source_id")
      .notNull()
      .references(() => eventSources.id, { onDelete: "cascade" }),
    headers: jsonb("headers").$type<Record<string, string>>().notNull(),
    body: jsonb("body"),
    sourceIp: text("source_ip"),
    status: text("status", { enum: eventStatuses }).notNull().default("received"),
    createdAt: createdAt(),
  },
  (t) => [
    index("events_source_created_idx").on(t.sourceId, t.createdAt),
    index("events_created_idx").on(t.createdAt),
  ],
);

/** Which workflow an event source runs, with an input mapping of `{{ path }}` templates. */
export const eventSubscriptions = pgTable("event_subscriptions", {
  id: id(),
  sourceId: uuid("source_id")
    .notNull()
    .references(() => eventSources.id, { onDelete: "cascade" }),
  workflowId: uuid("workflow_id")
    .notNull()
    .references(() => workflows.id, { onDelete: "cascade" }),
  inputMapping: jsonb("input_mapping").$type<Record<string, unknown>>().notNull().default({}),
  enabled: boolean("enabled").notNull().default(true),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const deliveryStatuses = ["pending", "delivered", "failed"] as const;

/** One event delivered to one subscription: retried with backoff, at most 5 attempts. */
export const eventDeliveries = pgTable(
  "event_deliveries",
  {
    id: id(),
    eventId: uuid("event_id")
      .notNull()
      .references(() => events.id, { onDelete: "cascade" }),
    subscriptionId: uuid("subscription_id")
      .notNull()
      .references(() => eventSubscriptions.id, { onDelete: "cascade" }),
    executionId: uuid("execution_id").references(() => executions.id, { onDelete: "set null" }),
    status: text("status", { enum: deliveryStatuses }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }),
    lastError: text("last_error"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("event_deliveries_due_idx")
      .on(t.nextAttemptAt)
      .where(sql`${t.status} = 'pending'`),
    index("event_deliveries_event_idx").on(t.eventId),
    index("event_deliveries_created_idx").on(t.createdAt),
  ],
);
