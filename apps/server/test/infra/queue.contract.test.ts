import { connect as amqpConnect, type ChannelModel } from "amqplib";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { MemoryBroker, MemoryWorkQueue } from "../../src/infra/queue/memory-queue.js";
import { RabbitMqWorkQueue } from "../../src/infra/queue/rabbitmq-queue.js";
import {
  deadLetterQueueName,
  type MessageHandler,
  type QueueMessage,
  type WorkQueue,
} from "../../src/infra/queue/work-queue.js";
import { sleep } from "../../src/infra/timeouts.js";
import { TEST_RABBITMQ_URL, testQueueName } from "../support/services.js";
import { waitUntil } from "../support/wait.js";

// On the machine's shared broker every queue name is unique to this file and deleted after each test.
// Waits use waitUntil's 10 s deadline: long enough for RabbitMQ to redeliver on a loaded 2-core
// machine; polling ends far sooner.
// How long "nothing more arrives" is watched for. A redelivery normally takes milliseconds.
const QUIET_MS = 400;

// The server project does not inherit the root config's timeouts; waits here are bounded by DEADLINE_MS.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

type Harness = {
  /** Opens a new "connection" to the same broker. */
  connect(): Promise<WorkQueue>;
  /** Removes the queues from the broker so nothing piles up on a shared RabbitMQ. */
  deleteQueues(names: string[]): Promise<void>;
  dispose(): Promise<void>;
};

function memoryHarness(): Harness {
  const broker = new MemoryBroker();
  return {
    connect: () => Promise.resolve(new MemoryWorkQueue(broker)),
    deleteQueues: () => Promise.resolve(),
    dispose: () => Promise.resolve(),
  };
}

async function rabbitHarness(): Promise<Harness> {
  // A raw connection outside the adapter, so cleanup works whatever state the adapter is in.
  const admin: ChannelModel = await amqpConnect(TEST_RABBITMQ_URL);
  return {
    connect: () => RabbitMqWorkQueue.connect({ url: TEST_RABBITMQ_URL, publishTimeoutMs: 5_000 }),
    async deleteQueues(names) {
      const channel = await admin.createChannel();
      for (const name of names) {
        await channel.deleteQueue(name);
        await channel.deleteQueue(deadLetterQueueName(name));
      }
      await channel.close();
    },
    dispose: () => admin.close(),
  };
}

/** A handler that records every delivery and then does what `then` says with it. */
function recorder(then: (message: QueueMessage) => Promise<void> = () => Promise.resolve()) {
  const received: QueueMessage[] = [];
  const handler: MessageHandler = async (message) => {
    received.push(message);
    await then(message);
  };
  const bodies = () => received.map((m) => m.body.toString());
  return { received, handler, bodies };
}

const ack = (message: QueueMessage) => message.ack();
const hold = () => Promise.resolve(); // neither ack nor nack: the message stays in flight

