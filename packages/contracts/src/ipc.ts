import { z } from "zod";
import { logLevels, triggerKinds } from "./kinds.js";

/**
 * Messages between the worker's process pool and its children. Every message carries the envelope
 * version `v`; a child and a pool of different versions refuse each other's messages instead of
 * misreading them. Both sides validate with these schemas.
 *
 * The channel is one socket, the child's file descriptor `IPC_FD`, carrying one JSON message per line
 * (JSON text has no raw newline). Not Node's own IPC channel: that one buffers a whole message, however
 * large, before anyone can look at it; here the parent counts the bytes of a message as they come and
 * stops a child whose message grows past its limit.
 */
export const IPC_VERSION = 2;

/** The child's end of the channel. */
export const IPC_FD = 3;

/** One message as it goes on the channel. */
export function encodeIpcMessage(message: unknown): string {
  return `${JSON.stringify(message)}\n`;
}

/**
 * Splits what arrives on the channel into messages (the text of each line), holding at most
 * `maxBytes` of one message: `push` returns false once a message is longer, after handing over the
 * complete ones before it.
 */
export class IpcLineReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer, onMessage: (text: string) => void): boolean {
    let start = 0;
    for (let end = chunk.indexOf(10); end !== -1; end = chunk.indexOf(10, start)) {
      if (!this.hold(chunk.subarray(start, end))) return false;
      const text = Buffer.concat(this.pending).toString("utf8");
      this.pending = [];
      this.pendingBytes = 0;
      start = end + 1;
      onMessage(text);
    }
    return start === chunk.length || this.hold(chunk.subarray(start));
  }

  private hold(piece: Buffer): boolean {
    this.pendingBytes += piece.length;
    if (this.pendingBytes > this.maxBytes) return false;
    this.pending.push(piece);
    return true;
  }
}

const envelope = { v: z.literal(IPC_VERSION) };

export const ipcLogLevelSchema = z.enum(logLevels);
export type IpcLogLevel = z.infer<typeof ipcLogLevelSchema>;

export const runContextSchema = z.object({
  executionId: z.string(),
  organization: z.object({ id: z.string(), name: z.string() }),
  caller: z.object({ id: z.string(), email: z.string(), name: z.string() }),
  triggeredBy: z.enum(triggerKinds),
  attempt: z.number().int().min(1),
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
