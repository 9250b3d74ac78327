import { wsChannels } from "@bifrost/contracts";
import type { LogLine } from "@bifrost/contracts";
import type { Bus } from "../../../infra/bus/bus.js";
import type { Logger } from "../../../infra/logger.js";
import type { ExecutionLogsRepository, NewExecutionLog } from "../../../repositories/execution-logs.js";
import type { LogBatchMessage } from "../channels.js";
import { withoutNul } from "../postgres-text.js";

/** API.md: a run keeps at most this many lines, then one truncation line. */
const MAX_LOG_LINES = 100_000;
const FLUSH_EVERY_MS = 50;
const FLUSH_AT_ROWS = 2_000;

/**
 * The log lines of every run of this worker: numbered per run, streamed live on `execution:{id}` as
 * they come, and stored in `execution_logs` in batches (one multi-row INSERT for many runs), so a
 * chatty run costs a few statements, not one per line.
 */
export class LogSink {
  private readonly counts = new Map<string, number>();
  private buffer: NewExecutionLog[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly deps: { logs: ExecutionLogsRepository; bus: Bus; logger: Logger }) {}

  /** Lines of `attempt` of the run (lines are numbered per run across its attempts). */
  append(executionId: string, raw: LogLine[], attempt = 1): void {
    const lines = withoutNul(raw);
    let count = this.counts.get(executionId) ?? 0;
    const batch: LogBatchMessage["lines"] = [];
    for (const line of lines) {
      if (count > MAX_LOG_LINES) break;
      count += 1;
      const capped = count > MAX_LOG_LINES;
      const level = capped ? "warn" : line.level;
      const message = capped ? `log truncated: more than ${MAX_LOG_LINES} lines` : line.message;
      const timestamp = new Date(line.timestamp);
      this.buffer.push({
        executionId,
        sequence: count,
        attempt,
        level,
        message,
        data: capped ? null : (line.data ?? null),
        timestamp,
      });
      batch.push({ sequence: count, level, message, timestamp: timestamp.toISOString() });
    }
    this.counts.set(executionId, count);
    if (batch.length > 0) {
      const message: LogBatchMessage = { type: "execution_logs", executionId, lines: batch };
      this.deps.bus
        .publish(wsChannels.execution(executionId), JSON.stringify(message))
        .catch((error: unknown) => {
          this.deps.logger.warn({ err: error, executionId }, "log publish failed");
        });
    }
    if (this.buffer.length >= FLUSH_AT_ROWS) void this.flush().catch(() => undefined);
    else this.timer ??= setTimeout(() => void this.flush().catch(() => undefined), FLUSH_EVERY_MS);
  }

  /** A later attempt of a run goes on after the lines its earlier attempts stored. */
  async resume(executionId: string): Promise<void> {
    this.counts.set(executionId, await this.deps.logs.lastSequence(executionId));
  }

  lineCount(executionId: string): number {
    return Math.min(this.counts.get(executionId) ?? 0, MAX_LOG_LINES + 1);
  }

  forget(executionId: string): void {
    this.counts.delete(executionId);
  }

  /**
   * Stores everything appended so far. Flushes run one after another; a failed batch is put back
   * and retried by the next flush, so lines are not lost while the database blinks.
   */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const next = this.flushing.then(async () => {
      const rows = this.buffer;
      this.buffer = [];
      if (rows.length === 0) return;
      try {
        await this.deps.logs.insertMany(rows);
      } catch (error) {
        this.buffer = rows.concat(this.buffer);
        throw error;
      }
    });
    this.flushing = next.catch((error: unknown) => {
      this.deps.logger.warn({ err: error }, "storing execution logs failed; will retry");
    });
    return next;
  }
}
