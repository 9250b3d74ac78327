import { connect as amqpConnect, type ChannelModel } from "amqplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RabbitMqWorkQueue, UnroutableMessageError } from "../../src/infra/queue/rabbitmq-queue.js";
import { deadLetterQueueName, type QueueMessage } from "../../src/infra/queue/work-queue.js";
import { TEST_RABBITMQ_URL, testQueueName } from "../support/services.js";

let admin: ChannelModel;
let queue: RabbitMqWorkQueue;
const created: string[] = [];

beforeAll(async () => {
  admin = await amqpConnect(TEST_RABBITMQ_URL);
  queue = await RabbitMqWorkQueue.connect({ url: TEST_RABBITMQ_URL, publishTimeoutMs: 5_000 });
});
afterAll(async () => {
  await queue.close();
  const channel = await admin.createChannel();
  for (const name of created) {
    await channel.deleteQueue(name);
    await channel.deleteQueue(deadLetterQueueName(name));
  }
  await admin.close();
});

async function declared(): Promise<string> {
  const name = testQueueName("publish");
  created.push(name);
  await queue.declare({ name, deliveryLimit: 3 });
  return name;
}

describe("RabbitMQ publishing", () => {
  it("a publish to a queue deleted behind the adapter's back fails loudly instead of being dropped", async () => {
    const name = await declared();
    const channel = await admin.createChannel();
    await channel.deleteQueue(name);
    await channel.close();
    await expect(queue.publish(name, Buffer.from("lost?"))).rejects.toBeInstanceOf(UnroutableMessageError);
    // The connection is still usable afterwards.
    const other = await declared();
    await expect(queue.publish(other, Buffer.from("fine"))).resolves.toBeUndefined();
    expect(await queue.depth(other)).toBe(1);
  });

  it("a consume of a missing queue rejects and leaves the connection serving other consumers", async () => {
    await expect(queue.consume(testQueueName("missing"), async () => {}, { prefetch: 1 })).rejects.toThrow();
    const name = await declared();
    const received: string[] = [];
    await queue.consume(
      name,
      async (message: QueueMessage) => {
        received.push(message.body.toString());
        await message.ack();
      },
      { prefetch: 1 },
    );
    await queue.publish(name, Buffer.from("after the failed consume"));
    const deadline = Date.now() + 10_000;
    while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(received).toEqual(["after the failed consume"]);
  });
});
