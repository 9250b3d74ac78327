import { execFile } from "node:child_process";
import { createServer, connect as netConnect, type Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { connect as amqpConnect, type Channel, type ChannelModel } from "amqplib";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { RabbitMqWorkQueue } from "../../src/infra/queue/rabbitmq-queue.js";
import { deadLetterQueueName, type QueueMessage, type WorkQueue } from "../../src/infra/queue/work-queue.js";
import { sleep } from "../../src/infra/timeouts.js";
import { TEST_RABBITMQ_URL, testQueueName } from "../support/services.js";
import { pingFails, waitUntil } from "../support/wait.js";
import { freePort } from "../support/server-process.js";

// Reconnects, consumer restarts and a child node process each take seconds on a loaded 2-core machine.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 30_000 });

const run = promisify(execFile);
const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const FAILED_CONNECT = fileURLToPath(new URL("./fixtures/failed-connect.ts", import.meta.url));

let admin: ChannelModel;
let connections: WorkQueue[] = [];
let proxies: TcpProxy[] = [];
let queues: string[] = [];

beforeAll(async () => {
  admin = await amqpConnect(TEST_RABBITMQ_URL);
});
afterEach(async () => {
  // Close the adapters first, so no consumer restart re-creates a queue after it is deleted.
  await Promise.all(connections.map((c) => c.close()));
  await Promise.all(proxies.map((p) => p.close()));
  await withAdmin(async (channel) => {
    for (const name of queues) {
      await channel.deleteQueue(name);
      await channel.deleteQueue(deadLetterQueueName(name));
    }
  });
  connections = [];
  proxies = [];
  queues = [];
});
afterAll(async () => {
  await admin.close();
});

/** Runs `work` on a raw channel outside the adapter, as an operator or another service would. */
async function withAdmin<T>(work: (channel: Channel) => Promise<T>): Promise<T> {
  const channel = await admin.createChannel();
  channel.on("error", () => undefined); // a refused operation also rejects `work`
  try {
    return await work(channel);
  } finally {
    await channel.close().catch(() => undefined); // already closed by a refusal
  }
}

const newQueueName = (): string => {
  const name = testQueueName("recovery");
  queues.push(name);
  return name;
};

async function open(url = TEST_RABBITMQ_URL): Promise<RabbitMqWorkQueue> {
  const queue = await RabbitMqWorkQueue.connect({ url, publishTimeoutMs: 10_000 });
  connections.push(queue);
  return queue;
}

async function declared(queue: WorkQueue): Promise<string> {
  const name = newQueueName();
  await queue.declare({ name, deliveryLimit: 3 });
  return name;
}

/** A handler recording its deliveries; acks each one unless told to hold it. */
function recorder(settle: "ack" | "hold" = "ack") {
  const received: QueueMessage[] = [];
  return {
    received,
    bodies: () => received.map((m) => m.body.toString()),
    handler: async (message: QueueMessage) => {
      received.push(message);
      if (settle === "ack") await message.ack();
    },
  };
}

/** A TCP proxy in front of the shared broker, so a test can cut the adapter's connection alone. */
type TcpProxy = { url: string; setAccepting(on: boolean): void; drop(): void; close(): Promise<void> };

async function startProxy(): Promise<TcpProxy> {
  const target = new URL(TEST_RABBITMQ_URL);
  const sockets = new Set<Socket>();
  let accepting = true;
  const server = createServer((client) => {
    if (!accepting) return void client.destroy();
    const broker = netConnect(Number(target.port || 5672), target.hostname);
    for (const [socket, peer] of [
      [client, broker],
      [broker, client],
    ] as const) {
      sockets.add(socket);
      socket.on("error", () => undefined);
      socket.on("close", () => {
        sockets.delete(socket);
        peer.destroy();
      });
      socket.pipe(peer);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP port");
  const url = new URL(TEST_RABBITMQ_URL);
  url.hostname = "127.0.0.1";
  url.port = String(address.port);
  const drop = () => {
    for (const socket of sockets) socket.destroy();
  };
  const proxy: TcpProxy = {
    url: url.toString(),
    setAccepting: (on) => {
      accepting = on;
    },
    drop,
    close: () => {
      drop();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  proxies.push(proxy);
  return proxy;
}

/** Cuts the adapter's connection and keeps it from reconnecting until `restore()`. */
async function outage(proxy: TcpProxy, queue: WorkQueue): Promise<{ restore(): void }> {
  proxy.setAccepting(false);
  proxy.drop();
  await waitUntil("the adapter notices the outage", () => pingFails(queue));
  return { restore: () => proxy.setAccepting(true) };
}

describe("RabbitMqWorkQueue recovery from failures of single queues and consumers", () => {
  it("rejects declare() of a queue whose existing arguments conflict, and keeps serving other queues", async () => {
    const queue = await open();
    const conflicting = newQueueName();
    await withAdmin((channel) => channel.assertQueue(conflicting, { durable: true })); // a classic queue
    await expect(queue.declare({ name: conflicting, deliveryLimit: 3 })).rejects.toThrow(
      /PRECONDITION_FAILED/,
    );
    // The refused declaration is not kept: it is not replayed on reconnects, and publishing to it is refused.
    await expect(queue.publish(conflicting, Buffer.from("x"))).rejects.toThrow(/is not declared/);
    await expect(queue.ping()).resolves.toBeUndefined();
    const good = await declared(queue);
    const r = recorder();
    await queue.consume(good, r.handler, { prefetch: 1 });
    await queue.publish(good, Buffer.from("still works"));
    await waitUntil("the good queue delivers", () => r.bodies().includes("still works"));
  });

  it("reconnects and restores the other queues when the broker refuses one stored declaration", async () => {
    const proxy = await startProxy();
    const queue = await open(proxy.url);
    const [spoiled, good] = [await declared(queue), await declared(queue)];
    const r = recorder();
    await queue.consume(good, r.handler, { prefetch: 1 });
    const down = await outage(proxy, queue);
    // Meanwhile an operator replaces one queue by a classic queue: its declaration now conflicts.
    await withAdmin(async (channel) => {
      await channel.deleteQueue(spoiled);
      await channel.assertQueue(spoiled, { durable: true });
    });
    down.restore();
    await waitUntil("the adapter reconnects", async () => !(await pingFails(queue)));
    await queue.publish(good, Buffer.from("after the reconnect"));
    await waitUntil("the restored consumer delivers", () => r.bodies().includes("after the reconnect"));
  });

  it("retries a consumer of a missing queue registered while disconnected, reporting it in ping(), without failing the connection", async () => {
    const proxy = await startProxy();
    const queue = await open(proxy.url);
    const good = await declared(queue);
    const missing = newQueueName();
    const down = await outage(proxy, queue);
    const r = recorder();
    await queue.consume(missing, r.handler, { prefetch: 1 }); // kept, to be started on the reconnect
    down.restore();
    // The connection comes back for everything else…
    await queue.publish(good, Buffer.from("published after the reconnect"));
    // …while ping() reports the consumer that cannot start.
    await expect(queue.ping()).rejects.toThrow(/1 consumer\(s\) down/);
    // Once the queue exists, a retry starts the consumer.
    await withAdmin((channel) =>
      channel.assertQueue(missing, { durable: true, arguments: { "x-queue-type": "quorum" } }),
    );
    await waitUntil("the consumer is started", async () => !(await pingFails(queue)));
    await withAdmin(async (channel) => {
      channel.sendToQueue(missing, Buffer.from("finally"), { persistent: true });
    });
    await waitUntil("the consumer delivers", () => r.bodies().includes("finally"));
  });

  it("restarts a consumer the broker cancels because its queue was deleted, re-creating the queue", async () => {
    const queue = await open();
    const name = await declared(queue);
    const r = recorder();
    await queue.consume(name, r.handler, { prefetch: 1 });
    // Deleting the queue makes the broker cancel the consumer (amqplib delivers `null`); the restart
    // asserts the queue again from its declaration.
    await withAdmin((channel) => channel.deleteQueue(name));
    await waitUntil("the queue is back", () =>
      withAdmin((channel) => channel.checkQueue(name)).then(
        () => true,
        () => false,
      ),
    );
    await waitUntil("ping() is ok again", async () => !(await pingFails(queue)), 5_000);
    await queue.publish(name, Buffer.from("after"));
    await waitUntil(
      "the restarted consumer receives the new message",
      () => r.bodies().includes("after"),
      5_000,
    );
  });

  it("restarts a consumer whose queue is deleted and re-declared at once, which then receives new messages", async () => {
    const queue = await open();
    const name = await declared(queue);
    const r = recorder();
    await queue.consume(name, r.handler, { prefetch: 1 });
    await queue.publish(name, Buffer.from("before"));
    await waitUntil("the consumer works", () => r.bodies().includes("before"));
    // Re-created at once, RabbitMQ 3.10 may leave the consumer attached to nothing, without a cancel.
    await withAdmin((channel) => channel.deleteQueue(name));
    await queue.declare({ name, deliveryLimit: 3 });
    await queue.publish(name, Buffer.from("after"));
    await waitUntil("the same consumer receives the new message", () => r.bodies().includes("after"), 5_000);
    await waitUntil("ping() is ok again", async () => !(await pingFails(queue)), 5_000);
  });

  it("rejects depth() of a missing queue without returning the consumers' unacked messages", async () => {
    const queue = await open();
    const name = await declared(queue);
    const r = recorder("hold");
    await queue.consume(name, r.handler, { prefetch: 1 });
    await queue.publish(name, Buffer.from("held"));
    await waitUntil("the consumer holds the message", () => r.received.length >= 1);
    await expect(queue.depth(testQueueName("missing"))).rejects.toThrow(/NOT_FOUND/);
    // A connection restart would return the held message, and it would be delivered again.
    await sleep(1_000);
    expect(r.received.map((m) => m.deliveryCount)).toEqual([1]);
    await queue.publish(name, Buffer.from("next"));
    expect(await queue.depth(name)).toBe(1);
    await r.received[0]?.ack();
    await waitUntil("the next message is delivered", () => r.bodies().includes("next"));
    expect(r.bodies()).toEqual(["held", "next"]);
  });

  it("leaves nothing running after a connect() that fails, so the process can exit", async () => {
    const port = await freePort(); // nothing listens there
    // The child connects with waitMs 300; a reconnect loop left running would keep it alive until killed.
    const { stdout } = await run(process.execPath, ["--import", "tsx", FAILED_CONNECT, String(port)], {
      cwd: REPO_ROOT,
      timeout: 20_000,
    });
    expect(stdout.trim()).toBe("unavailable");
  });
});
