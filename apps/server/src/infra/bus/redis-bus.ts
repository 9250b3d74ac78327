import { createHash, randomUUID } from "node:crypto";
import { Redis, type RedisOptions } from "ioredis";
import { UnavailableError } from "../../errors.js";
import type { Logger } from "../logger.js";
import { backoffDelay, withTimeout } from "../timeouts.js";
import type { Bus, BusMessageHandler, Lock, Subscription } from "./bus.js";

const COMMAND_TIMEOUT_MS = 2_000;
const PING_TIMEOUT_MS = 1_000;

const script = (lua: string) => ({ lua, sha: createHash("sha1").update(lua).digest("hex") });
type Script = ReturnType<typeof script>;

// EXISTS before INCRBY: the window starts when the counter is created and later increments never extend it.
const INCREMENT = script(`local created = redis.call('EXISTS', KEYS[1]) == 0
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if created and tonumber(ARGV[2]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return value`);
const RENEW = script(`if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])`);
const RELEASE = script(`if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])`);

// Replies that mean "not now" rather than "wrong request": unavailability, not a bug to surface as is.
const NOT_NOW = /^(LOADING|READONLY|MASTERDOWN|BUSY|TRYAGAIN|CLUSTERDOWN)\b/;

type Kind = "subscribe" | "psubscribe";
type Listener = { handler: BusMessageHandler; active: boolean };
type Topic = { listeners: Set<Listener>; ready: Promise<unknown> };
export type RedisBusOptions = { url: string; prefix?: string; logger?: Logger; connectTimeoutMs?: number };

const clientOptions = (connectTimeoutMs: number): RedisOptions => ({
  connectTimeout: connectTimeoutMs,
  commandTimeout: COMMAND_TIMEOUT_MS,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  autoResubscribe: true,
  // A timed-out command was reported as failed; resending it on reconnect would apply it late (e.g. INCRBY).
  autoResendUnfulfilledCommands: false,
  // Never gives up (a number every time), with the delay capped so recovery follows Redis within seconds.
  retryStrategy: (attempt) => backoffDelay(attempt, 100, 2_000),
  // Closing during an outage leaves an ioredis timer of this length behind (on a socket already gone).
  disconnectTimeout: 300,
});

/**
 * Bus on Redis. Prefixes keys and channels itself: ioredis `keyPrefix` leaves pub/sub channels unprefixed.
 * Commands fail fast while Redis is down; connections reconnect forever, so the process recovers by itself.
 */
export class RedisBus implements Bus {
  readonly adapter = "redis";
  private subscriber: Redis | undefined;
  private readonly topics: Record<Kind, Map<string, Topic>> = { subscribe: new Map(), psubscribe: new Map() };
  /** Targets whose UNSUBSCRIBE failed during an outage; autoResubscribe would otherwise revive them. */
  private readonly orphans: Record<Kind, Set<string>> = { subscribe: new Set(), psubscribe: new Set() };
  private closed = false;

  private constructor(
    private readonly client: Redis,
    private readonly prefix: string,
    private readonly logger: Logger | undefined,
    private readonly connectTimeoutMs: number,
  ) {
    this.watch(client, "command");
  }

  /** Resolves once connected; rejects with UnavailableError if Redis is not ready within the timeout. */
  static async connect(options: RedisBusOptions): Promise<RedisBus> {
    const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
    const client = new Redis(options.url, clientOptions(connectTimeoutMs));
    const bus = new RedisBus(client, options.prefix ?? "", options.logger, connectTimeoutMs);
    await untilReady(client, connectTimeoutMs).catch(async (err: unknown) => {
      await bus.close();
      throw err;
    });
    return bus;
  }

  get(key: string): Promise<string | null> {
    return this.command((c) => c.get(this.key(key)));
  }

  async set(key: string, value: string, options: Parameters<Bus["set"]>[2] = {}): Promise<boolean> {
    const { ttlMs, onlyIfAbsent = false } = options;
    if (ttlMs !== undefined) assertTtl(ttlMs);
    const k = this.key(key);
    const reply = await this.command((c) => {
      if (ttlMs === undefined) return onlyIfAbsent ? c.set(k, value, "NX") : c.set(k, value);
      return onlyIfAbsent ? c.set(k, value, "PX", ttlMs, "NX") : c.set(k, value, "PX", ttlMs);
    });
    return reply === "OK";
  }

