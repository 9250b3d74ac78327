/**
 * Work queue port: at-least-once delivery of small persistent messages.
 * Adapters: RabbitMQ (quorum queues) and in-memory, with the same ack/redelivery semantics.
 */

export type QueueDeclaration = {
  name: string;
  /**
   * A message returned (nacked, or left unacked by a consumer that went away) more than this many
   * times is moved to the dead-letter queue `deadLetterQueueName(name)` instead of redelivered.
   */
  deliveryLimit: number;
};

export type QueueMessage = {
  readonly body: Buffer;
  /** 1 on the first delivery, 2 on the first redelivery, … */
  readonly deliveryCount: number;
  ack(): Promise<void>;
  /** Return the message: with `requeue` (the default) it is delivered again, else dead-lettered. */
  nack(options?: { requeue?: boolean }): Promise<void>;
};

/** A handler that throws has its message nacked and requeued. */
export type MessageHandler = (message: QueueMessage) => Promise<void>;

export type Consumer = {
  /** Stop receiving; messages delivered but not yet acked are returned to the queue. */
  cancel(): Promise<void>;
};

export interface WorkQueue {
  readonly adapter: "rabbitmq" | "memory";
  /** Idempotent. Also declares the dead-letter queue. */
  declare(queue: QueueDeclaration): Promise<void>;
  /**
   * Resolves once the broker has taken responsibility for the message (publisher confirm);
   * rejects with UnavailableError when it cannot within the publish timeout. Never drops silently.
   */
  publish(queue: string, body: Buffer): Promise<void>;
  consume(queue: string, handler: MessageHandler, options: { prefetch: number }): Promise<Consumer>;
  /** Number of ready (not in-flight) messages; for health, tests and metrics. */
  depth(queue: string): Promise<number>;
  ping(): Promise<void>;
  /** Closes the connection: unacked messages of its consumers go back to their queues. */
  close(): Promise<void>;
}

export const deadLetterQueueName = (queue: string): string => `${queue}.dead`;
