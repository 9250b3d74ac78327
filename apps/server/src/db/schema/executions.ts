import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { createdAt, id } from "./columns.js";
import { organizations } from "./organizations.js";
import { users } from "./users.js";
import { executionStatuses, logLevels, triggerKinds } from "@bifrost/contracts";
import { workflows } from "./workflows.js";

/** An attempt a later one replaced, as `executions.attempts` keeps it. */
export type RecordedAttempt = {
  attempt: number;
  status: string;
  error: string | null;
  errorType: string | null;
  startedAt: string | null;
  completedAt: string | null;
};

/**
 * One run of a workflow. The row is the source of truth (DESIGN.md §5): inserted `Pending` before
 * the queue message is published, claimed by a worker with a compare-and-set, guarded by a lease.
 */
export const executions = pgTable(
  "executions",
  {
    id: id(),
    workflowId: uuid("workflow_id")
      .notNull()
      .references(() => workflows.id, { onDelete: "restrict" }),
    workflowName: text("workflow_name").notNull(),
    status: text("status", { enum: executionStatuses }).notNull(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    executedBy: uuid("executed_by").references(() => users.id, { onDelete: "set null" }),
    executedByName: text("executed_by_name").notNull(),
    /** The caller ran as a platform admin: such runs never share a child with an organization user's. */
    privileged: boolean("privileged").notNull().default(false),
    triggeredBy: text("triggered_by", { enum: triggerKinds }).notNull(),
    inputData: jsonb("input_data").$type<Record<string, unknown>>().notNull(),
    /** Inline result (≤ 1 MB serialized); a larger one is in the file store under `resultKey`. */
    result: jsonb("result"),
    resultSize: integer("result_size"),
    resultKey: text("result_key"),
    error: text("error"),
    errorType: text("error_type"),
    attempt: integer("attempt").notNull().default(1),
    /**
     * The attempts a later one replaced (a lost worker's run re-queued): number, status, error,
     * error type and timing each. The current or last attempt is the row itself.
     */
    attempts: jsonb("attempts")
      .$type<RecordedAttempt[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    maxAttempts: integer("max_attempts").notNull().default(2),
    workerId: text("worker_id"),
    /**
     * Run by the CLI on its author's machine (`bifrost run --local`): the author's process reports
     * its logs and result; its `worker_id` is `local` and its lease is the CLI's heartbeat.
     */
    local: boolean("local").notNull().default(false),
    leaseExpiresAt: timestamp("lease_expires_at", { withTimezone: true }),
    /**
     * Last time the queue message was published; the sweeper re-publishes lost ones. A `Pending` row
     * without it has no message: it waits in its organization's line for room in the dispatch window
     * or under the concurrency limit, and the dispatcher publishes it (DESIGN.md §5, fairness).
     */
    queuedAt: timestamp("queued_at", { withTimezone: true }),
    scheduledAt: timestamp("scheduled_at", { withTimezone: true }),
    cancelRequestedAt: timestamp("cancel_requested_at", { withTimezone: true }),
    /**
     * Caller-chosen key; the same key from the same caller in the same organization within 24 h
     * returns this execution. The organization is part of it: schedules, webhooks and endpoints of
     * every organization run as the one system user.
     */
    idempotencyKey: text("idempotency_key"),
    /** What started the run when it was not a person: a schedule, webhook subscription or key id. */
    sourceId: uuid("source_id"),
    /** The API process waiting for a sync answer, if any. */
    replyTo: text("reply_to"),
    /**
     * The execution this one re-runs (`POST /api/executions/{id}/rerun`). No foreign key: retention
     * deletes old runs, and a re-run outlives the run it repeated (the id then answers 404).
     */
    rerunOf: uuid("rerun_of"),
    workspaceVersion: text("workspace_version"),
    durationMs: integer("duration_ms"),
    peakMemoryBytes: bigint("peak_memory_bytes", { mode: "number" }),
    cpuMs: integer("cpu_ms"),
    /** The run's traffic through the egress proxy (null: not recorded, e.g. the run never started). */
    networkBytesIn: bigint("network_bytes_in", { mode: "number" }),
    networkBytesOut: bigint("network_bytes_out", { mode: "number" }),
    networkConnections: integer("network_connections"),
    networkDenied: integer("network_denied"),
    logCount: integer("log_count").notNull().default(0),
    createdAt: createdAt(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    completedAt: timestamp("completed_at", { withTimezone: true }),
  },
  (t) => [
    index("executions_created_idx").on(t.createdAt, t.id),
    index("executions_executed_by_idx").on(t.executedBy, t.createdAt),
    index("executions_organization_idx").on(t.organizationId, t.createdAt),
    index("executions_workflow_idx").on(t.workflowId),
    index("executions_source_idx")
      .on(t.sourceId)
      .where(
        sql`${t.sourceId} is not null and ${t.status} in ('Scheduled', 'Pending', 'Running', 'Cancelling')`,
      ),
    index("executions_scheduled_idx")
      .on(t.scheduledAt)
      .where(sql`${t.status} = 'Scheduled'`),
    // The sweeper and the promoter only look at rows that are not final.
    index("executions_active_idx")
      .on(t.status)
      .where(sql`${t.status} in ('Scheduled', 'Pending', 'Running', 'Cancelling')`),
    // An organization's line: the runs waiting for room, oldest first.
    index("executions_waiting_idx")
      .on(t.organizationId, t.createdAt)
      .where(sql`${t.status} = 'Pending' and ${t.queuedAt} is null`),
    // What an organization has dispatched: queued with a message, or running.
    index("executions_dispatched_idx")
      .on(t.organizationId)
      .where(
        sql`${t.status} in ('Running', 'Cancelling') or (${t.status} = 'Pending' and ${t.queuedAt} is not null)`,
      ),
    uniqueIndex("executions_idempotency_unique")
      .on(t.organizationId, t.executedBy, t.idempotencyKey)
      .where(sql`${t.idempotencyKey} is not null`),
  ],
);

export const executionLogs = pgTable(
  "execution_logs",
  {
    executionId: uuid("execution_id")
      .notNull()
      .references(() => executions.id, { onDelete: "cascade" }),
    sequence: integer("sequence").notNull(),
    /** The attempt that wrote the line (lines are numbered per run across attempts). */
    attempt: integer("attempt").notNull().default(1),
    level: text("level", { enum: logLevels }).notNull(),
    message: text("message").notNull(),
    data: jsonb("data"),
    timestamp: timestamp("timestamp", { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.executionId, t.sequence] })],
);

/** The latest heartbeat of each worker process: pool state for `GET /api/platform/workers`. */
export const platformWorkers = pgTable("platform_workers", {
  id: text("id").primaryKey(),
  hostname: text("hostname").notNull(),
  pid: integer("pid").notNull(),
  state: jsonb("state").$type<Record<string, unknown>>().notNull(),
  /** Runs its pool runs at once (`state.max`, as a column: the dispatch window sums it per statement). */
  capacity: integer("capacity").notNull().default(0),
  startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
  lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull(),
  createdAt: createdAt(),
});
