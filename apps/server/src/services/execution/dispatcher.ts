import type { RetryPolicy } from "@bifrost/contracts";
import type { Logger } from "../../infra/logger.js";
import type { WorkQueue } from "../../infra/queue/work-queue.js";
import type { ExecutionBatches } from "../../repositories/execution-batches.js";
import type { ScheduledJob } from "../scheduler/job.js";
import { publishRun } from "./channels.js";

/**
 * Publishes the runs that waited in their organization's line once its window has room (DESIGN.md
 * §5, fairness): called where room may have appeared or a line may have grown — after runs end (the
 * worker), after runs join a line (accept, the promoter, system runs) — and every second on the
 * leader scheduler for whatever those missed (a cancel, a lost worker, two of them racing). A
 * publish that fails leaves the row `Pending` with its `queued_at`: the sweeper publishes it again.
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
    for (const executionId of ids) {
      try {
        await publishRun(this.deps.queue, executionId);
      } catch (error) {
        this.deps.logger.warn({ err: error, executionId }, "run not published; the sweeper will retry");
      }
    }
    return ids.length;
  }

  /** `dispatch` where nobody waits for it: a failure is logged, the leader's tick repeats it. */
  dispatchLater(organizationIds: readonly string[]): void {
    if (organizationIds.length === 0) return;
    this.dispatch(organizationIds).catch((error: unknown) =>
      this.deps.logger.warn({ err: error }, "dispatching waiting runs failed; the next tick will"),
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
