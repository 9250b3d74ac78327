import { PROVIDER_ORGANIZATION_ID } from "../../db/schema/organizations.js";
import type { Logger } from "../../infra/logger.js";
import type { DeliveryRow, EventRow, EventsRepository } from "../../repositories/events.js";
import type { ExecutionService } from "../execution/accept/execution-service.js";
import type { ScheduledJob } from "../scheduler/job.js";
import { renderInputMapping, type EventContext } from "./input-mapping.js";

/** Starting runs as the system user: the one ExecutionService method deliveries need. */
export type SystemRuns = Pick<ExecutionService, "startSystemRun">;

const MAX_DELIVERY_ATTEMPTS = 5;

export type DeliveryOptions = {
  /** The first retry waits this long; each next one twice as long (default 5 s: 5, 10, 20, 40 s). */
  backoffBaseMs: number;
  /**
   * A claimed delivery is not due again before this: it covers an attempt in flight (and a fresh
   * event whose receiver dies before delivering it), so no two processes attempt it together.
   */
  leaseMs: number;
  /** Deliveries claimed per pass of the retry job. */
  batchSize: number;
};

const DEFAULTS: DeliveryOptions = { backoffBaseMs: 5_000, leaseMs: 60_000, batchSize: 100 };

/**
 * The query string of a received event is kept with its headers under `:query` (JSON): no HTTP/1.1
 * header name can hold a colon, so it never collides with a real header.
 */
export const QUERY_HEADER = ":query";

/** Headers and query of a stored event. */
export function splitHeaders(stored: Record<string, string>): {
  headers: Record<string, string>;
  query: Record<string, unknown>;
} {
  const { [QUERY_HEADER]: rawQuery, ...headers } = stored;
  try {
    return { headers, query: rawQuery ? (JSON.parse(rawQuery) as Record<string, unknown>) : {} };
  } catch {
    return { headers, query: {} };
  }
}

/** The event as input mappings see it. */
const eventContextOf = (event: EventRow): EventContext => ({
  ...splitHeaders(event.headers),
  body: event.body,
  sourceIp: event.sourceIp,
  receivedAt: event.createdAt.toISOString(),
});

/**
 * Delivers events to their subscriptions' workflows: each attempt starts a run as the system user
 * in the source's organization (else the provider organization), `triggeredBy: "webhook"`, with the
 * subscription id as `sourceId`. A failed start (input invalid for the workflow, queue down…) is
 * retried with exponential backoff by `retryJob()`, at most 5 attempts, then the delivery is `failed`.
 */
export class EventDeliverer {
  readonly options: DeliveryOptions;

  constructor(
    private readonly deps: {
      events: EventsRepository;
      runs: SystemRuns;
      logger: Logger;
      options?: Partial<DeliveryOptions>;
    },
  ) {
    this.options = { ...DEFAULTS, ...deps.options };
  }

  /** One attempt; never throws (the outcome is recorded on the delivery). */
  async attempt(delivery: DeliveryRow, known?: EventRow): Promise<DeliveryRow | undefined> {
    const counted = await this.deps.events.startAttempt(delivery.id);
    if (!counted) return undefined;
    try {
      const event = known ?? (await this.deps.events.findEvent(delivery.eventId));
      const subscription = await this.deps.events.findSubscription(delivery.subscriptionId);
      const source = event ? await this.deps.events.findSource(event.sourceId) : undefined;
      if (!event || !subscription || !source)
        throw new Error("The event or its subscription no longer exists");
      if (!subscription.enabled) throw new Error("The subscription is disabled");
      const execution = await this.deps.runs.startSystemRun({
        workflowId: subscription.workflowId,
        organizationId: source.organizationId ?? PROVIDER_ORGANIZATION_ID,
        inputData: renderInputMapping(subscription.inputMapping, eventContextOf(event)),
        triggeredBy: "webhook",
        sourceId: subscription.id,
      });
      return await this.deps.events.recordAttempt(counted, { ok: true, executionId: execution.id });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const retry = counted.attempts < MAX_DELIVERY_ATTEMPTS;
      const nextAttemptAt = retry
        ? new Date(Date.now() + this.options.backoffBaseMs * 2 ** (counted.attempts - 1))
        : null;
      this.deps.logger.warn(
        { deliveryId: delivery.id, attempts: counted.attempts, retry, error: message },
        "event delivery failed",
      );
      return await this.deps.events
        .recordAttempt(counted, { ok: false, error: message, nextAttemptAt })
        .catch(() => undefined);
    }
  }

  /** The scheduler job that retries due deliveries, in `FOR UPDATE SKIP LOCKED` batches. */
  retryJob(intervalMs = 2_000): ScheduledJob {
    return {
      name: "event-delivery-retry",
      intervalMs,
      run: async () => {
        for (;;) {
          const due = await this.deps.events.claimDue(this.options.batchSize, this.options.leaseMs);
          await Promise.all(due.map((delivery) => this.attempt(delivery)));
          if (due.length < this.options.batchSize) return;
        }
      },
    };
  }
}
