import type { Channel, ChannelModel, ConsumeMessage } from "amqplib";
import type { Logger } from "../logger.js";
import { backoffDelay } from "../timeouts.js";
import { assertQueues, errorMessage, onOwnChannel } from "./rabbitmq-declarations.js";
import type { Consumer, MessageHandler, QueueDeclaration, QueueMessage } from "./work-queue.js";

/** What the consumers need from the connection that owns them. */
export type ConsumerHost = {
  logger?: Logger | undefined;
  /** The connection in service, or null while it is being (re-)established: that restores them all. */
  connection(): ChannelModel | null;
  /** The declaration of a queue, re-asserted before a consumer restarts: the queue may have been deleted. */
  declaration(queue: string): QueueDeclaration | undefined;
};

type ConsumerRecord = {
  queue: string;
  handler: MessageHandler;
  prefetch: number;
  /** The channel it consumes on; null while the consumer is down. */
  channel: Channel | null;
  cancelled: boolean;
  starting: Promise<void> | null;
  /** Failed starts since it was last up: drives the backoff, and logging once per outage. */
  failures: number;
  lastError: string | null;
  retry: NodeJS.Timeout | null;
};

// While there is no connection a retry only waits for it; the reconnect restores every consumer anyway.
const NO_CONNECTION_RETRY_MS = 1_000;

/**
 * The consumers of one RabbitMQ connection. Each has its own channel, so one that fails (its queue
 * deleted, its start refused) is restarted with backoff on its own and never disturbs the others
 * or the connection.
 */
export class RabbitMqConsumers {
  private readonly records = new Set<ConsumerRecord>();
  private closed = false;

  constructor(private readonly host: ConsumerHost) {}

  /** Starts at once when connected (a failure rejects and keeps nothing), else on the next connection. */
  async add(queue: string, handler: MessageHandler, prefetch: number): Promise<Consumer> {
    const record: ConsumerRecord = {
      queue,
      handler,
      prefetch,
      channel: null,
      cancelled: false,
      starting: null,
      failures: 0,
      lastError: null,
      retry: null,
    };
    const connection = this.host.connection();
    if (connection) {
      try {
        await this.start(connection, record);
      } catch (error) {
        this.stop(record);
        throw error;
      }
    }
    this.records.add(record);
    return { cancel: () => this.cancel(record) };
  }

  /** On a new connection, whose declarations are already asserted. Never throws. */
  async restoreAll(connection: ChannelModel): Promise<void> {
    // Iterates the live set, so a consumer added meanwhile is restored too.
    for (const record of this.records) await this.restore(connection, record, false);
  }

  /**
   * Restarts the consumers of a queue that was found missing and was re-created. RabbitMQ 3.10 does
   * not always cancel the consumers of a deleted quorum queue that is re-created at once: they stay
   * attached to nothing and never receive another message. Closing their channel returns whatever
   * that dangling consumer took.
   */
  async restartConsumersOf(queue: string): Promise<void> {
    const connection = this.host.connection();
    if (!connection) return; // the reconnect starts every consumer afresh
    for (const record of this.records) {
      if (record.queue !== queue || !record.channel) continue;
      const channel = record.channel;
      record.channel = null; // so its close is not taken for a loss
      await channel.close().catch(() => undefined);
      await this.restore(connection, record, false);
    }
  }

  /** A description of the consumers that are down, or null when all are up. */
  down(): string | null {
    const down = [...this.records].filter((record) => record.channel === null);
    const first = down[0];
    if (!first) return null;
    return `${down.length} consumer(s) down (${first.queue}: ${first.lastError ?? "restarting"})`;
  }

  close(): void {
    this.closed = true;
    for (const record of this.records) this.stop(record);
  }

  private async cancel(record: ConsumerRecord): Promise<void> {
    this.stop(record);
    this.records.delete(record);
    await record.starting?.catch(() => undefined);
    // Closing the channel returns its unacked deliveries to the queue.
    const channel = record.channel;
    record.channel = null;
    await channel?.close().catch(() => undefined);
  }

