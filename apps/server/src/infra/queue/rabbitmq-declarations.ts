import type { Channel, ChannelModel } from "amqplib";
import { deadLetterQueueName, type QueueDeclaration } from "./work-queue.js";

/** AMQP reply code of an operation on a queue that does not exist. */
const NOT_FOUND = 404;

/**
 * Asserts a queue and its dead-letter queue; resolves whether the queue had to be created.
 * Rejects (with the broker's reason) when the queue exists with other arguments.
 */
export async function declareQueues(
  connection: ChannelModel,
  declaration: QueueDeclaration,
): Promise<boolean> {
  const existed = await onOwnChannel(connection, (channel) => channel.checkQueue(declaration.name)).then(
    () => true,
    (error: unknown) => {
      if ((error as { code?: unknown }).code === NOT_FOUND) return false;
      throw error;
    },
  );
  await onOwnChannel(connection, (channel) => assertQueues(channel, declaration));
  return !existed;
}

/**
 * Runs `work` on a channel of its own, closed afterwards. An operation the broker refuses (404,
 * 406) closes the channel it ran on; on a shared channel that would restart the whole connection.
 */
export async function onOwnChannel<T>(
  connection: ChannelModel,
  work: (channel: Channel) => Promise<T>,
): Promise<T> {
  const channel = await connection.createChannel();
  channel.on("error", () => undefined); // the refusal also rejects `work`, which reports it
  try {
    return await work(channel);
  } finally {
    await channel.close().catch(() => undefined);
  }
}

export async function assertQueues(channel: Channel, declaration: QueueDeclaration): Promise<void> {
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

export const errorMessage = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
