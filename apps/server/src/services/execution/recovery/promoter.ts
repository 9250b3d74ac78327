import type { Logger } from "../../../infra/logger.js";
import type { WorkQueue } from "../../../infra/queue/work-queue.js";
import type { ExecutionsRepository } from "../../../repositories/executions.js";
import type { ScheduledJob } from "../../scheduler/job.js";
import { publishRun, type ExecutionEvents } from "../channels.js";

const BATCH = 500;
/** Batches per pass: a backlog is worked off over several passes, never in one long one. */
const MAX_BATCHES = 10;

/**
 * Deferred runs (`scheduledAt` / `delaySeconds`): every second the leader scheduler turns due
 * `Scheduled` rows into `Pending` (committed first) and publishes them. A publish that fails leaves
 * the row `Pending` with its `queuedAt`: the sweeper publishes it again later, so nothing is lost;
 * a duplicate message is harmless (the worker's claim is a compare-and-set).
 */
export class DeferredRunPromoter {
  constructor(
    private readonly deps: {
      executions: ExecutionsRepository;
      queue: WorkQueue;
      events: ExecutionEvents;
      logger: Logger;
    },
  ) {}

  job(): ScheduledJob {
    return { name: "deferred-runs", intervalMs: 1_000, run: async () => void (await this.promote()) };
  }

  /** One pass; answers how many runs were promoted. */
  async promote(): Promise<number> {
    let total = 0;
    for (let batch = 0; batch < MAX_BATCHES; batch++) {
      const rows = await this.deps.executions.promoteDue(BATCH);
      total += rows.length;
      for (const row of rows) {
        try {
          await publishRun(this.deps.queue, row.id);
        } catch (error) {
          this.deps.logger.warn(
            { err: error, executionId: row.id },
            "deferred run not published; the sweeper will retry",
          );
        }
        void this.deps.events.statusChanged(row);
      }
      if (rows.length < BATCH) break;
    }
    if (total > 0) this.deps.logger.debug({ promoted: total }, "deferred runs promoted");
    return total;
  }
}