describe.each([
  ["memory", () => Promise.resolve(memoryHarness())],
  ["rabbitmq", rabbitHarness],
] as const)("WorkQueue contract on %s", (_adapter, createHarness) => {
  let harness: Harness;
  let connections: WorkQueue[] = [];
  let queues: string[] = [];
  const run = testQueueName("contract");
  let declared = 0;

  beforeAll(async () => {
    harness = await createHarness();
  });

  afterEach(async () => {
    // Close before deleting, so no consumer of a deleted queue is left behind.
    await Promise.all(connections.map((c) => c.close()));
    await harness.deleteQueues(queues);
    connections = [];
    queues = [];
  });

  afterAll(async () => {
    await harness.dispose();
  });

  const open = async (): Promise<WorkQueue> => {
    const connection = await harness.connect();
    connections.push(connection);
    return connection;
  };

  /** A fresh queue declared on each given connection (RabbitMQ publishes only to declared queues). */
  const declareQueue = async (on: WorkQueue[], deliveryLimit = 5): Promise<string> => {
    declared += 1;
    const name = `${run}.${declared}`;
    queues.push(name);
    for (const connection of on) await connection.declare({ name, deliveryLimit });
    return name;
  };

  it("delivers a published message with its body and deliveryCount 1", async () => {
    const queue = await open();
    const name = await declareQueue([queue]);
    await queue.publish(name, Buffer.from("hello"));
    const r = recorder(ack);
    await queue.consume(name, r.handler, { prefetch: 1 });
    await waitUntil("the message is delivered", () => r.received.length >= 1);
    expect(r.bodies()).toEqual(["hello"]);
    expect(r.received[0]?.deliveryCount).toBe(1);
  });

  it("removes an acked message for good", async () => {
    const [first, second] = [await open(), await open()];
    const name = await declareQueue([first, second]);
    await first.publish(name, Buffer.from("done"));
    const r = recorder(ack);
    const consumer = await first.consume(name, r.handler, { prefetch: 1 });
    await waitUntil("the message is delivered", () => r.received.length >= 1);
    // Cancelling returns whatever is unacked; the acked message must not come back.
    await consumer.cancel();
    await waitUntil("the queue is empty", async () => (await second.depth(name)) === 0);
    const later = recorder(ack);
    await second.consume(name, later.handler, { prefetch: 1 });
    await sleep(QUIET_MS);
    expect(later.received).toHaveLength(0);
    expect(r.received).toHaveLength(1);
  });

  it("delivers a message nacked with requeue again, with deliveryCount 2", async () => {
    const queue = await open();
    const name = await declareQueue([queue]);
    await queue.publish(name, Buffer.from("again"));
    const r = recorder((m) => (m.deliveryCount === 1 ? m.nack() : m.ack()));
    await queue.consume(name, r.handler, { prefetch: 1 });
    await waitUntil("the message is delivered twice", () => r.received.length >= 2);
    expect(r.bodies()).toEqual(["again", "again"]);
    expect(r.received.map((m) => m.deliveryCount)).toEqual([1, 2]);
  });

  it("delivers the message of a handler that throws again", async () => {
    const queue = await open();
    const name = await declareQueue([queue]);
    await queue.publish(name, Buffer.from("boom"));
    const r = recorder(async (m) => {
      if (m.deliveryCount === 1) throw new Error("handler failed");
      await m.ack();
    });
    await queue.consume(name, r.handler, { prefetch: 1 });
    await waitUntil("the message is delivered twice", () => r.received.length >= 2);
    expect(r.bodies()).toEqual(["boom", "boom"]);
    expect(r.received[1]?.deliveryCount).toBe(2);
  });

  it("delivers the unacked message of a consumer whose connection dies to another connection", async () => {
    const [dying, survivor] = [await open(), await open()];
    const name = await declareQueue([dying, survivor]);
    await dying.publish(name, Buffer.from("orphan"));
    const lost = recorder(hold);
    await dying.consume(name, lost.handler, { prefetch: 1 });
    await waitUntil("the dying consumer holds the message", () => lost.received.length >= 1);
    // The survivor subscribes first, so the message can only reach it through the return.
    const r = recorder(ack);
    await survivor.consume(name, r.handler, { prefetch: 1 });
    await dying.close();
    await waitUntil("the survivor gets the message", () => r.received.length >= 1);
    expect(r.bodies()).toEqual(["orphan"]);
    expect(r.received[0]?.deliveryCount).toBe(2);
  });

  it("returns the unacked messages of a cancelled consumer", async () => {
    const queue = await open();
    const name = await declareQueue([queue]);
    await queue.publish(name, Buffer.from("handed back"));
    const first = recorder(hold);
    const consumer = await queue.consume(name, first.handler, { prefetch: 1 });
    await waitUntil("the message is delivered", () => first.received.length >= 1);
    await consumer.cancel();
    const second = recorder(ack);
    await queue.consume(name, second.handler, { prefetch: 1 });
    await waitUntil("the message is delivered again", () => second.received.length >= 1);
    expect(second.bodies()).toEqual(["handed back"]);
    expect(first.received).toHaveLength(1);
  });

  it("keeps at most `prefetch` unacked deliveries in flight per consumer", async () => {
    const queue = await open();
    const name = await declareQueue([queue]);
    for (let i = 0; i < 5; i += 1) await queue.publish(name, Buffer.from(`m${i}`));
    const r = recorder(hold);
    await queue.consume(name, r.handler, { prefetch: 2 });
    await waitUntil("two messages are in flight", () => r.received.length >= 2);
    await sleep(QUIET_MS);
    expect(r.received).toHaveLength(2);
    expect(await queue.depth(name)).toBe(3);
    // Each ack frees one slot, and exactly one more message follows.
    await r.received[0]?.ack();
    await waitUntil("a third message is delivered", () => r.received.length >= 3);
    await sleep(QUIET_MS);
    expect(r.received).toHaveLength(3);
    for (const message of r.received.slice(1)) await message.ack();
    await waitUntil("all five are delivered", () => r.received.length >= 5);
    expect(new Set(r.bodies())).toEqual(new Set(["m0", "m1", "m2", "m3", "m4"]));
  });

  it("dead-letters a message returned more than deliveryLimit times, after exactly limit+1 deliveries", async () => {
    const queue = await open();
    const limit = 2;
    const name = await declareQueue([queue], limit);
    await queue.publish(name, Buffer.from("poison"));
    const r = recorder((m) => m.nack({ requeue: true }));
    await queue.consume(name, r.handler, { prefetch: 1 });
    const dead = recorder(ack);
    await queue.consume(deadLetterQueueName(name), dead.handler, { prefetch: 1 });
    await waitUntil("the message reaches the dead-letter queue", () => dead.received.length >= 1);
    expect(dead.bodies()).toEqual(["poison"]);
    await sleep(QUIET_MS);
    expect(r.received.map((m) => m.deliveryCount)).toEqual([1, 2, 3]);
    expect(await queue.depth(name)).toBe(0);
  });

  it("counts returns by consumers that died towards the delivery limit", async () => {
    const limit = 1;
    const observer = await open();
    const name = await declareQueue([observer], limit);
    await observer.publish(name, Buffer.from("crashes its worker"));
    const dead = recorder(ack);
    await observer.consume(deadLetterQueueName(name), dead.handler, { prefetch: 1 });
    // Each worker takes the message and dies without settling it, as a crashing process would.
    for (let delivery = 1; delivery <= limit + 1; delivery += 1) {
      const worker = await open();
      const r = recorder(hold);
      await worker.consume(name, r.handler, { prefetch: 1 });
      await waitUntil(`delivery ${delivery} reaches a worker`, () => r.received.length >= 1);
      expect(r.received[0]?.deliveryCount).toBe(delivery);
      await worker.close();
    }
    await waitUntil("the message reaches the dead-letter queue", () => dead.received.length >= 1);
    expect(dead.bodies()).toEqual(["crashes its worker"]);
  });

  it("dead-letters a message nacked without requeue immediately", async () => {
    const queue = await open();
    const name = await declareQueue([queue], 5);
    await queue.publish(name, Buffer.from("rejected"));
    const r = recorder((m) => m.nack({ requeue: false }));
    await queue.consume(name, r.handler, { prefetch: 1 });
    const dead = recorder(ack);
    await queue.consume(deadLetterQueueName(name), dead.handler, { prefetch: 1 });
    await waitUntil("the message reaches the dead-letter queue", () => dead.received.length >= 1);
    expect(dead.bodies()).toEqual(["rejected"]);
    await sleep(QUIET_MS);
    expect(r.received).toHaveLength(1);
  });

  it("delivers 200 published messages exactly once each when every one is acked", async () => {
    const [publisher, worker] = [await open(), await open()];
    const name = await declareQueue([publisher, worker]);
    const sent = Array.from({ length: 200 }, (_, i) => `message-${i}`);
    await Promise.all(sent.map((body) => publisher.publish(name, Buffer.from(body))));
    const r = recorder(ack);
    await worker.consume(name, r.handler, { prefetch: 20 });
    await waitUntil("all 200 are delivered", () => r.received.length >= 200);
    await sleep(QUIET_MS);
    expect(r.received).toHaveLength(200);
    expect([...r.bodies()].sort()).toEqual([...sent].sort());
    expect(r.received.every((m) => m.deliveryCount === 1)).toBe(true);
    await waitUntil("the queue is empty", async () => (await worker.depth(name)) === 0);
  });
});
