import type { RetryPolicy } from "@bifrost/contracts";
import type { Logger } from "../../infra/logger.js";
import type { WorkQueue } from "../../infra/queue/work-queue.js";
import type { ExecutionBatches } from "../../repositories/execution-batches.js";
import type { ScheduledJob } from "../scheduler/job.js";
import { publishRun } from "./channels.js";

/**
 * Publishes the runs that waited in their organization's line once its window has room (DESIGN.md
 * §5, fairness): where a line may move — the worker's finish statement moves the lines of the runs
 * it ends itself and hands over what to publish; runs joining a line with room (accept, the
 * promoter, system runs), runs waiting to retry — and every second on the leader scheduler for
 * whatever those missed (a cancel, a lost worker, two of them racing). A publish that fails leaves
 * the row `Pending` with its `queued_at`: the sweeper publishes it again.
 */
export class RunDispatcher {
  constructor(
    private readonly deps: {
      batches: Pick<ExecutionBatches, "release">;
      queue: WorkQueue;
      logger: Logger;
    },
  ) {}

  /** The catalog entry of the scheduler role. */
  job(): ScheduledJob {
    return { name: "run-dispatcher", intervalMs: 1_000, run: async () => void (await this.dispatch()) };
  }

  /** Dispatches what fits, for these organizations or all with a line; answers how many runs. */
  async dispatch(organizationIds?: readonly string[]): Promise<number> {
    const ids = await this.deps.batches.release(organizationIds);
    await this.publish(ids);
    return ids.length;
  }

  /** `dispatch` where nobody waits for it: a failure is logged, the leader's tick repeats it. */
  dispatchLater(organizationIds: readonly string[]): void {
    if (organizationIds.length === 0) return;
    this.dispatch(organizationIds).catch((error: unknown) =>
      this.deps.logger.warn({ err: error }, "dispatching waiting runs failed; the next tick will"),
    );
  }

  /** Publishes runs already dispatched (the finish statement moves lines itself), in the background. */
  publishLater(executionIds: readonly string[]): void {
    if (executionIds.length > 0) void this.publish(executionIds);
  }

  /** All at once (each waits for its confirm); a failure is the sweeper's, never the caller's. */
  private async publish(executionIds: readonly string[]): Promise<void> {
    await Promise.all(
      executionIds.map((executionId) =>
        publishRun(this.deps.queue, executionId).catch((error: unknown) =>
          this.deps.logger.warn({ err: error, executionId }, "run not published; the sweeper will retry"),
        ),
      ),
    );
  }
}

/**
 * How long until a failed attempt is tried again under `policy`, or undefined when it is not:
 * only `Failed` and `Timeout` attempts of an error type the policy retries (every type but
 * `UserError` when `retryOn` is absent), while retries remain. The n-th retry waits
 * `initialDelaySeconds × backoffMultiplier^(n-1)`, at most `maxDelaySeconds`.
 */
export function retryDelaySeconds(
  policy: RetryPolicy | null,
  retriesDone: number,
  outcome: { status: string; errorType: string | null },
): number | undefined {
  if (!policy || retriesDone >= policy.retries) return undefined;
  if (outcome.status !== "Failed" && outcome.status !== "Timeout") return undefined;
  const type = outcome.errorType ?? "Error";
  const retried = policy.retryOn ? policy.retryOn.includes(type) : type !== "UserError";
  if (!retried) return undefined;
  return Math.min(
    policy.maxDelaySeconds,
    policy.initialDelaySeconds * policy.backoffMultiplier ** retriesDone,
  );
}