  private stop(record: ConsumerRecord): void {
    record.cancelled = true;
    if (record.retry) clearTimeout(record.retry);
    record.retry = null;
  }

  private async restore(connection: ChannelModel, record: ConsumerRecord, reassert: boolean): Promise<void> {
    if (record.cancelled || record.channel || record.starting || this.closed) return;
    if (record.retry) clearTimeout(record.retry);
    record.retry = null;
    const attempt = (async () => {
      const declaration = reassert ? this.host.declaration(record.queue) : undefined;
      if (declaration) await onOwnChannel(connection, (channel) => assertQueues(channel, declaration));
      await this.start(connection, record);
    })();
    record.starting = attempt;
    try {
      await attempt;
      if (record.failures > 0) this.host.logger?.info({ queue: record.queue }, "queue consumer restored");
      record.failures = 0;
      record.lastError = null;
    } catch (error) {
      record.failures += 1;
      record.lastError = errorMessage(error);
      if (record.failures === 1) {
        this.host.logger?.warn(
          { err: record.lastError, queue: record.queue },
          "queue consumer could not be started; retrying",
        );
      }
      this.scheduleRestart(record);
    } finally {
      record.starting = null;
    }
  }

  private scheduleRestart(record: ConsumerRecord): void {
    if (record.retry || record.cancelled || this.closed) return;
    const connected = this.host.connection() !== null;
    const delay = connected ? backoffDelay(record.failures + 1, 200, 10_000) : NO_CONNECTION_RETRY_MS;
    record.retry = setTimeout(() => {
      record.retry = null;
      const connection = this.host.connection();
      if (!connection) return this.scheduleRestart(record);
      void this.restore(connection, record, true);
    }, delay);
  }

  /**
   * Called for a channel closed by the broker or with its connection, or a consumer the broker
   * cancelled (its queue was deleted): the consumer is restarted unless it was cancelled here.
   */
  private lost(record: ConsumerRecord, channel: Channel, why?: string): void {
    if (record.channel !== channel) return;
    record.channel = null;
    void channel.close().catch(() => undefined);
    if (record.cancelled || this.closed) return;
    if (why) this.host.logger?.warn({ queue: record.queue }, `${why}; restarting the consumer`);
    this.scheduleRestart(record);
  }

  private async start(connection: ChannelModel, record: ConsumerRecord): Promise<void> {
    const channel = await connection.createChannel();
    // Widened, not narrowed to "starting": the callbacks below change it while `consume` is awaited.
    let state = "starting" as "starting" | "consuming" | "ended";
    const end = (why?: string) => {
      if (state === "consuming") this.lost(record, channel, why);
      state = "ended";
    };
    channel.on("error", (error: Error) => {
      // A start that fails reports its own error; afterwards the broker's reason is worth a line.
      if (state === "consuming") {
        this.host.logger?.warn({ err: error.message, queue: record.queue }, "RabbitMQ closed a consumer");
      }
    });
    channel.on("close", () => end());
    try {
      await channel.prefetch(record.prefetch);
      await channel.consume(
        record.queue,
        (delivery) => {
          if (delivery) handleDelivery(this.host.logger, channel, record, delivery);
          else end("RabbitMQ cancelled the consumer");
        },
        { noAck: false },
      );
    } catch (error) {
      await channel.close().catch(() => undefined);
      throw error;
    }
    // Closed or cancelled between the broker's consume-ok and here: nothing would ever restart it.
    if (state === "ended" || record.cancelled) {
      await channel.close().catch(() => undefined);
      if (record.cancelled) return;
      throw new Error(`The consumer of ${record.queue} ended as it started`);
    }
    state = "consuming";
    record.channel = channel;
  }
}

function handleDelivery(
  logger: Logger | undefined,
  channel: Channel,
  record: ConsumerRecord,
  delivery: ConsumeMessage,
): void {
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
      logger?.warn(
        { err: errorMessage(error), queue: record.queue },
        "queue handler failed; message requeued",
      );
      return message.nack({ requeue: true });
    });
}
