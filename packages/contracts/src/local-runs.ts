import { z } from "zod";
import { logLineSchema, runContextSchema } from "./ipc.js";

/**
 * Local runs (`bifrost run --local`): the CLI runs a workflow of the workspace on its author's machine
 * with the real SDK, talking to the platform with a short-lived execution token; the platform keeps
 * the run in the history (marked `local`), its logs and its result. Platform admins only (the people
 * who may write workspace code).
 */

/** `POST /api/local-runs` */
export const localRunStartSchema = z
  .object({
    workflowId: z.guid().optional(),
    workflowName: z.string().min(1).max(200).optional(),
    inputData: z.record(z.string(), z.unknown()).default({}),
    organizationId: z.guid().optional(),
  })
  .refine((v) => (v.workflowId === undefined) !== (v.workflowName === undefined), {
    message: "give exactly one of workflowId and workflowName",
    path: ["workflowId"],
  });
export type LocalRunStart = z.infer<typeof localRunStartSchema>;

export const localRunStartedSchema = z.object({
  executionId: z.guid(),
  /** The execution token the local SDK sends (`Authorization: Bearer`); ends with the run. */
  token: z.string(),
  expiresAt: z.string(),
  /** Where the workflow is in the workspace: the local process imports that file. */
  workflow: z.object({ id: z.guid(), name: z.string(), path: z.string(), exportName: z.string() }),
  /** The run's `ctx` (organization, caller, trigger, attempt). */
  context: runContextSchema,
  /** Send a heartbeat at least this often, or the run ends as lost (`WorkerLost`). */
  heartbeatSeconds: z.number().int(),
});
export type LocalRunStarted = z.infer<typeof localRunStartedSchema>;

/** `POST /api/local-runs/{id}/heartbeat` → the run's status (`Cancelling`: stop and finish it). */
export const localRunHeartbeatSchema = z.object({ status: z.string() });

/** Lines one `POST /api/local-runs/{id}/logs` carries at most. */
export const LOCAL_RUN_LOG_BATCH = 1_000;

export const localRunLogsSchema = z.object({ lines: z.array(logLineSchema).min(1).max(LOCAL_RUN_LOG_BATCH) });

/** `POST /api/local-runs/{id}/finish` */
export const localRunFinishSchema = z.object({
  status: z.enum(["Success", "Failed", "CompletedWithErrors", "Timeout", "Cancelled"]),
  result: z.unknown().optional(),
  error: z
    .string()
    .max(64 * 1024)
    .nullable()
    .default(null),
  errorType: z.string().max(200).nullable().default(null),
  durationMs: z.number().int().min(0).max(2_147_483_647),
});
export type LocalRunFinish = z.infer<typeof localRunFinishSchema>;