  async delete(key: string): Promise<void> {
    await this.command((c) => c.del(this.key(key)));
  }

  async increment(key: string, options: { by?: number; ttlMs?: number } = {}): Promise<number> {
    const by = options.by ?? 1;
    if (!Number.isSafeInteger(by)) throw new RangeError("increment `by` must be an integer");
    if (options.ttlMs !== undefined) assertTtl(options.ttlMs);
    return Number(await this.evalScript(INCREMENT, this.key(key), by, options.ttlMs ?? 0));
  }

  async ttl(key: string): Promise<number | null> {
    const ms = await this.command((c) => c.pttl(this.key(key)));
    return ms < 0 ? null : ms;
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.command((c) => c.publish(this.key(channel), message));
  }

  subscribe(channel: string, handler: BusMessageHandler): Promise<Subscription> {
    return this.listen("subscribe", this.key(channel), handler);
  }

  subscribePattern(pattern: string, handler: BusMessageHandler): Promise<Subscription> {
    // The prefix is literal text: a `*` or `[` in it must not widen the pattern into other namespaces.
    return this.listen("psubscribe", `${this.prefix.replace(/[*?[\]\\]/g, "\\$&")}${pattern}`, handler);
  }

  async acquireLock(name: string, ttlMs: number): Promise<Lock | null> {
    assertTtl(ttlMs);
    const key = this.key(`lock:${name}`);
    // The random token identifies this owner: after expiry someone else may hold the same key.
    const token = randomUUID();
    const reply = await this.command((c) => c.set(key, token, "PX", ttlMs, "NX"));
    if (reply !== "OK") return null;
    return {
      name,
      renew: async (ttl: number) => {
        assertTtl(ttl);
        return Number(await this.evalScript(RENEW, key, token, ttl)) === 1;
      },
      release: async () => {
        await this.evalScript(RELEASE, key, token);
      },
    };
  }

