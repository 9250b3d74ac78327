import type { IpcLogLevel, LogLine } from "@bifrost/contracts/ipc";
import { boundLine, DEFAULT_OUTPUT_LIMITS } from "../pool/output-limits.js";
import type { SecretRedactor } from "./redaction.js";

export const DEFAULT_MAX_LOG_LINES = 100_000;

/** Lines are sent in batches: one IPC message per line would cost more than the logging itself. */
const FLUSH_AFTER_MS = 20;
/** A synchronous loop that logs never yields to the timer: flush from `write` past this many lines. */
const FLUSH_AT_LINES = 500;
/** …or past this many bytes: a batch stays far below the channel's message limit. */
const FLUSH_AT_BYTES = 1024 * 1024;

/**
 * The log of one run: lines with level and time, batched into `logs` messages, capped, and redacted
 * at flush time (so a secret registered a moment after a line was written is still caught).
 */
export class RunLog {
  private buffer: LogLine[] = [];
  private bufferBytes = 0;
  private written = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private lastFlush = 0;

  constructor(
    private readonly options: {
      maxLines: number;
      redactor: SecretRedactor;
      send: (lines: LogLine[]) => void;
    },
  ) {}

  write(level: IpcLogLevel, message: string, data?: unknown): void {
    if (this.closed || this.written > this.options.maxLines) return;
    this.written++;
    if (this.written > this.options.maxLines) {
      this.push(
        {
          level: "warn",
          message: `log truncated: more than ${this.options.maxLines} lines`,
          timestamp: Date.now(),
        },
        64,
      );
      return;
    }
    // Copied now: the caller may mutate the object after logging it, and IPC needs plain JSON.
    const line: LogLine = { level, message, timestamp: Date.now() };
    if (data !== undefined) line.data = toLogData(data);
    // Cut here as the pool would (it cuts again: user code can send by hand), so batches stay small.
    const bounded = boundLine(line, DEFAULT_OUTPUT_LIMITS.lineBytes);
    this.push(bounded.line, bounded.bytes);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.buffer.length === 0) return;
    this.lastFlush = Date.now();
    const { redactor } = this.options;
    const lines =
      redactor.size === 0
        ? this.buffer
        : this.buffer.map((line) => ({
            ...line,
            message: redactor.redactText(line.message),
            ...(line.data ? { data: redactor.redactValue(line.data) } : {}),
          }));
    this.buffer = [];
    this.bufferBytes = 0;
    this.options.send(lines);
  }

  /** Sends what is buffered and drops anything written later (a task the run left behind). */
  close(): void {
    this.flush();
    this.closed = true;
  }

  private push(line: LogLine, bytes: number): void {
    this.buffer.push(line);
    this.bufferBytes += bytes;
    // A line after a quiet spell goes out at once (live logs; and a run stuck in a synchronous loop
    // right after logging still gets that line out). Bursts are batched behind it.
    if (
      this.buffer.length >= FLUSH_AT_LINES ||
      this.bufferBytes >= FLUSH_AT_BYTES ||
      line.timestamp - this.lastFlush >= FLUSH_AFTER_MS
    )
      this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), FLUSH_AFTER_MS);
      this.timer.unref();
    }
  }
}

/** Turns what a workflow passed as log data into a JSON object (BigInt, cycles and errors included). */
function toLogData(data: unknown): Record<string, unknown> {
  const value = toJsonValue(data);
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : { value };
}

function toJsonValue(data: unknown): unknown {
  const seen = new WeakSet<object>();
  try {
    const text = JSON.stringify(data, (_key, value: unknown) => {
      if (typeof value === "bigint") return value.toString();
      if (value instanceof Error) return { name: value.name, message: value.message };
      if (value !== null && typeof value === "object") {
        if (seen.has(value)) return "[Circular]";
        seen.add(value);
      }
      return value;
    });
    return text === undefined ? null : (JSON.parse(text) as unknown);
  } catch {
    // A getter or toJSON that throws: the line is still worth keeping without its data.
    return "[unserializable]";
  }
}
