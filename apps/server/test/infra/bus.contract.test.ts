import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Bus, BusMessageHandler, Lock } from "../../src/infra/bus/bus.js";
import { MemoryBus, globToRegExp } from "../../src/infra/bus/memory-bus.js";
import { RedisBus } from "../../src/infra/bus/redis-bus.js";
import { sleep } from "../../src/infra/timeouts.js";
import { TEST_REDIS_URL, testKeyPrefix } from "../support/services.js";

// Every key this file writes lives under this prefix; afterAll deletes them all.
const FILE_PREFIX = testKeyPrefix("bus-contract");

type Adapter = { name: string; create: (prefix: string) => Promise<Bus> };
const adapters: Adapter[] = [
  { name: "MemoryBus", create: (prefix) => Promise.resolve(new MemoryBus({ prefix })) },
  { name: "RedisBus", create: (prefix) => RedisBus.connect({ url: TEST_REDIS_URL, prefix }) },
];

/** Polls until the assertion passes: timing-dependent checks wait for the condition, not a fixed time. */
const until = <T>(assertion: () => T | Promise<T>, timeout = 5_000): Promise<T> =>
  vi.waitFor(assertion, { timeout, interval: 20 });

function inbox(): { received: [channel: string, message: string][]; handler: BusMessageHandler } {
  const received: [string, string][] = [];
  return { received, handler: (message, channel) => void received.push([channel, message]) };
}

async function mustAcquire(bus: Bus, name: string, ttlMs: number): Promise<Lock> {
  const lock = await bus.acquireLock(name, ttlMs);
  if (!lock) throw new Error(`lock ${name} is held by another owner`);
  return lock;
}

async function scanKeys(redis: Redis, match: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", match, "COUNT", 1_000);
    found.push(...keys);
    cursor = next;
  } while (cursor !== "0");
  return found;
}

afterAll(async () => {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    const keys = await scanKeys(redis, `${FILE_PREFIX}*`);
    for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
  } finally {
    await redis.quit();
  }
});

