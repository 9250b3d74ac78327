import { randomUUID } from "node:crypto";
import {
  connect,
  type Channel,
  type ChannelModel,
  type ConfirmChannel,
  type ConsumeMessage,
  type Message,
} from "amqplib";
import { UnavailableError } from "../../errors.js";
import type { Logger } from "../logger.js";
import { backoffDelay, sleep, withTimeout } from "../timeouts.js";
import {
  deadLetterQueueName,
  type Consumer,
  type MessageHandler,
  type QueueDeclaration,
  type QueueMessage,
  type WorkQueue,
} from "./work-queue.js";

export type RabbitMqOptions = {
  url: string;
  logger?: Logger;
  /** How long a publish may wait for a connection and a confirm before it fails loudly. */
  publishTimeoutMs?: number;
};

type ConsumerRecord = {
  queue: string;
  handler: MessageHandler;
  prefetch: number;
  channel: Channel | null;
  cancelled: boolean;
};

const HEARTBEAT_SECONDS = 10;

/**
 * RabbitMQ adapter: durable quorum queues, persistent messages, publisher confirms, manual ack,
 * per-consumer prefetch, dead-lettering past `deliveryLimit` (x-delivery-limit).
 * The connection is re-established with backoff; declarations and consumers are restored on it.
 */
export class RabbitMqWorkQueue implements WorkQueue {
  readonly adapter = "rabbitmq";
  private connection: ChannelModel | null = null;
  private publishChannel: ConfirmChannel | null = null;
  private readonly declarations = new Map<string, QueueDeclaration>();
  private readonly consumers = new Set<ConsumerRecord>();
  private connectedWaiters: Array<() => void> = [];
  private connecting: Promise<void> | null = null;
  private closed = false;
  private lastError: string | null = null;
  private readonly publishTimeoutMs: number;

  private constructor(private readonly options: RabbitMqOptions) {
    this.publishTimeoutMs = options.publishTimeoutMs ?? 10_000;
  }

  /** Connects in the background; waits up to `waitMs` for the first connection. */
  static async connect(options: RabbitMqOptions & { waitMs?: number }): Promise<RabbitMqWorkQueue> {
    const queue = new RabbitMqWorkQueue(options);
    queue.ensureConnecting();
    await queue.waitForChannel(Date.now() + (options.waitMs ?? 10_000));
    return queue;
  }

  async declare(queue: QueueDeclaration): Promise<void> {
    this.declarations.set(queue.name, queue);
    const channel = await this.waitForChannel(Date.now() + this.publishTimeoutMs);
    await assertQueues(channel, queue);
  }

