import { execFile } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { UnavailableError } from "../../src/errors.js";
import { RabbitMqWorkQueue } from "../../src/infra/queue/rabbitmq-queue.js";
import type { QueueMessage, WorkQueue } from "../../src/infra/queue/work-queue.js";
import { sleep } from "../../src/infra/timeouts.js";
import { pingFails, waitUntil as waitUntilWithin } from "../support/wait.js";
import { freePort } from "../support/server-process.js";

// A private node restarting on a loaded machine: longer than the usual deadline.
const waitUntil = (what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 30_000) =>
  waitUntilWithin(what, probe, timeoutMs);

// Starting a node takes ~10 s and each CLI call a few; on a loaded 2-core machine many times that.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

const run = promisify(execFile);
// The /usr/sbin wrappers re-run these as the `rabbitmq` user when called as root, dropping HOME and
// losing access to our temporary directory; the real scripts live here.
const RABBITMQ_BIN = existsSync("/usr/lib/rabbitmq/bin/rabbitmq-server") ? "/usr/lib/rabbitmq/bin/" : "";

/** A throwaway RabbitMQ node of this test file: restarting it never disturbs the shared broker. */
type PrivateNode = { url: string; ctl(...args: string[]): Promise<void>; destroy(): Promise<void> };

async function startPrivateNode(): Promise<PrivateNode> {
  const dir = await mkdtemp(join(tmpdir(), "bifrost-rabbitmq-"));
  const [port, distPort] = [await freePort(), await freePort()];
  const node = `bifrost-test-${randomUUID().slice(0, 8)}@localhost`;
  await mkdir(join(dir, "mnesia"));
  await mkdir(join(dir, "log"));
  await writeFile(join(dir, "enabled_plugins"), "[].\n"); // no management plugin: faster start
  // Our own config replaces /etc/rabbitmq/rabbitmq.conf, which would bind the shared node's 5672.
  await writeFile(join(dir, "rabbitmq.conf"), `listeners.tcp.default = 127.0.0.1:${port}\n`);
  await writeFile(join(dir, "rabbitmq-env.conf"), ""); // ignore the shared node's NODENAME in /etc
  // A private cookie in a private HOME, shared by the node and the CLI calls below.
  await writeFile(join(dir, ".erlang.cookie"), randomBytes(20).toString("hex").toUpperCase());
  await chmod(join(dir, ".erlang.cookie"), 0o400);
  const pidFile = join(dir, "rabbitmq.pid");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: dir,
    RABBITMQ_NODENAME: node,
    RABBITMQ_NODE_IP_ADDRESS: "127.0.0.1",
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_MNESIA_BASE: join(dir, "mnesia"),
    RABBITMQ_LOG_BASE: join(dir, "log"),
    RABBITMQ_PID_FILE: pidFile,
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, "enabled_plugins"),
    RABBITMQ_CONFIG_FILE: join(dir, "rabbitmq.conf"),
    RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, "advanced.config"),
    RABBITMQ_CONF_ENV_FILE: join(dir, "rabbitmq-env.conf"),
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: "-kernel inet_dist_use_interface {127,0,0,1}",
    ERL_EPMD_ADDRESS: "127.0.0.1",
  };
  const ctl = async (...args: string[]): Promise<void> => {
    await run(`${RABBITMQ_BIN}rabbitmqctl`, ["-n", node, ...args], { env, timeout: 120_000 });
  };
  const destroy = async (): Promise<void> => {
    try {
      await ctl("stop");
    } catch {
      // The CLI could not reach the node: end the process we started, by its id.
      const pid = Number(await readFile(pidFile, "utf8").catch(() => ""));
      if (pid > 0) process.kill(pid, "SIGKILL");
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await run(`${RABBITMQ_BIN}rabbitmq-server`, ["-detached"], { env, timeout: 30_000 });
    await ctl("wait", pidFile, "--timeout", "120");
  } catch (error) {
    await destroy();
    throw error;
  }
  return { url: `amqp://guest:guest@127.0.0.1:${port}`, ctl, destroy };
}

