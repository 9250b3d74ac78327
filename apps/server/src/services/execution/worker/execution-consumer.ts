import { executionMessageCodec } from "@bifrost/contracts";
import type { Bus, Subscription } from "../../../infra/bus/bus.js";
import type { FileStore } from "../../../infra/files/file-store.js";
import type { Logger } from "../../../infra/logger.js";
import type { Consumer, QueueMessage, WorkQueue } from "../../../infra/queue/work-queue.js";
import type { BatchClaim, ExecutionBatches } from "../../../repositories/execution-batches.js";
import { finalOutcome } from "../final-outcome.js";
import type { FinalOutcome, StatusSnapshot } from "../../../repositories/executions.js";
import {
  EXECUTION_QUEUE,
  executionQueueDeclaration,
  workerCancelChannel,
  type ExecutionEvents,
} from "../channels.js";
import { retryDelaySeconds, type RunDispatcher } from "../dispatcher.js";
import type { ExecutionTokens } from "../execution-token.js";
import type { LogSink } from "./log-sink.js";
import { MicroBatcher } from "../micro-batch.js";
import type { PoolRunOutcome, PoolRunRequest } from "../pool/pool-run.js";

/** The process pool as the consumer uses it (ProcessPool, or a stand-in in tests). */
export type RunPool = {
  readonly capacity: number;
  run(request: PoolRunRequest): Promise<PoolRunOutcome>;
  cancel(executionId: string, reason?: string): boolean;
};

/** Where the compiled code of the current workspace version is, for the children to import. */
export type CodeSource = {
  /** `fingerprint`: the workspace fingerprint read with the claim (saves a query). */
  resolve(
    workspacePath: string,
    fingerprint: string,
    inUse: () => string[],
  ): Promise<{ version: string; modulePath: string }>;
};

const MEMORY_PRESSURE_DELAY_MS = 1_000;
const FINISH_RETRIES = [200, 1_000, 3_000, 10_000];

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** How an attempt ends: final, or tried again after `retryInSeconds` (the workflow's retry policy). */
type Ending = { id: string; outcome: FinalOutcome; retryInSeconds: number | undefined };

/** Counting semaphore: no more claimed runs than the pool can run at once. */
class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];
  constructor(size: number) {
    this.free = size;
  }
  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free -= 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free += 1;
  }
}

/**
 * The worker's queue consumer (DESIGN.md §5 steps 2–4): claim with a compare-and-set, ack, run in
 * the pool, then persist, flush logs, publish. The row's lease — renewed by the heartbeat — guards
 * the run from here; the message is acked early because runs may outlast the broker's ack timeout.
 */
export class ExecutionConsumer {
  private readonly slots: Slots;
  private consumer: Consumer | undefined;
  private cancelSubscription: Subscription | undefined;
  /** Runs this worker holds, with whether a cancel arrived for each. */
  private readonly running = new Map<string, { cancelRequested: boolean; version?: string }>();
  private readonly inFlight = new Set<Promise<void>>();
  /** Set while the worker shuts down: runs cut short by it are left to the sweeper, not failed. */
  private abandoned = false;

  private readonly claims: MicroBatcher<string, BatchClaim>;
  private readonly finishes: MicroBatcher<Ending, StatusSnapshot>;

  constructor(
    private readonly deps: {
      workerId: string;
      batches: ExecutionBatches;
      dispatcher: RunDispatcher;
      queue: WorkQueue;
      bus: Bus;
      files: FileStore;
      pool: RunPool;
      code: CodeSource;
      tokens: ExecutionTokens;
      logs: LogSink;
      events: ExecutionEvents;
      logger: Logger;
      apiUrl: string;
      leaseMs: number;
      /** Fraction of memory in use; above `memoryThreshold` no run is claimed. */
      memoryInUse: () => number;
      memoryThreshold: number;
    },
  ) {
    this.slots = new Slots(deps.pool.capacity);
    this.claims = new MicroBatcher(
      async (ids) => {
        const claimed = await deps.batches.claim(ids, deps.workerId, deps.leaseMs);
        return new Map(claimed.map((c) => [c.execution.id, c]));
      },
      (id) => id,
    );
    this.finishes = new MicroBatcher(
      async (items) => {
        // Logs first: when the final update is seen, the run's logs are already readable (API.md).
        await deps.logs.flush();
        const retried = items.flatMap((item) =>
          item.retryInSeconds === undefined ? [] : [{ ...item, delaySeconds: item.retryInSeconds }],
        );
        const finals = items.filter((item) => item.retryInSeconds === undefined);
        const [{ finished, released }, retrying] = await Promise.all([
          deps.batches.finish(deps.workerId, finals),
          deps.batches.retry(deps.workerId, retried),
        ]);
        // The ends made room: the runs dispatched with them, and the lines of runs waiting to retry.
        deps.dispatcher.publishLater(released);
        deps.dispatcher.dispatchLater([...new Set(retrying.map((row) => row.organizationId))]);
        return new Map([...finished, ...retrying].map((r) => [r.id, r]));
      },
      (item) => item.id,
    );
  }

  /** Ids of the runs in progress here: the heartbeat renews their leases. */
  runningIds(): string[] {
    return [...this.running.keys()];
  }

  async start(): Promise<void> {
    this.cancelSubscription = await this.deps.bus.subscribe(workerCancelChannel(this.deps.workerId), (id) =>
      this.cancel(id),
    );
    await this.deps.queue.declare(executionQueueDeclaration);
    this.consumer = await this.deps.queue.consume(EXECUTION_QUEUE, (message) => this.handle(message), {
      prefetch: this.deps.pool.capacity,
    });
  }

