import net from "node:net";
import { connect as amqpConnect } from "amqplib";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "../../src/db/database.js";
import { RedisBus } from "../../src/infra/bus/redis-bus.js";
import { RabbitMqWorkQueue } from "../../src/infra/queue/rabbitmq-queue.js";
import { deadLetterQueueName } from "../../src/infra/queue/work-queue.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { TEST_RABBITMQ_URL, TEST_REDIS_URL, testKeyPrefix, testQueueName } from "../support/services.js";

// Every connection the platform opens to PostgreSQL, Redis and RabbitMQ sends its small writes at
// once (TCP_NODELAY). With Nagle's algorithm on, a write that follows another not yet acknowledged
// waits for the peer's delayed ACK: amqplib leaves Nagle on unless asked, and `npm start` on the real
// services (API and worker publishing and acknowledging on one connection) answered sync runs in
// ~44 ms instead of ~6 (bench/README.md, issue 19). Node has no getter for the option, so the test
// records every socket's connect and setNoDelay calls.

const opened = new Set<net.Socket>();
const noDelayOf = new Map<net.Socket, boolean>();
// The prototype's own functions, put back after the test (they are called with the socket as `this`).
const prototype = net.Socket.prototype;
const original = Object.getOwnPropertyDescriptors(prototype);
const originalConnect = original.connect?.value as (this: net.Socket, ...args: unknown[]) => net.Socket;
const originalSetNoDelay = original.setNoDelay?.value as (this: net.Socket, noDelay?: boolean) => net.Socket;

let database: TestDatabase;
let handle: DatabaseHandle | undefined;
let bus: RedisBus | undefined;
let queue: RabbitMqWorkQueue | undefined;
const queueName = testQueueName("nodelay");

beforeAll(async () => {
  database = await createTestDatabase();
  prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    opened.add(this);
    return originalConnect.apply(this, args);
  };
  prototype.setNoDelay = function (this: net.Socket, noDelay?: boolean) {
    noDelayOf.set(this, noDelay ?? true);
    return originalSetNoDelay.call(this, noDelay);
  };
});

afterAll(async () => {
  prototype.connect = originalConnect;
  prototype.setNoDelay = originalSetNoDelay;
  await queue?.close();
  const admin = await amqpConnect(TEST_RABBITMQ_URL);
  const channel = await admin.createChannel();
  await channel.deleteQueue(queueName);
  await channel.deleteQueue(deadLetterQueueName(queueName));
  await admin.close();
  await bus?.close();
  await handle?.close();
  await database.drop();
});

/** The sockets opened to `port` so far, each with what setNoDelay last set (undefined: never called). */
const socketsTo = (port: number): Array<boolean | undefined> =>
  [...opened].filter((socket) => socket.remotePort === port).map((socket) => noDelayOf.get(socket));

describe("connections to the services", () => {
  it("turn Nagle's algorithm off on every socket: PostgreSQL, Redis and RabbitMQ", async () => {
    handle = await openDatabase({ engine: "postgres", url: database.url, poolSize: 2 });
    await handle.db.execute(sql`select 1`);
    bus = await RedisBus.connect({ url: TEST_REDIS_URL, prefix: testKeyPrefix("nodelay") });
    await bus.publish("nodelay", "x");
    queue = await RabbitMqWorkQueue.connect({ url: TEST_RABBITMQ_URL, publishTimeoutMs: 5_000 });
    await queue.declare({ name: queueName, deliveryLimit: 3 });
    await queue.publish(queueName, Buffer.from("x"));

    for (const [service, port] of [
      ["PostgreSQL", 5432],
      ["Redis", 6379],
      ["RabbitMQ", 5672],
    ] as const) {
      const sockets = socketsTo(port);
      expect(sockets.length, `${service}: no connection seen`).toBeGreaterThan(0);
      expect(sockets, `${service}: every socket with TCP_NODELAY`).toEqual(sockets.map(() => true));
    }
  });
});
