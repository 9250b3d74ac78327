import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import { connect, type ChannelModel, type ConfirmChannel, type Message } from "amqplib";
import { UnavailableError } from "../../errors.js";
import type { Logger } from "../logger.js";
import { backoffDelay, sleep, withTimeout } from "../timeouts.js";
import { RabbitMqConsumers } from "./rabbitmq-consumers.js";
import { assertQueues, declareQueues, errorMessage, onOwnChannel } from "./rabbitmq-declarations.js";
import type { Consumer, MessageHandler, QueueDeclaration, WorkQueue } from "./work-queue.js";

export type RabbitMqOptions = {
  url: string;
  logger?: Logger;
  /** How long a publish may wait for a connection and a confirm before it fails loudly. */
  publishTimeoutMs?: number;
};

/** The connection in service with its confirm channel for publishing. */
type Live = {
  connection: ChannelModel;
  publish: ConfirmChannel;
  /** Ids of messages the broker returned as unroutable on `publish`, until their confirm arrives. */
  returned: Set<string>;
};

const HEARTBEAT_SECONDS = 10;

/**
 * RabbitMQ adapter: durable quorum queues, persistent messages, publisher confirms, manual ack,
 * per-consumer prefetch, dead-lettering past `deliveryLimit` (x-delivery-limit).
 * The connection is re-established with backoff; declarations and consumers are restored on it one
 * by one, so one the broker refuses never keeps the connection down.
 */
export class RabbitMqWorkQueue implements WorkQueue {
  readonly adapter = "rabbitmq";
  private live: Live | null = null;
  private readonly declarations = new Map<string, QueueDeclaration>();
  private readonly consumers: RabbitMqConsumers;
  private readonly waiters = new Set<() => void>();
  private connecting: Promise<void> | null = null;
  /** Aborted by close(): stops the reconnect loop, including its backoff sleep. */
  private readonly closing = new AbortController();
  private lastError: string | null = null;
  private readonly publishTimeoutMs: number;

  private constructor(private readonly options: RabbitMqOptions) {
    this.publishTimeoutMs = options.publishTimeoutMs ?? 10_000;
    this.consumers = new RabbitMqConsumers({
      logger: options.logger,
      connection: () => this.live?.connection ?? null,
      declaration: (queue) => this.declarations.get(queue),
    });
  }

  /** Connects in the background; waits up to `waitMs` for the first connection. */
  static async connect(options: RabbitMqOptions & { waitMs?: number }): Promise<RabbitMqWorkQueue> {
    const queue = new RabbitMqWorkQueue(options);
    queue.ensureConnecting();
    try {
      await queue.waitForConnection(Date.now() + (options.waitMs ?? 10_000));
    } catch (error) {
      // Nobody gets this instance to close: its reconnect loop would keep the process alive forever.
      await queue.close();
      throw error;
    }
    return queue;
  }

  async declare(queue: QueueDeclaration): Promise<void> {
    let created: boolean;
    try {
      const { connection } = await this.waitForConnection(Date.now() + this.publishTimeoutMs);
      created = await declareQueues(connection, queue);
    } catch (error) {
      if (error instanceof UnavailableError) throw error;
      throw new Error(`Could not declare queue ${queue.name}: ${errorMessage(error)}`, { cause: error });
    }
    // Kept only once the broker accepted it: every reconnect asserts what is kept.
    this.declarations.set(queue.name, queue);
    // Consumers of ours on a queue that did not exist consumed from a deleted one.
    if (created) await this.consumers.restartConsumersOf(queue.name);
  }

  async publish(queue: string, body: Buffer): Promise<void> {
    if (!this.declarations.has(queue)) throw new Error(`Queue ${queue} is not declared`);
    const deadline = Date.now() + this.publishTimeoutMs;
    let lastFailure: unknown;
    for (let attempt = 1; ; attempt += 1) {
      const live = await this.waitForConnection(deadline);
      try {
        await withTimeout(
          confirmPublish(live, queue, body),
          Math.max(1, deadline - Date.now()),
          () => new UnavailableError("queue", "RabbitMQ did not confirm the message in time"),
        );
        return;
      } catch (error) {
        if (error instanceof UnroutableMessageError) throw error;
        // Not confirmed (channel closed mid-flight, or nacked): publish again on the next channel.
        // A duplicate is possible and harmless: consumers claim work with a compare-and-set.
        lastFailure = error;
        if (Date.now() >= deadline) break;
        await sleep(Math.min(backoffDelay(attempt, 50, 1_000), Math.max(0, deadline - Date.now())));
      }
    }
    throw new UnavailableError("queue", "The message could not be published to RabbitMQ", {
      cause: lastFailure,
    });
  }

  consume(queue: string, handler: MessageHandler, options: { prefetch: number }): Promise<Consumer> {
    return this.consumers.add(queue, handler, options.prefetch);
  }

  async depth(queue: string): Promise<number> {
    const { connection } = await this.waitForConnection(Date.now() + this.publishTimeoutMs);
    const { messageCount } = await onOwnChannel(connection, (channel) => channel.checkQueue(queue));
    return messageCount;
  }

  ping(): Promise<void> {
    if (this.closed) return Promise.reject(new UnavailableError("queue", "The queue connection is closed"));
    if (!this.live) {
      return Promise.reject(
        new UnavailableError(
          "queue",
          `RabbitMQ is not connected${this.lastError ? `: ${this.lastError}` : ""}`,
        ),
      );
    }
    const down = this.consumers.down();
    return down ? Promise.reject(new UnavailableError("queue", down)) : Promise.resolve();
  }