describe("RabbitMqWorkQueue across a RabbitMQ restart", () => {
  let node: PrivateNode;
  let connections: WorkQueue[] = [];
  let declared = 0;

  beforeAll(async () => {
    node = await startPrivateNode();
  });

  afterEach(async () => {
    await Promise.all(connections.map((c) => c.close()));
    connections = [];
  });

  afterAll(async () => {
    await node?.destroy();
  });

  const open = async (publishTimeoutMs: number): Promise<WorkQueue> => {
    const queue = await RabbitMqWorkQueue.connect({ url: node.url, publishTimeoutMs });
    connections.push(queue);
    return queue;
  };

  const declareQueue = async (queue: WorkQueue): Promise<string> => {
    declared += 1;
    const name = `bifrost-test.restart.${declared}`;
    await queue.declare({ name, deliveryLimit: 5 });
    return name;
  };

  /** Collects the distinct bodies on `name`, acking each, until `expected` are all there. */
  const drain = async (queue: WorkQueue, name: string, expected: Set<string>): Promise<string[]> => {
    const received: string[] = [];
    const handler = async (message: QueueMessage): Promise<void> => {
      received.push(message.body.toString());
      await message.ack();
    };
    const consumer = await queue.consume(name, handler, { prefetch: 50 });
    await waitUntil("every confirmed message is consumed", () =>
      [...expected].every((b) => received.includes(b)),
    );
    await sleep(500); // anything still in the queue arrives too, so `received` is complete
    await consumer.cancel();
    return received;
  };

  it("confirms a publish made while RabbitMQ restarts after reconnecting, or fails it loudly, never drops it", async () => {
    // Generous, so that on a slow machine the publishes made during the outage outlast it.
    const queue = await open(60_000);
    const name = await declareQueue(queue);
    let restarted = false;
    let outage: { from: number; to: number } | undefined;
    const publishes: Array<{ body: string; startedAt: number; result: Promise<"confirmed" | "failed"> }> = [];
    // Publishes until well after the restart, however long the CLI takes, so the two overlap.
    const publishSteadily = async (): Promise<void> => {
      for (let i = 0, afterRestart = 0; afterRestart < 10; i += 1) {
        const body = `restart-${i}-${randomUUID()}`;
        const result = queue.publish(name, Buffer.from(body)).then(
          () => "confirmed" as const,
          (error: unknown) => {
            // The only acceptable failure is a loud UnavailableError; anything else fails the test.
            if (error instanceof UnavailableError) return "failed" as const;
            throw error;
          },
        );
        publishes.push({ body, startedAt: Date.now(), result });
        if (restarted) afterRestart += 1;
        await sleep(80);
      }
    };
    const restartPartWay = async (): Promise<void> => {
      await sleep(800);
      await node.ctl("stop_app");
      const from = Date.now();
      await waitUntil("the adapter notices the outage", () => pingFails(queue));
      await sleep(1_500);
      outage = { from, to: Date.now() };
      await node.ctl("start_app");
      restarted = true;
    };
    await Promise.all([publishSteadily(), restartPartWay()]);
    const outcomes = await Promise.all(publishes.map((p) => p.result));
    const confirmed = new Set(publishes.filter((_, i) => outcomes[i] === "confirmed").map((p) => p.body));
    // The restart really overlapped the publishes: some were made while the broker was down.
    const duringOutage = publishes.filter(
      (p) => outage && p.startedAt >= outage.from && p.startedAt <= outage.to,
    );
    expect(duringOutage.length).toBeGreaterThan(0);
    // Those waited for the reconnect and were confirmed after it.
    expect(duringOutage.some((p) => confirmed.has(p.body))).toBe(true);
    const received = await drain(queue, name, confirmed);
    // Every confirmed message survived the restart; duplicates (a re-publish after a lost confirm) are allowed.
    expect([...confirmed].filter((body) => !received.includes(body))).toEqual([]);
    // Nothing arrives that was never published.
    expect(received.filter((body) => !publishes.some((p) => p.body === body))).toEqual([]);
  });

  it("rejects a publish with UnavailableError within the publish timeout while RabbitMQ is down", async () => {
    const queue = await open(1_500);
    const name = await declareQueue(queue);
    await node.ctl("stop_app");
    try {
      await waitUntil("the adapter notices the outage", () => pingFails(queue));
      await expect(queue.ping()).rejects.toBeInstanceOf(UnavailableError);
      const startedAt = Date.now();
      await expect(queue.publish(name, Buffer.from("nowhere to go"))).rejects.toBeInstanceOf(
        UnavailableError,
      );
      const elapsed = Date.now() - startedAt;
      expect(elapsed).toBeGreaterThanOrEqual(1_400);
      expect(elapsed).toBeLessThan(4_000);
    } finally {
      await node.ctl("start_app");
    }
    // Once the broker is back the same connection recovers on its own.
    await waitUntil("the adapter reconnects", async () => !(await pingFails(queue)));
    await expect(queue.publish(name, Buffer.from("back again"))).resolves.toBeUndefined();
  });

  it("restores a consumer registered before the restart, which then receives new messages", async () => {
    const [worker, publisher] = [await open(20_000), await open(20_000)];
    const name = await declareQueue(publisher);
    await worker.declare({ name, deliveryLimit: 5 });
    const received: string[] = [];
    await worker.consume(
      name,
      async (message) => {
        received.push(message.body.toString());
        await message.ack();
      },
      { prefetch: 5 },
    );
    await publisher.publish(name, Buffer.from("before"));
    await waitUntil("the consumer works before the restart", () => received.includes("before"));
    await node.ctl("stop_app");
    await waitUntil("the worker notices the outage", () => pingFails(worker));
    await node.ctl("start_app");
    await publisher.publish(name, Buffer.from("after"));
    await waitUntil("the restored consumer gets the new message", () => received.includes("after"));
    // "before" may arrive twice: its ack can be lost with the restart (at-least-once).
    expect(received.filter((body) => body !== "before")).toEqual(["after"]);
  });
});