  async publish(queue: string, body: Buffer): Promise<void> {
    if (!this.declarations.has(queue)) throw new Error(`Queue ${queue} must be declared before publishing`);
    const deadline = Date.now() + this.publishTimeoutMs;
    let lastFailure: unknown;
    for (let attempt = 1; ; attempt += 1) {
      const channel = await this.waitForChannel(deadline);
      try {
        await withTimeout(
          confirmPublish(channel, queue, body),
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

  async consume(queue: string, handler: MessageHandler, options: { prefetch: number }): Promise<Consumer> {
    const record: ConsumerRecord = {
      queue,
      handler,
      prefetch: options.prefetch,
      channel: null,
      cancelled: false,
    };
    this.consumers.add(record);
    if (this.connection) {
      try {
        await this.startConsumer(this.connection, record);
      } catch (error) {
        // A record left behind would fail every later reconnect while being restored.
        this.consumers.delete(record);
        throw error;
      }
    }
    return {
      cancel: async () => {
        record.cancelled = true;
        this.consumers.delete(record);
        // Closing the channel returns its unacked deliveries to the queue.
        await record.channel?.close().catch(() => undefined);
        record.channel = null;
      },
    };
  }

  async depth(queue: string): Promise<number> {
    const channel = await this.waitForChannel(Date.now() + this.publishTimeoutMs);
    const { messageCount } = await channel.checkQueue(queue);
    return messageCount;
  }

  ping(): Promise<void> {
    if (this.closed) return Promise.reject(new UnavailableError("queue", "The queue connection is closed"));
    if (!this.connection || !this.publishChannel) {
      return Promise.reject(
        new UnavailableError(
          "queue",
          `RabbitMQ is not connected${this.lastError ? `: ${this.lastError}` : ""}`,
        ),
      );
    }
    return Promise.resolve();
  }

  async close(): Promise<void> {
    this.closed = true;
    const connection = this.connection;
    this.connection = null;
    this.publishChannel = null;
    for (const waiter of this.connectedWaiters.splice(0)) waiter();
    await connection?.close().catch(() => undefined);
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
        const message = error instanceof Error ? error.message : String(error);
        // One log line per outage, not one per retry.
        if (this.lastError === null)
          this.options.logger?.warn({ err: message }, "RabbitMQ unreachable; retrying");
        this.lastError = message;
        await sleep(backoffDelay(attempt, 100, 5_000));
      }
    }
  }

  private async openConnection(): Promise<void> {
    const connection = await connect(withHeartbeat(this.options.url), { timeout: 5_000 });
    try {
      connection.on("error", (error: Error) =>
        this.options.logger?.warn({ err: error.message }, "RabbitMQ error"),
      );
      const channel = await connection.createConfirmChannel();
      for (const declaration of this.declarations.values()) await assertQueues(channel, declaration);
      for (const record of this.consumers) await this.startConsumer(connection, record);
      // Any unexpected close of the connection or of the publish channel restarts everything.
      connection.on("close", () => this.onConnectionLost(connection));
      channel.on("close", () => {
        if (this.connection === connection) connection.close().catch(() => this.onConnectionLost(connection));
      });
      channel.on("error", () => undefined);
      if (this.closed) {
        await connection.close();
        return;
      }
      this.connection = connection;
      this.publishChannel = channel;
      this.lastError = null;
      for (const waiter of this.connectedWaiters.splice(0)) waiter();
    } catch (error) {
      await connection.close().catch(() => undefined);
      throw error;
    }
  }

  private onConnectionLost(connection: ChannelModel): void {
    if (this.connection !== connection) return;
    this.connection = null;
    this.publishChannel = null;
    for (const record of this.consumers) record.channel = null;
    if (this.closed) return;
    this.lastError = "connection closed";
    this.options.logger?.warn("RabbitMQ connection lost; reconnecting");
    this.ensureConnecting();
  }

  private async waitForChannel(deadline: number): Promise<ConfirmChannel> {
    while (!this.closed) {
      if (this.publishChannel) return this.publishChannel;
      this.ensureConnecting();
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.connectedWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    throw new UnavailableError(
      "queue",
      this.closed
        ? "The queue connection is closed"
        : `RabbitMQ is not reachable${this.lastError ? `: ${this.lastError}` : ""}`,
    );
  }

  private async startConsumer(connection: ChannelModel, record: ConsumerRecord): Promise<void> {
    if (record.cancelled) return;
    const channel = await connection.createChannel();
    channel.on("error", () => undefined);
    await channel.prefetch(record.prefetch);
    record.channel = channel;
    await channel.consume(
      record.queue,
      (delivery) => {
        if (delivery) this.handleDelivery(channel, record, delivery);
      },
      { noAck: false },
    );
  }

  private handleDelivery(channel: Channel, record: ConsumerRecord, delivery: ConsumeMessage): void {
    let settled = false;
    // A delivery can only be settled on the channel it came on; if that channel is gone the
    // broker has already returned the message, so settling is a no-op.
    const settle = (action: () => void): Promise<void> => {
      if (settled) return Promise.resolve();
      settled = true;
      try {
        action();
      } catch {
        /* channel closed: the message was returned to the queue by the broker */
      }
      return Promise.resolve();
    };
    const priorReturns = Number(delivery.properties.headers?.["x-delivery-count"] ?? 0);
    const message: QueueMessage = {
      body: delivery.content,
      deliveryCount: priorReturns + 1,
      ack: () => settle(() => channel.ack(delivery)),
      nack: (options) => settle(() => channel.nack(delivery, false, options?.requeue !== false)),
    };
    Promise.resolve()
      .then(() => record.handler(message))
      .catch((error: unknown) => {
        this.options.logger?.warn(
          { err: error instanceof Error ? error.message : String(error), queue: record.queue },
          "queue handler failed; message requeued",
        );
        return message.nack({ requeue: true });
      });
  }
}

async function assertQueues(channel: Channel, declaration: QueueDeclaration): Promise<void> {
  const deadLetter = deadLetterQueueName(declaration.name);
  await channel.assertQueue(deadLetter, { durable: true, arguments: { "x-queue-type": "quorum" } });
  await channel.assertQueue(declaration.name, {
    durable: true,
    arguments: {
      "x-queue-type": "quorum",
      "x-delivery-limit": declaration.deliveryLimit,
      "x-dead-letter-exchange": "",
      "x-dead-letter-routing-key": deadLetter,
      // Quorum queues dead-letter at-most-once by default; at-least-once never loses a message.
      "x-dead-letter-strategy": "at-least-once",
      "x-overflow": "reject-publish",
    },
  });
}

/** Raised when the broker returns a message because no queue takes it (e.g. deleted by an operator). */
export class UnroutableMessageError extends Error {
  override readonly name = "UnroutableMessageError";
}

const returnedIds = new WeakMap<ConfirmChannel, Set<string>>();

/**
 * `mandatory` makes RabbitMQ return a message that no queue took instead of confirming and dropping
 * it; the return arrives before the confirm, so the confirm callback can tell the two apart.
 */
function confirmPublish(channel: ConfirmChannel, queue: string, body: Buffer): Promise<void> {
  let returned = returnedIds.get(channel);
  if (!returned) {
    const ids = new Set<string>();
    channel.on("return", (message: Message) => {
      if (typeof message.properties.messageId === "string") ids.add(message.properties.messageId);
    });
    returnedIds.set(channel, ids);
    returned = ids;
  }
  const messageId = randomUUID();
  const wasReturned = returned;
  return new Promise((resolve, reject) => {
    try {
      channel.publish(
        "",
        queue,
        body,
        { persistent: true, mandatory: true, messageId, contentType: "application/json" },
        (error) => {
          if (error) return reject(error instanceof Error ? error : new Error("message nacked by RabbitMQ"));
          if (wasReturned.delete(messageId))
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