  /** Stops intake; runs in progress finish (the caller closes the pool after, killing stragglers). */
  async stop(): Promise<void> {
    await this.consumer?.cancel();
    await this.cancelSubscription?.unsubscribe();
  }

  /** Waits for the runs in progress to be persisted. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  /**
   * The worker is going away: runs still in progress will be killed with the pool. Their rows stay
   * `Running`; when the lease expires the sweeper re-queues them as the next attempt.
   */
  abandon(): void {
    this.abandoned = true;
  }

  private cancel(executionId: string): void {
    const run = this.running.get(executionId);
    if (!run) return;
    run.cancelRequested = true;
    this.deps.pool.cancel(executionId, "cancelled");
  }

  private async handle(message: QueueMessage): Promise<void> {
    let executionId: string;
    try {
      executionId = executionMessageCodec.decode(message.body).executionId;
    } catch {
      this.deps.logger.warn("dropping an unreadable execution message");
      await message.ack();
      return;
    }
    if (this.deps.memoryInUse() > this.deps.memoryThreshold) {
      // Never drop under memory pressure: hand the run back (a new message, confirmed, then ack).
      await sleep(MEMORY_PRESSURE_DELAY_MS);
      await this.deps.queue.publish(EXECUTION_QUEUE, message.body);
      await message.ack();
      return;
    }
    await this.slots.acquire();
    let claimed: BatchClaim | undefined;
    try {
      claimed = await this.claims.add(executionId);
    } catch (error) {
      this.slots.release();
      throw error; // nacked and redelivered
    }
    await message.ack();
    if (!claimed) {
      this.slots.release();
      return;
    }
    const run = claimed;
    this.running.set(executionId, { cancelRequested: false });
    const task = this.execute(run)
      .catch((error: unknown) =>
        this.deps.logger.error({ err: error, executionId }, "execution failed unexpectedly"),
      )
      .finally(() => {
        this.running.delete(executionId);
        this.deps.logs.forget(executionId);
        this.slots.release();
        this.inFlight.delete(task);
      });
    this.inFlight.add(task);
  }

  private async execute(claimed: BatchClaim): Promise<void> {
    const { execution, workflow } = claimed;
    void this.deps.events.statusChanged(execution);
    if (execution.attempt > 1) await this.deps.logs.resume(execution.id);
    const outcome = workflow.isActive
      ? await this.runInPool(claimed)
      : ({
          status: "Failed",
          result: null,
          error: "The workflow is no longer defined in the workspace",
          errorType: "WorkflowNotFound",
          durationMs: 0,
          peakMemoryBytes: null,
          cpuMs: null,
        } satisfies PoolRunOutcome);
    await this.deps.tokens.revoke(execution.id).catch(() => undefined);
    if (this.abandoned) return;
    const retryInSeconds = workflow.isActive
      ? retryDelaySeconds(workflow.retryPolicy, execution.retriesDone, outcome)
      : undefined;
    const ended = await this.retrying(async () =>
      this.finishes.add({
        id: execution.id,
        outcome: await finalOutcome(
          this.deps.files,
          execution.id,
          outcome,
          this.deps.logs.lineCount(execution.id),
        ),
        retryInSeconds,
      }),
    );
    if (ended) await this.deps.events.statusChanged(ended);
  }

  private async runInPool(claimed: BatchClaim): Promise<PoolRunOutcome> {
    const { execution, workflow } = claimed;
    const { version, modulePath } = await this.deps.code.resolve(
      workflow.path,
      claimed.workspaceFingerprint,
      () => [...this.running.values()].flatMap((r) => (r.version ? [r.version] : [])),
    );
    const state = this.running.get(execution.id);
    if (state) state.version = version;
    const caller = {
      id: execution.executedBy ?? "",
      email: claimed.callerEmail,
      name: execution.executedByName,
    };
    const token = await this.deps.tokens.mint(
      {
        executionId: execution.id,
        userId: caller.id,
        email: caller.email,
        name: caller.name,
        organizationId: execution.organizationId,
        roles: [],
      },
      workflow.timeoutSeconds,
    );
    if (this.running.get(execution.id)?.cancelRequested) {
      return {
        status: "Cancelled",
        result: null,
        error: null,
        errorType: null,
        durationMs: 0,
        peakMemoryBytes: null,
        cpuMs: null,
      };
    }
    return await this.deps.pool.run({
      key: {
        organizationId: execution.organizationId,
        workspaceVersion: version,
        privileged: execution.privileged,
        callerId: caller.id,
      },
      executionId: execution.id,
      modulePath,
      exportName: workflow.exportName,
      input: execution.inputData,
      context: {
        executionId: execution.id,
        organization: { id: execution.organizationId, name: claimed.organizationName },
        caller,
        triggeredBy: execution.triggeredBy,
        attempt: execution.attempt,
      },
      api: { url: this.deps.apiUrl, token },
      timeoutMs: workflow.timeoutSeconds * 1000,
      onLogs: (lines) => this.deps.logs.append(execution.id, lines, execution.attempt),
    });
  }

  /** Finishing must not be lost to a short database outage: a lost finish would run the work twice. */
  private async retrying<T>(step: () => Promise<T>): Promise<T> {
    for (const delay of FINISH_RETRIES) {
      try {
        return await step();
      } catch (error) {
        this.deps.logger.warn({ err: error }, "finishing an execution failed; retrying");
        await sleep(delay);
      }
    }
    return await step();
  }
}
