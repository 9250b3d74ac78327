import type { Logger } from "../../../infra/logger.js";
import type { ExecutionsRepository } from "../../../repositories/executions.js";
import type { ScheduledJob } from "../../scheduler/job.js";
import type { ExecutionEvents } from "../channels.js";
import type { RunDispatcher } from "../dispatcher.js";

const BATCH = 500;
/** Batches per pass: a backlog is worked off over several passes, never in one long one. */
const MAX_BATCHES = 10;

/**
 * Deferred runs (`scheduledAt` / `delaySeconds`) and retries waiting for their delay: every second the
 * leader scheduler turns due `Scheduled` rows into `Pending` in their organization's line (committed
 * first), and the dispatcher publishes what fits its window. A publish that fails leaves the row
 * `Pending` with its `queuedAt`: the sweeper publishes it again later, so nothing is lost; a duplicate
 * message is harmless (the worker's claim is a compare-and-set).
 */
export class DeferredRunPromoter {
  constructor(
    private readonly deps: {
      executions: ExecutionsRepository;
      dispatcher: Pick<RunDispatcher, "dispatch">;
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
      if (rows.length > 0) await this.deps.dispatcher.dispatch(rows.map((row) => row.organizationId));
      for (const row of rows) void this.deps.events.statusChanged(row);
      if (rows.length < BATCH) break;
    }
    if (total > 0) this.deps.logger.debug({ promoted: total }, "deferred runs promoted");
    return total;
  }
}
