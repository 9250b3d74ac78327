import type { Logger } from "../../../infra/logger.js";
import type { WorkQueue } from "../../../infra/queue/work-queue.js";
import type { ExecutionsRepository } from "../../../repositories/executions.js";
import type { ScheduledJob } from "../../scheduler/job.js";
import { EXECUTION_QUEUE, executionQueueDeclaration, publishRun, type ExecutionEvents } from "../channels.js";

const BATCH = 500;

export type SweeperOptions = {
  intervalMs: number;
  /**
   * A `Pending` row whose message was published this long ago is published again (60 s; ten times
   * that while the queue is not empty).
   */
  republishAfterMs: number;
  /** `Cancelling` this long without an answer ends `Cancelled` (3 min). */
  cancelTimeoutMs: number;
};

/**
 * Fixes runs the happy path left behind (DESIGN.md §5 step 5): lost messages, dead workers, cancels
 * nobody answered. A job of the scheduler's catalog (`roles/scheduler.ts`), so it runs on the leader
 * scheduler only. Every change is a compare-and-set on the row, so a duplicate message or a late
 * worker is harmless.
 */
export class ExecutionSweeper {
  constructor(
    private readonly deps: {
      executions: ExecutionsRepository;
      queue: WorkQueue;
      events: ExecutionEvents;
      logger: Logger;
      options: SweeperOptions;
    },
  ) {}

  /** Declares the execution queue it publishes to (once, at start). */
  async prepare(): Promise<void> {
    await this.deps.queue.declare(executionQueueDeclaration);
  }

  /** The catalog entry. */
  job(): ScheduledJob {
    return { name: "execution-sweeper", intervalMs: this.deps.options.intervalMs, run: () => this.sweep() };
  }

  /** One pass. */
  async sweep(): Promise<void> {
    const { executions, events, options, logger } = this.deps;
    // While the queue holds messages, a long-waiting Pending row is most likely still in it: wait
    // ten times longer before publishing it again, so a backlog is not doubled every minute.
    const depth = await this.deps.queue.depth(EXECUTION_QUEUE).catch(() => 0);
    const lost = await executions.stalePending(options.republishAfterMs * (depth === 0 ? 1 : 10), BATCH);
    await this.publish(lost);
    if (lost.length > 0) logger.info({ count: lost.length }, "re-published pending executions");

    const { requeued, ended } = await executions.recoverExpiredLeases(BATCH);
    await this.publish(requeued.map((r) => r.id));
    const stuck = await executions.endStuckCancels(options.cancelTimeoutMs);
    for (const row of [...requeued, ...ended, ...stuck]) await events.statusChanged(row);
    if (requeued.length + ended.length + stuck.length > 0) {
      logger.info(
        { requeued: requeued.length, workerLost: ended.length, cancelled: stuck.length },
        "recovered executions of lost workers",
      );
    }
  }

  private async publish(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    for (const executionId of ids) {
      await publishRun(this.deps.queue, executionId);
    }
    await this.deps.executions.markQueued(ids);
  }
}
