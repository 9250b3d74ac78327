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

/** A worker's `state`: its pool, how it isolates its children, and the worker's own memory (RSS bytes). */
export const workerPoolStateSchema = z.object({
  processes: z.array(poolProcessSchema),
  busy: z.number(),
  idle: z.number(),
  max: z.number(),
  memory: z.number(),
  /** Absent from workers older than this field. */
  sandbox: workerSandboxSchema.optional(),
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
