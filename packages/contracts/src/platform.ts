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

/** A worker's `state`: its pool and the worker's own memory (RSS bytes). */
export const workerPoolStateSchema = z.object({
  processes: z.array(poolProcessSchema),
  busy: z.number(),
  idle: z.number(),
  max: z.number(),
  memory: z.number(),
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