describe.each(adapters)("Bus contract: $name", ({ name, create }) => {
  let opened: Bus[] = [];
  let bus: Bus;
  const open = async (suffix = ""): Promise<Bus> => {
    // A prefix per test keeps tests independent even when an earlier one left keys or subscriptions behind.
    const created = await create(`${FILE_PREFIX}${name}:${opened.length}:${randomUUID()}:${suffix}`);
    opened.push(created);
    return created;
  };

  beforeEach(async () => {
    bus = await open();
  });
  afterEach(async () => {
    await Promise.all(opened.map((b) => b.close()));
    opened = [];
  });

  it("get returns what set stored, null for a missing key, and delete removes the key", async () => {
    expect(await bus.get("missing")).toBeNull();
    expect(await bus.set("greeting", "hello")).toBe(true);
    expect(await bus.get("greeting")).toBe("hello");
    expect(await bus.set("greeting", "hi")).toBe(true);
    expect(await bus.get("greeting")).toBe("hi");
    await bus.delete("greeting");
    expect(await bus.get("greeting")).toBeNull();
    await expect(bus.delete("greeting")).resolves.toBeUndefined();
  });

  it("set with onlyIfAbsent writes only when the key does not exist", async () => {
    expect(await bus.set("owner", "a", { onlyIfAbsent: true })).toBe(true);
    expect(await bus.set("owner", "b", { onlyIfAbsent: true })).toBe(false);
    expect(await bus.get("owner")).toBe("a");
  });

  it("a key set with a ttl is readable at first and gone once the ttl has passed", async () => {
    const started = performance.now();
    await bus.set("short", "v", { ttlMs: 150 });
    const early = await bus.get("short");
    // Only a stalled machine reads this late, and then the key may rightly be gone already.
    if (performance.now() - started < 100) expect(early).toBe("v");
    await until(async () => expect(await bus.get("short")).toBeNull(), 3_000);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("ttl reports the remaining time of an expiring key and null for missing or persistent keys", async () => {
    expect(await bus.ttl("missing")).toBeNull();
    await bus.set("persistent", "v");
    expect(await bus.ttl("persistent")).toBeNull();
    await bus.set("expiring", "v", { ttlMs: 10_000 });
    const remaining = await bus.ttl("expiring");
    expect(remaining).toBeGreaterThan(5_000);
    expect(remaining).toBeLessThanOrEqual(10_000);
    // A plain set replaces the value and its expiry, as Redis SET does.
    await bus.set("expiring", "w");
    expect(await bus.ttl("expiring")).toBeNull();
  });

  it("increment counts from zero by 1 or by `by`, never expires without ttl, and refuses non-integers", async () => {
    expect(await bus.increment("count")).toBe(1);
    expect(await bus.increment("count", { by: 5 })).toBe(6);
    expect(await bus.increment("count", { by: -2 })).toBe(4);
    expect(await bus.get("count")).toBe("4");
    expect(await bus.ttl("count")).toBeNull();
    await bus.set("text", "abc");
    await expect(bus.increment("text")).rejects.toThrow();
    expect(await bus.get("text")).toBe("abc");
  });

  it("increment with a ttl starts the window when the counter is created; later increments do not extend it", async () => {
    expect(await bus.increment("hits", { ttlMs: 2_000 })).toBe(1);
    expect(await bus.ttl("hits")).toBeGreaterThan(1_500);
    await until(async () => expect(await bus.ttl("hits")).toBeLessThan(1_500));
    expect(await bus.increment("hits", { ttlMs: 2_000 })).toBe(2);
    // Extending the window would have put the remaining time back near 2 000 ms.
    expect(await bus.ttl("hits")).toBeLessThan(1_500);
    await until(async () => expect(await bus.get("hits")).toBeNull(), 5_000);
    expect(await bus.increment("hits", { ttlMs: 2_000 })).toBe(1);
  });

  // Negative checks use a sentinel: messages published before it are delivered before it, so once the
  // sentinel has arrived, anything that was going to be delivered has been.
  it("publish delivers to subscribers of that exact channel only", async () => {
    const orders = inbox();
    await bus.subscribe("orders", orders.handler);
    await bus.publish("orders.created", "wrong-1");
    await bus.publish("order", "wrong-2");
    await bus.publish("ORDERS", "wrong-3");
    await bus.publish("orders", "first");
    await bus.publish("orders", "second");
    await until(() => expect(orders.received).toContainEqual(["orders", "second"]));
    expect(orders.received).toEqual(["first", "second"].map((message) => ["orders", message]));
  });

  it("a pattern subscription receives matching channels with the concrete channel name, and no others", async () => {
    const jobs = inbox();
    const runs = inbox();
    const sentinel = inbox();
    await bus.subscribePattern("jobs.*", jobs.handler);
    await bus.subscribePattern("run.?.[ab]", runs.handler);
    await bus.subscribe("sentinel", sentinel.handler);
    for (const channel of "jobs.1 job.1 jobsX run.1.a run.12.a run.1.c run.x.b xrun.1.a".split(" ")) {
      await bus.publish(channel, `to ${channel}`);
    }
    await bus.publish("sentinel", "done");
    await until(() => expect(sentinel.received).toHaveLength(1));
    expect(jobs.received).toEqual([["jobs.1", "to jobs.1"]]);
    expect(runs.received).toEqual(["run.1.a", "run.x.b"].map((channel) => [channel, `to ${channel}`]));
  });

  it("unsubscribe stops delivery to that subscription but not to others", async () => {
    const removed = inbox();
    const removedPattern = inbox();
    const kept = inbox();
    const sentinel = inbox();
    const subscription = await bus.subscribe("news", removed.handler);
    const patternSubscription = await bus.subscribePattern("new*", removedPattern.handler);
    await bus.subscribe("news", kept.handler);
    await bus.subscribe("sentinel", sentinel.handler);
    await subscription.unsubscribe();
    await patternSubscription.unsubscribe();
    await bus.publish("news", "after unsubscribe");
    await bus.publish("sentinel", "done");
    await until(() => expect(sentinel.received).toHaveLength(1));
    expect(kept.received).toEqual([["news", "after unsubscribe"]]);
    expect(removed.received).toEqual([]);
    expect(removedPattern.received).toEqual([]);
  });

  it("a channel can be subscribed again after its last subscription was removed", async () => {
    const first = inbox();
    const second = inbox();
    await (await bus.subscribe("topic", first.handler)).unsubscribe();
    await (await bus.subscribePattern("top*", first.handler)).unsubscribe();
    await bus.subscribe("topic", second.handler);
    await bus.subscribePattern("top*", second.handler);
    await bus.publish("topic", "back");
    await until(() => expect(second.received).toHaveLength(2));
    // One delivery through the channel subscription and one through the pattern.
    expect(second.received).toEqual([...Array<unknown>(2)].map(() => ["topic", "back"]));
    expect(first.received).toEqual([]);
  });

  it("a held lock cannot be acquired again until its owner releases it", async () => {
    const lock = await mustAcquire(bus, "deploy", 10_000);
    expect(lock.name).toBe("deploy");
    expect(await bus.acquireLock("deploy", 10_000)).toBeNull();
    // Locks are per name.
    await mustAcquire(bus, "other", 10_000);
    await lock.release();
    await mustAcquire(bus, "deploy", 10_000);
  });

  it("renew keeps a lock held past its original ttl", async () => {
    const lock = await mustAcquire(bus, "renewed", 200);
    expect(await lock.renew(10_000)).toBe(true);
    // Proving the absence of expiry needs the original ttl to pass; a longer wait only makes it safer.
    await sleep(400);
    expect(await bus.acquireLock("renewed", 10_000)).toBeNull();
  });

  it("a lock that expired can be taken by another owner, and the old owner can neither renew nor release it", async () => {
    const old = await mustAcquire(bus, "job", 150);
    const taken = await until(() => mustAcquire(bus, "job", 10_000), 3_000);
    expect(await old.renew(10_000)).toBe(false);
    await old.release();
    expect(await bus.acquireLock("job", 10_000)).toBeNull();
    expect(await taken.renew(10_000)).toBe(true);
    await taken.release();
    await mustAcquire(bus, "job", 10_000);
  });

  it("two buses with different prefixes do not see each other's keys, messages or locks", async () => {
    const other = await open("other");
    await bus.set("shared", "mine");
    expect(await other.get("shared")).toBeNull();
    await other.set("shared", "theirs");
    expect(await bus.get("shared")).toBe("mine");
    await mustAcquire(bus, "lock", 10_000);
    await mustAcquire(other, "lock", 10_000);

    const exact = inbox();
    const everything = inbox();
    await other.subscribe("events", exact.handler);
    await other.subscribePattern("*", everything.handler);
    await bus.publish("events", "from the first bus");
    await other.publish("events", "from the other bus");
    await until(() => expect(exact.received).toContainEqual(["events", "from the other bus"]));
    await until(() => expect(everything.received).toContainEqual(["events", "from the other bus"]));
    expect(exact.received).toEqual([["events", "from the other bus"]]);
    expect(everything.received).toEqual([["events", "from the other bus"]]);
  });

  it("a prefix containing glob characters does not widen pattern subscriptions to other prefixes", async () => {
    const base = `${FILE_PREFIX}${name}:glob:${randomUUID()}:`;
    const starred = await create(`${base}x*:`);
    const plain = await create(`${base}xy:`);
    opened.push(starred, plain);
    const received = inbox();
    await starred.subscribePattern("*", received.handler);
    await plain.publish("leak", "should stay in its namespace");
    await starred.publish("own", "ok");
    await until(() => expect(received.received).toContainEqual(["own", "ok"]));
    expect(received.received).toEqual([["own", "ok"]]);
  });
});

describe("MemoryBus specifics", () => {
  it("expires keys and locks against the injected clock, without real waiting", async () => {
    let now = 1_000_000;
    const bus = new MemoryBus({ clock: { now: () => now } });
    await bus.set("k", "v", { ttlMs: 1_000 });
    const lock = await mustAcquire(bus, "l", 1_000);
    now += 999;
    expect(await bus.get("k")).toBe("v");
    expect(await bus.ttl("k")).toBe(1);
    expect(await bus.acquireLock("l", 1_000)).toBeNull();
    now += 1;
    expect(await bus.get("k")).toBeNull();
    await mustAcquire(bus, "l", 1_000);
    expect(await lock.renew(1_000)).toBe(false);
    await bus.close();
  });

  it("matches glob patterns exactly as Redis does", async () => {
    const patterns = "jobs.* run.?.[ab] [^a]* a[b-d]c a[d-b]c x\\*y []x [^]x h[ae]llo *.[0-9]".split(" ");
    const names = "jobs.1 jobs. job.1 run.1.a run.12.a run.1.c abc acc aec x*y xzy ]x zx x".split(" ");
    names.push("hello", "hallo", "a.5", "a.x", "");
    const prefix = `${FILE_PREFIX}glob:`;
    const redis = new Redis(TEST_REDIS_URL);
    try {
      // SCAN MATCH uses the same matcher as PSUBSCRIBE, so Redis itself is the oracle.
      await redis.mset(...names.flatMap((n) => [`${prefix}${n}`, "1"]));
      for (const pattern of patterns) {
        const keys = await scanKeys(redis, `${prefix}${pattern}`);
        const byRedis = [...new Set(keys)].map((k) => k.slice(prefix.length)).sort();
        const regex = globToRegExp(pattern);
        expect(names.filter((n) => regex.test(n)).sort(), pattern).toEqual(byRedis);
      }
    } finally {
      await redis.quit();
    }
  });
});
