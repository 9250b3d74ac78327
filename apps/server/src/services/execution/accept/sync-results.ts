import { randomUUID } from "node:crypto";
import type { Bus, Subscription } from "../../../infra/bus/bus.js";
import type { Logger } from "../../../infra/logger.js";
import { syncReplyChannel, type SyncAnswer } from "../channels.js";

type Waiter = { resolve(answer: SyncAnswer): void };

/**
 * The answers of sync runs for this API process. One bus subscription per process (not one per
 * request): a run started here names this process in `replyTo`, and the worker publishes the final
 * answer on this process's channel.
 */
export class SyncResults {
  readonly instanceId = randomUUID();
  private readonly waiters = new Map<string, Waiter>();
  private subscription: Subscription | undefined;

  constructor(
    private readonly bus: Bus,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    this.subscription = await this.bus.subscribe(syncReplyChannel(this.instanceId), (message) => {
      try {
        const answer = JSON.parse(message) as SyncAnswer;
        this.waiters.get(answer.executionId)?.resolve(answer);
      } catch (error) {
        this.logger.warn({ err: error }, "unreadable sync answer");
      }
    });
  }

  async stop(): Promise<void> {
    await this.subscription?.unsubscribe();
  }

  /**
   * Registered before the run is published, so an answer can never arrive first. Resolves with the
   * answer, or `undefined` when `timeoutMs` passes or `poll` finds the run final first (the poll
   * covers a lost bus message).
   */
  wait(
    executionId: string,
    timeoutMs: number,
    poll: { everyMs: number; check(): Promise<SyncAnswer | undefined> },
  ): { answer: Promise<SyncAnswer | undefined>; cancel(): void } {
    let finish: (answer: SyncAnswer | undefined) => void = () => undefined;
    const answer = new Promise<SyncAnswer | undefined>((resolve) => {
      finish = resolve;
    });
    const timer = setTimeout(() => done(undefined), timeoutMs);
    const poller = setInterval(() => {
      poll.check().then(
        (found) => found && done(found),
        () => undefined,
      );
    }, poll.everyMs);
    const done = (value: SyncAnswer | undefined): void => {
      clearTimeout(timer);
      clearInterval(poller);
      this.waiters.delete(executionId);
      finish(value);
    };
    this.waiters.set(executionId, { resolve: done });
    return { answer, cancel: () => done(undefined) };
  }
}
