import { z } from "zod";
import { executionStatuses, finalStatuses, logLevels, triggerKinds, type ExecutionStatus } from "./kinds.js";

export const executionStatusSchema = z.enum(executionStatuses);
export const isFinalStatus = (status: ExecutionStatus): boolean =>
  (finalStatuses as readonly ExecutionStatus[]).includes(status);

export const triggerKindSchema = z.enum(triggerKinds);
export const logLevelSchema = z.enum(logLevels);

/** `POST /api/workflows/execute` */
export const executeRequestSchema = z
  .object({
    workflowId: z.guid().optional(),
    workflowName: z.string().min(1).max(200).optional(),
    inputData: z.record(z.string(), z.unknown()).default({}),
    sync: z.boolean().default(false),
    organizationId: z.guid().optional(),
    scheduledAt: z.iso.datetime({ offset: true }).optional(),
    delaySeconds: z
      .number()
      .int()
      .min(0)
      .max(365 * 24 * 3600)
      .optional(),
  })
  .refine((v) => (v.workflowId === undefined) !== (v.workflowName === undefined), {
    message: "give exactly one of workflowId and workflowName",
    path: ["workflowId"],
  })
  .refine((v) => v.scheduledAt === undefined || v.delaySeconds === undefined, {
    message: "give scheduledAt or delaySeconds, not both",
    path: ["scheduledAt"],
  });
export type ExecuteRequest = z.infer<typeof executeRequestSchema>;

export const executeAcceptedSchema = z.object({ executionId: z.guid(), status: executionStatusSchema });
export type ExecuteAccepted = z.infer<typeof executeAcceptedSchema>;
export const executeSyncResultSchema = z.object({
  executionId: z.guid(),
  status: executionStatusSchema,
  result: z.unknown(),
  error: z.string().nullable(),
  durationMs: z.number().nullable(),
});
export type ExecuteSyncResult = z.infer<typeof executeSyncResultSchema>;

export const executionSummarySchema = z.object({
  id: z.guid(),
  workflowId: z.guid(),
  workflowName: z.string(),
  status: executionStatusSchema,
  organizationId: z.guid(),
  executedBy: z.guid().nullable(),
  executedByName: z.string(),
  triggeredBy: triggerKindSchema,
  attempt: z.number(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
  /** Run by the CLI on its author's machine (`bifrost run --local`), not by a worker. */
  local: z.boolean(),
});
export type ExecutionSummary = z.infer<typeof executionSummarySchema>;

export const executionDetailSchema = executionSummarySchema.extend({
  inputData: z.record(z.string(), z.unknown()),
  result: z.unknown(),
  /** Set when the result is stored apart (over 1 MB): `GET /api/executions/{id}/result` streams it. */
  resultSize: z.number().nullable(),
  error: z.string().nullable(),
  errorType: z.string().nullable(),
  peakMemoryBytes: z.number().nullable(),
  cpuMs: z.number().nullable(),
  /**
   * Every attempt that started, in order (API.md): its status, error and timing, and why it started
   * — the first, after its worker was lost (the re-queue of DESIGN.md §5), or a retry.
   */
  attempts: z.array(
    z.object({
      attempt: z.number().int(),
      status: executionStatusSchema,
      error: z.string().nullable(),
      errorType: z.string().nullable(),
      reason: z.enum(["first", "retry", "worker_lost"]),
      startedAt: z.string().nullable(),
      completedAt: z.string().nullable(),
    }),
  ),
  /**
   * When a `Scheduled` run starts: the time asked for a deferred run, or when the next attempt of a
   * failed one is due under its workflow's retry policy. Null otherwise.
   */
  scheduledAt: z.string().nullable(),
  /** The execution this one re-runs (`POST /api/executions/{id}/rerun`), else null. */
  rerunOf: z.guid().nullable(),
  /**
   * The run's traffic through the egress proxy: bytes received and sent, connections made and
   * refused. Null when not recorded (the run never started, or ran without the proxy).
   */
  network: z
    .object({ bytesIn: z.number(), bytesOut: z.number(), connections: z.number(), denied: z.number() })
    .nullable(),
});
export type NetworkUsage = NonNullable<z.infer<typeof executionDetailSchema>["network"]>;
export type ExecutionDetail = z.infer<typeof executionDetailSchema>;
export type ExecutionAttempt = ExecutionDetail["attempts"][number];

export const executionListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(25),
  cursor: z.string().max(512).optional(),
  status: z
    .string()
    .transform((v) => v.split(",").map((s) => s.trim()))
    .pipe(z.array(executionStatusSchema).min(1))
    .optional(),
  workflowName: z.string().max(200).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  /** Platform admins: `global` is not meaningful for runs; an organization id narrows the list. */
  scope: z.guid().optional(),
});

export const executionLogSchema = z.object({
  sequence: z.number(),
  level: logLevelSchema,
  message: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
  timestamp: z.string(),
});
export type ExecutionLog = z.infer<typeof executionLogSchema>;

export const executionLogsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(10_000).default(10_000),
  /** The last sequence already read. */
  cursor: z
    .string()
    .regex(/^\d{1,10}$/, "must be a sequence number")
    .optional(),
  /** Only the lines of this attempt. */
  attempt: z.coerce.number().int().min(1).max(1000).optional(),
});

/** The queue message of a run: small, and only ever extended with optional fields. */
export const executionMessageSchema = z.object({ executionId: z.guid() });
export type ExecutionMessage = z.infer<typeof executionMessageSchema>;

/** The one codec of the run queue's messages: every publisher encodes, the consumer decodes. */
export const executionMessageCodec = {
  encode: (message: ExecutionMessage): Buffer => Buffer.from(JSON.stringify(message)),
  /** Throws on a body that is not JSON or not a run's message. */
  decode: (body: Buffer): ExecutionMessage => executionMessageSchema.parse(JSON.parse(body.toString("utf8"))),
};

/** WebSocket, server → client (API.md "Real time"). */
export const wsServerMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("connected"), channels: z.array(z.string()) }),
  z.object({ type: z.literal("error"), channel: z.string().optional(), message: z.string() }),
  z.object({
    type: z.literal("execution_update"),
    executionId: z.string(),
    status: executionStatusSchema,
    result: z.unknown().optional(),
    error: z.string().nullable().optional(),
    durationMs: z.number().nullable().optional(),
  }),
  z.object({
    type: z.literal("execution_log"),
    executionId: z.string(),
    sequence: z.number(),
    level: logLevelSchema,
    message: z.string(),
    timestamp: z.string(),
  }),
  z.object({
    type: z.literal("history_update"),
    executionId: z.string(),
    status: executionStatusSchema,
    workflowName: z.string(),
    organizationId: z.string(),
    executedBy: z.string().nullable(),
    durationMs: z.number().nullable().optional(),
  }),
  z.object({ type: z.literal("worker_heartbeat"), worker: z.record(z.string(), z.unknown()) }),
]);
export type WsServerMessage = z.infer<typeof wsServerMessageSchema>;