  async ping(): Promise<void> {
    try {
      await withTimeout(this.client.ping(), PING_TIMEOUT_MS, () => new Error("PING timed out"));
    } catch (err) {
      throw new UnavailableError("bus", `bus did not answer PING: ${message(err)}`, { cause: err });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([shutdown(this.client), this.subscriber && shutdown(this.subscriber)]);
  }

  private key(key: string): string {
    return `${this.prefix}${key}`;
  }

  private async command<T>(run: (client: Redis) => Promise<T>): Promise<T> {
    try {
      return await run(this.client);
    } catch (err) {
      if (err instanceof Error && err.name === "ReplyError" && !NOT_NOW.test(err.message)) throw err;
      throw new UnavailableError("bus", `bus command failed: ${message(err)}`, { cause: err });
    }
  }

  /** EVALSHA with a fallback to EVAL when Redis has not cached the script (first use or after a restart). */
  private evalScript(s: Script, key: string, ...args: (string | number)[]): Promise<unknown> {
    return this.command(async (c) => {
      try {
        return await c.evalsha(s.sha, 1, key, ...args);
      } catch (err) {
        if (!(err instanceof Error && err.message.startsWith("NOSCRIPT"))) throw err;
        return c.eval(s.lua, 1, key, ...args);
      }
    });
  }

  private async listen(kind: Kind, target: string, handler: BusMessageHandler): Promise<Subscription> {
    const sub = await this.subscriberConnection();
    const registry = this.topics[kind];
    const listener: Listener = { handler, active: true };
    let topic = registry.get(target);
    if (!topic) {
      // Registered and sent in one synchronous step: Redis sees (UN)SUBSCRIBEs in registry order, even in races.
      topic = { listeners: new Set(), ready: this.command(() => sub[kind](target)) };
      registry.set(target, topic);
      this.orphans[kind].delete(target);
    }
    topic.listeners.add(listener);
    try {
      // Later subscribers of the same target wait too: publishing right after subscribe must be delivered.
      await topic.ready;
    } catch (err) {
      listener.active = false;
      if (registry.get(target) === topic) registry.delete(target);
      throw err;
    }
    const joined = topic;
    return {
      unsubscribe: async () => {
        if (!listener.active) return;
        listener.active = false;
        joined.listeners.delete(listener);
        if (joined.listeners.size > 0 || registry.get(target) !== joined) return;
        registry.delete(target);
        await this.unlisten(sub, kind, target);
      },
    };
  }

  private async unlisten(sub: Redis, kind: Kind, target: string): Promise<void> {
    try {
      await (kind === "subscribe" ? sub.unsubscribe(target) : sub.punsubscribe(target));
    } catch {
      // The handler is detached already, nothing for the caller to retry; cleaned up on reconnect instead.
      if (!this.closed) this.orphans[kind].add(target);
    }
  }

  private async subscriberConnection(): Promise<Redis> {
    if (this.closed) throw new UnavailableError("bus", "bus is closed");
    if (!this.subscriber) {
      const sub = this.client.duplicate();
      sub.on("message", (chan: string, text: string) => this.dispatch("subscribe", chan, chan, text));
      sub.on("pmessage", (...args: [string, string, string]) => this.dispatch("psubscribe", ...args));
      this.watch(sub, "subscriber");
      // "ready" is emitted after ioredis has re-sent its subscriptions, so these UNSUBSCRIBEs come after them.
      sub.on("ready", () => this.reapOrphans(sub));
      this.subscriber = sub;
    }
    await untilReady(this.subscriber, Math.min(this.connectTimeoutMs, COMMAND_TIMEOUT_MS));
    return this.subscriber;
  }

  private reapOrphans(sub: Redis): void {
    for (const kind of ["subscribe", "psubscribe"] as const) {
      const stale = [...this.orphans[kind]].filter((target) => !this.topics[kind].has(target));
      this.orphans[kind].clear();
      for (const target of stale) void this.unlisten(sub, kind, target);
    }
  }

  private dispatch(kind: Kind, target: string, channel: string, text: string): void {
    const unprefixed = channel.slice(this.prefix.length);
    for (const listener of [...(this.topics[kind].get(target)?.listeners ?? [])]) {
      if (!listener.active || this.closed) continue;
      try {
        listener.handler(text, unprefixed);
      } catch (err) {
        // A throw would unwind into ioredis's reply parser; isolate it and keep delivering.
        this.logger?.error({ err, channel: unprefixed }, "bus message handler failed");
      }
    }
  }

  /** Logs once when a connection is lost and once when it is back, however many retries happen between. */
  private watch(client: Redis, connection: "command" | "subscriber"): void {
    let down = false;
    const lost = (err?: unknown): void => {
      if (down || this.closed) return;
      down = true;
      this.logger?.warn({ err, connection }, "bus connection lost; reconnecting in the background");
    };
    client.on("error", lost).on("close", lost);
    client.on("ready", () => {
      if (!down) return;
      down = false;
      this.logger?.info({ connection }, "bus connection restored");
    });
  }
}

function assertTtl(ttlMs: number): void {
  // Validated here so both adapters reject the same values, with the same error type.
  if (!Number.isInteger(ttlMs) || ttlMs <= 0) throw new RangeError("ttlMs must be a positive integer");
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

async function untilReady(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === "ready") return;
  let onReady = (): void => undefined;
  const ready = new Promise<void>((resolve) => client.once("ready", (onReady = resolve)));
  const timedOut = (): Error => new UnavailableError("bus", `bus not reachable within ${timeoutMs} ms`);
  // Connection errors meanwhile are tolerated: ioredis keeps retrying until the deadline.
  await withTimeout(ready, timeoutMs, timedOut).finally(() => client.off("ready", onReady));
}

/** Quits gracefully when connected, else drops the socket and any pending reconnect timer. */
async function shutdown(client: Redis): Promise<void> {
  const live = client.status === "connecting" || client.status === "connect" || client.status === "ready";
  const ended = new Promise<void>((resolve) => client.once("end", () => resolve()));
  if (client.status === "ready") await client.quit().catch(() => client.disconnect());
  else client.disconnect();
  // Waiting for "end" means no socket is left open when close() resolves.
  if (live) await withTimeout(ended, 2_000, () => new Error("bus close timed out")).catch(() => undefined);
}
