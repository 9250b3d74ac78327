import { z } from "zod";

/** One child process of a worker's pool, as its heartbeat reports it. */
export const poolProcessSchema = z.object({
  pid: z.number().nullable(),
  state: z.enum(["starting", "idle", "busy", "stopping"]),
  executionId: z.string().nullable(),
  runs: z.number(),
  uptimeMs: z.number(),
  /** After its last run; null before the first. */
  rssBytes: z.number().nullable(),
  /** What the child is bound to; null for a warm child that has not run yet. */
  key: z
    .object({
      organizationId: z.string(),
      workspaceVersion: z.string(),
      privileged: z.boolean(),
      callerId: z.string(),
    })
    .nullable(),
});
export type PoolProcess = z.infer<typeof poolProcessSchema>;

/**
 * How the worker's children are isolated: `namespaces` (their own PID and mount namespaces, an
 * unprivileged identity, kernel limits), or `permission-only` (Node's permission model alone) and why.
 */
export const workerSandboxSchema = z.object({
  kind: z.enum(["namespaces", "permission-only"]),
  /** `uid 64000, gid 64000` or `user namespace`; null without namespaces. */
  identity: z.string().nullable(),
  /** Why there is no isolation; null with it. */
  reason: z.string().nullable(),
});
export type WorkerSandbox = z.infer<typeof workerSandboxSchema>;

/**
 * A backing service that let this process in without a password when it started: PostgreSQL with
 * the URL's user and no password, Redis without AUTH, RabbitMQ with the default account `guest`
 * (its password is public) or the URL's user and an empty one. Workflow code runs next to these
 * services, so each is a warning; never a password in it.
 */
export const serviceCredentialWarningSchema = z.object({
  service: z.enum(["postgresql", "redis", "rabbitmq"]),
  /** `host:port` of the service. */
  address: z.string(),
  /** What it accepted, e.g. `accepts user "bifrost" without a password`. */
  reason: z.string(),
});
export type ServiceCredentialWarning = z.infer<typeof serviceCredentialWarningSchema>;

/** A worker's `state`: its pool, how it isolates its children, and the worker's own memory (RSS bytes). */
export const workerPoolStateSchema = z.object({
  processes: z.array(poolProcessSchema),
  busy: z.number(),
  idle: z.number(),
  max: z.number(),
  memory: z.number(),
  /** Absent from workers older than this field. */
  sandbox: workerSandboxSchema.optional(),
  /** Checked at start; empty when every service asked for a password (or none is configured). */
  serviceCredentials: z.array(serviceCredentialWarningSchema).optional(),
});
export type WorkerPoolState = z.infer<typeof workerPoolStateSchema>;

/** An item of `GET /api/platform/workers`, and the `worker` of a `worker_heartbeat` message. */
export const platformWorkerSchema = z.object({
  id: z.string(),
  hostname: z.string(),
  pid: z.number(),
  startedAt: z.string(),
  lastSeenAt: z.string(),
  state: z.record(z.string(), z.unknown()),
});
export type PlatformWorker = z.infer<typeof platformWorkerSchema>;

/** `GET /api/platform/api-process`: the API process that answers, and what it found at start. */
export const apiProcessSchema = z.object({
  role: z.string(),
  hostname: z.string(),
  pid: z.number(),
  startedAt: z.string(),
  serviceCredentials: z.array(serviceCredentialWarningSchema),
});
export type ApiProcess = z.infer<typeof apiProcessSchema>;

/**
 * One organization's line (`GET /api/platform/queue`): runs waiting in the database for room
 * (`waiting`), dispatched to the workers but not started (`queued`), and running; its concurrency
 * limit in force (null: none) and where it comes from.
 */
export const organizationQueueSchema = z.object({
  organizationId: z.guid(),
  organizationName: z.string(),
  waiting: z.number().int(),
  queued: z.number().int(),
  running: z.number().int(),
  maxConcurrentRuns: z.number().int().nullable(),
  limitSource: z.enum(["organization", "platform", "none"]),
});
export type OrganizationQueue = z.infer<typeof organizationQueueSchema>;

/** The queue per organization with work, and the dispatch window in force (DESIGN.md §5, fairness). */
export const platformQueueSchema = z.object({
  /** How many runs of one organization may be dispatched at once (twice the live pool capacity). */
  dispatchWindow: z.number().int(),
  items: z.array(organizationQueueSchema),
});
export type PlatformQueue = z.infer<typeof platformQueueSchema>;
