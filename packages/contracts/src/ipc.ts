import { z } from "zod";

/**
 * Messages between the worker's process pool and its children (over the Node IPC channel).
 * Every message carries the envelope version `v`; a child and a pool of different versions refuse
 * each other's messages instead of misreading them. Both sides validate with these schemas.
 */
export const IPC_VERSION = 1;

const envelope = { v: z.literal(IPC_VERSION) };

export const ipcLogLevelSchema = z.enum(["debug", "info", "warn", "error"]);
export type IpcLogLevel = z.infer<typeof ipcLogLevelSchema>;

export const runContextSchema = z.object({
  executionId: z.string(),
  organization: z.object({ id: z.string(), name: z.string() }),
  caller: z.object({ id: z.string(), email: z.string(), name: z.string() }),
  triggeredBy: z.enum(["user", "form", "schedule", "webhook", "endpoint", "workflow"]),
});
export type RunContext = z.infer<typeof runContextSchema>;

/** Pool → child. */
export const parentMessageSchema = z.discriminatedUnion("type", [
  z.object({
    ...envelope,
    type: z.literal("run"),
    executionId: z.string(),
    /** Absolute path of the compiled module (inside the compiled workspace). */
    modulePath: z.string(),
    exportName: z.string(),
    input: z.record(z.string(), z.unknown()),
    context: runContextSchema,
    /** How the SDK reaches the API: the URL and the run's execution token. */
    api: z.object({ url: z.string(), token: z.string() }),
  }),
  /** Abort `ctx.signal`: the run is being cancelled or timed out (SIGTERM follows). */
  z.object({ ...envelope, type: z.literal("abort"), executionId: z.string(), reason: z.string() }),
  /** Load a module and describe its exported definitions. */
  z.object({ ...envelope, type: z.literal("discover"), modulePath: z.string() }),
]);
export type ParentMessage = z.infer<typeof parentMessageSchema>;

export const logLineSchema = z.object({
  level: ipcLogLevelSchema,
  message: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
  /** Epoch milliseconds. */
  timestamp: z.number(),
});
export type LogLine = z.infer<typeof logLineSchema>;

export const discoveredDefinitionSchema = z.object({
  exportName: z.string(),
  type: z.enum(["workflow", "tool", "data_provider"]),
  name: z.string(),
  description: z.string().nullable(),
  category: z.string().nullable(),
  tags: z.array(z.string()),
  parametersSchema: z.record(z.string(), z.unknown()),
});
export type DiscoveredDefinition = z.infer<typeof discoveredDefinitionSchema>;

export const runStatusSchema = z.enum(["Success", "Failed", "CompletedWithErrors"]);

/** Child → pool. */
export const childMessageSchema = z.discriminatedUnion("type", [
  z.object({ ...envelope, type: z.literal("ready"), pid: z.number() }),
  z.object({ ...envelope, type: z.literal("logs"), executionId: z.string(), lines: z.array(logLineSchema) }),
  z.object({
    ...envelope,
    type: z.literal("result"),
    executionId: z.string(),
    status: runStatusSchema,
    /** Already redacted; undefined when the workflow returned nothing. */
    result: z.unknown().optional(),
    error: z.string().nullable(),
    /** `UserError`, `ValidationError`, `WorkflowNotFound`, or the thrown error's name. */
    errorType: z.string().nullable(),
    durationMs: z.number(),
    /** Peak resident set size of the child so far, bytes. */
    peakMemoryBytes: z.number(),
    /** User + system CPU time of this run, milliseconds. */
    cpuMs: z.number(),
    /** Resident set size after the run: the pool recycles a child above its memory ceiling. */
    rssBytes: z.number(),
  }),
  z.object({
    ...envelope,
    type: z.literal("discovered"),
    definitions: z.array(discoveredDefinitionSchema),
    /** Loading the module threw: the message (no stack). */
    error: z.string().nullable(),
  }),
]);
export type ChildMessage = z.infer<typeof childMessageSchema>;
