import type { FileStore } from "../../infra/files/file-store.js";
import type { Clock } from "../../infra/clock.js";
import type { Logger } from "../../infra/logger.js";
import type { RetentionRepository } from "../../repositories/retention.js";
import type { ScheduledJob } from "../scheduler/job.js";

const DAY_MS = 24 * 3600_000;
/** Rows per statement: small enough that no statement holds its locks for long. */
const DEFAULT_BATCH = 1_000;
/** A pass stops after this many batches; the next pass carries on (the leader stays responsive). */
const MAX_BATCHES_PER_PASS = 100;

/**
 * Deletes final executions older than `BIFROST_RETENTION_DAYS` with their logs and any result
 * stored in the file store (`result_key`). Active runs (Scheduled, Pending, Running, Cancelling)
 * are never deleted, however old.
 */
export class ExecutionRetention {
  constructor(
    private readonly deps: {
      retention: RetentionRepository;
      files: FileStore;
      clock: Clock;
      logger: Logger;
      retentionDays: number;
      batchSize?: number;
    },
  ) {}

  async runOnce(): Promise<number> {
    const batch = this.deps.batchSize ?? DEFAULT_BATCH;
    const before = new Date(this.deps.clock.now() - this.deps.retentionDays * DAY_MS);
    let total = 0;
    for (let i = 0; i < MAX_BATCHES_PER_PASS; i++) {
      const rows = await this.deps.retention.oldExecutions(before, batch);
      if (rows.length === 0) break;
      // Stored results first: a row deleted before its file would leave the file behind for good.
      for (const row of rows) if (row.resultKey) await this.deps.files.delete(row.resultKey);
      total += await this.deps.retention.deleteExecutions(rows.map((row) => row.id));
      if (rows.length < batch) break;
    }
    if (total > 0) this.deps.logger.info({ deleted: total }, "old executions deleted");
    return total;
  }

  job(intervalMs = 3600_000): ScheduledJob {
    return { name: "execution-retention", intervalMs, run: async () => void (await this.runOnce()) };
  }
}

/** Deletes received events and their deliveries older than 30 days. */
export class EventRetention {
  static readonly DAYS = 30;

  constructor(
    private readonly deps: {
      retention: RetentionRepository;
      clock: Clock;
      logger: Logger;
      batchSize?: number;
    },
  ) {}

  async runOnce(): Promise<number> {
    const batch = this.deps.batchSize ?? DEFAULT_BATCH;
    const before = new Date(this.deps.clock.now() - EventRetention.DAYS * DAY_MS);
    let total = 0;
    for (let i = 0; i < MAX_BATCHES_PER_PASS; i++) {
      const deleted = await this.deps.retention.deleteOldDeliveries(before, batch);
      total += deleted;
      if (deleted < batch) break;
    }
    for (let i = 0; i < MAX_BATCHES_PER_PASS; i++) {
      const deleted = await this.deps.retention.deleteOldEvents(before, batch);
      total += deleted;
      if (deleted < batch) break;
    }
    if (total > 0) this.deps.logger.info({ deleted: total }, "old events and deliveries deleted");
    return total;
  }

  job(intervalMs = 3600_000): ScheduledJob {
    return { name: "event-retention", intervalMs, run: async () => void (await this.runOnce()) };
  }
}