  async close(): Promise<void> {
    this.closing.abort();
    this.consumers.close();
    const live = this.live;
    this.live = null;
    for (const wake of [...this.waiters]) wake();
    await live?.connection.close().catch(() => undefined);
    // An attempt in flight sees `closed` and closes what it opened; after this nothing is left running.
    await this.connecting;
  }

  private get closed(): boolean {
    return this.closing.signal.aborted;
  }

  private ensureConnecting(): void {
    if (this.connecting || this.closed) return;
    this.connecting = this.connectLoop().finally(() => {
      this.connecting = null;
    });
  }

  private async connectLoop(): Promise<void> {
    for (let attempt = 1; !this.closed; attempt += 1) {
      try {
        await this.openConnection();
        if (attempt > 1) this.options.logger?.info({ attempt }, "RabbitMQ connection restored");
        return;
      } catch (error) {
        const message = errorMessage(error);
        // One log line per outage, not one per retry.
        if (this.lastError === null)
          this.options.logger?.warn({ err: message }, "RabbitMQ unreachable; retrying");
        this.lastError = message;
        // Aborted by close(), which resolves at once instead of after the backoff.
        await delay(backoffDelay(attempt, 100, 5_000), undefined, { signal: this.closing.signal }).catch(
          () => undefined,
        );
      }
    }
  }

  private async openConnection(): Promise<void> {
    const connection = await connect(withHeartbeat(this.options.url), { timeout: 5_000, noDelay: true });
    const state = { lost: false };
    // Any unexpected close of the connection or of the publish channel restarts everything.
    connection.on("close", () => {
      state.lost = true;
      this.onConnectionLost(connection);
    });
    connection.on("error", (error: Error) =>
      this.options.logger?.warn({ err: error.message }, "RabbitMQ error"),
    );
    try {
      const publish = await connection.createConfirmChannel();
      publish.on("error", () => undefined); // the connection is restarted on its close
      publish.on("close", () => {
        connection.close().catch(() => this.onConnectionLost(connection));
      });
      const returned = new Set<string>();
      publish.on("return", (message: Message) => {
        if (typeof message.properties.messageId === "string") returned.add(message.properties.messageId);
      });
      // One by one: a record the broker refuses is logged and skipped, never fails the connection.
      for (const declaration of this.declarations.values()) {
        await onOwnChannel(connection, (channel) => assertQueues(channel, declaration)).catch(
          (error: unknown) =>
            this.options.logger?.warn(
              { err: errorMessage(error), queue: declaration.name },
              "RabbitMQ refused a queue declaration on reconnect",
            ),
        );
      }
      await this.consumers.restoreAll(connection); // a consumer that fails is retried on its own
      if (state.lost) throw new Error("The connection closed while it was being restored");
      if (this.closed) {
        await connection.close();
        return;
      }
      this.live = { connection, publish, returned };
      this.lastError = null;
      for (const wake of [...this.waiters]) wake();
    } catch (error) {
      await connection.close().catch(() => undefined);
      throw error;
    }
  }

  private onConnectionLost(connection: ChannelModel): void {
    if (this.live?.connection !== connection) return;
    this.live = null;
    if (this.closed) return;
    this.lastError = "connection closed";
    this.options.logger?.warn("RabbitMQ connection lost; reconnecting");
    this.ensureConnecting();
  }

  private async waitForConnection(deadline: number): Promise<Live> {
    while (!this.closed) {
      if (this.live) return this.live;
      this.ensureConnecting();
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      await new Promise<void>((resolve) => {
        // Removed when its timer fires too, so the waits of a long outage do not pile up.
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, remaining);
        this.waiters.add(wake);
      });
    }
    throw new UnavailableError(
      "queue",
      this.closed
        ? "The queue connection is closed"
        : `RabbitMQ is not reachable${this.lastError ? `: ${this.lastError}` : ""}`,
    );
  }
}

/** Raised when the broker returns a message because no queue takes it (e.g. deleted by an operator). */
export class UnroutableMessageError extends Error {
  override readonly name = "UnroutableMessageError";
}

/**
 * `mandatory` makes RabbitMQ return a message that no queue took instead of confirming and dropping
 * it; the return arrives before the confirm, so the confirm callback can tell the two apart.
 */
function confirmPublish({ publish, returned }: Live, queue: string, body: Buffer): Promise<void> {
  const messageId = randomUUID();
  return new Promise((resolve, reject) => {
    try {
      publish.publish(
        "",
        queue,
        body,
        { persistent: true, mandatory: true, messageId, contentType: "application/json" },
        (error) => {
          if (error) return reject(error instanceof Error ? error : new Error("message nacked by RabbitMQ"));
          if (returned.delete(messageId))
            return reject(new UnroutableMessageError(`No queue ${queue} takes the message`));
          resolve();
        },
      );
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

/** Heartbeats let a silent network failure be noticed within seconds, not at the next TCP timeout. */
function withHeartbeat(url: string): string {
  const parsed = new URL(url);
  if (!parsed.searchParams.has("heartbeat")) parsed.searchParams.set("heartbeat", String(HEARTBEAT_SECONDS));
  return parsed.toString();
}
