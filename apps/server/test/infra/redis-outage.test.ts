import type { ChildProcess } from "node:child_process";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { UnavailableError } from "../../src/errors.js";
import { RedisBus } from "../../src/infra/bus/redis-bus.js";
import { sleep, withTimeout } from "../../src/infra/timeouts.js";
import { killRedis, startPrivateRedis } from "../support/redis-process.js";
import { freePort } from "../support/server-process.js";
import { testKeyPrefix } from "../support/services.js";

// This file runs its own redis-server so it can stop and restart it; the shared Redis on 6379 is never touched.

type LogLine = { level: number; msg: string; connection?: string };

describe("RedisBus during a Redis outage", () => {
  let port: number;
  let redis: ChildProcess | undefined;
  let bus: RedisBus;
  const logLines: LogLine[] = [];
  const received: [channel: string, message: string][] = [];

  beforeAll(async () => {
    port = await freePort();
    redis = await startPrivateRedis(port);
    const logger = pino(
      { level: "info" },
      { write: (line: string) => void logLines.push(JSON.parse(line) as LogLine) },
    );
    bus = await RedisBus.connect({
      url: `redis://127.0.0.1:${port}`,
      prefix: testKeyPrefix("outage"),
      logger,
    });
    await bus.subscribePattern("events.*", (message, channel) => void received.push([channel, message]));
  });

  afterAll(async () => {
    await bus?.close();
    await killRedis(redis);
  });

  it("delivers to the pattern subscription while Redis is up", async () => {
    await bus.publish("events.before", "up");
    await vi.waitFor(() => expect(received).toContainEqual(["events.before", "up"]), { timeout: 5_000 });
  });

  it("with Redis stopped, ping(), get(), publish() and subscribe() reject with UnavailableError within 3 s", async () => {
    await killRedis(redis);
    const operations: [string, () => Promise<unknown>][] = [
      ["ping", () => bus.ping()],
      ["get", () => bus.get("key")],
      ["publish", () => bus.publish("events.during", "down")],
      ["subscribe", () => bus.subscribe("later", () => undefined)],
    ];
    for (const [name, operation] of operations) {
      const started = performance.now();
      // The outer timeout turns a hang into a failure of this assertion instead of a stuck test.
      const outcome = withTimeout(operation(), 3_000, () => new Error(`${name} still pending after 3 s`));
      await expect(outcome, name).rejects.toBeInstanceOf(UnavailableError);
      expect(performance.now() - started, name).toBeLessThan(3_000);
    }
    // Stay down long enough for several reconnect attempts (backoff starts near 100 ms), so that logging
    // every attempt would show up in the log test below.
    await sleep(1_000);
  });

  it("after redis-server starts again on the same port, the same RedisBus answers ping() within 10 s", async () => {
    redis = await startPrivateRedis(port);
    await vi.waitFor(() => bus.ping(), { timeout: 10_000, interval: 100 });
    expect(await bus.set("after", "1")).toBe(true);
    expect(await bus.get("after")).toBe("1");
  });

  it("the pattern subscription made before the outage receives messages again", async () => {
    await vi.waitFor(
      async () => {
        await bus.publish("events.after", "back");
        expect(received).toContainEqual(["events.after", "back"]);
      },
      { timeout: 10_000, interval: 200 },
    );
    expect(received.map(([channel]) => channel)).not.toContain("events.during");
  });

  it("logs the outage once per connection and its end once, not once per reconnect attempt", () => {
    const connections = (msg: string): (string | undefined)[] =>
      logLines
        .filter((line) => line.msg.startsWith(msg))
        .map((line) => line.connection)
        .sort();
    expect(connections("bus connection lost")).toEqual(["command", "subscriber"]);
    expect(connections("bus connection restored")).toEqual(["command", "subscriber"]);
  });
});
