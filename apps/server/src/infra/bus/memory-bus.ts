import { randomUUID } from "node:crypto";
import { UnavailableError } from "../../errors.js";
import { systemClock, type Clock } from "../clock.js";
import type { Logger } from "../logger.js";
import type { Bus, BusMessageHandler, Lock, Subscription } from "./bus.js";

type Entry = { value: string; expiresAt: number | null };
type Listener = { handler: BusMessageHandler; active: boolean };
type PatternListener = Listener & { regex: RegExp };

// Expiry is lazy (checked on read), so keys that are never read again would stay forever; sweeping when the
// map has doubled since the last sweep keeps memory bounded at amortised O(1) per write.
const MIN_SWEEP_SIZE = 1_024;

/**
 * Bus for a single process. Mirrors the Redis adapter's observable behaviour (same key layout, asynchronous
 * delivery, glob semantics) so the same contract tests hold for both.
 */
export class MemoryBus implements Bus {
  readonly adapter = "memory";
  private readonly prefix: string;
  private readonly clock: Clock;
  private readonly logger: Logger | undefined;
  private readonly entries = new Map<string, Entry>();
  private readonly channels = new Map<string, Set<Listener>>();
  private readonly patterns = new Set<PatternListener>();
  private sweepAt = MIN_SWEEP_SIZE;
  private closed = false;

  constructor(options: { prefix?: string; clock?: Clock; logger?: Logger } = {}) {
    this.prefix = options.prefix ?? "";
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger;
  }

  get(key: string): Promise<string | null> {
    return this.run(() => this.read(this.key(key))?.value ?? null);
  }

  set(
    key: string,
    value: string,
    options: { ttlMs?: number; onlyIfAbsent?: boolean } = {},
  ): Promise<boolean> {
    return this.run(() => {
      if (options.ttlMs !== undefined) assertTtl(options.ttlMs);
      const k = this.key(key);
      if (options.onlyIfAbsent && this.read(k)) return false;
      this.write(k, value, options.ttlMs);
      return true;
    });
  }

  delete(key: string): Promise<void> {
    return this.run(() => {
      this.entries.delete(this.key(key));
    });
  }

  increment(key: string, options: { by?: number; ttlMs?: number } = {}): Promise<number> {
    return this.run(() => {
      const by = options.by ?? 1;
      if (!Number.isSafeInteger(by)) throw new RangeError("increment `by` must be an integer");
      if (options.ttlMs !== undefined) assertTtl(options.ttlMs);
      const k = this.key(key);
      const entry = this.read(k);
      if (!entry) {
        this.write(k, String(by), options.ttlMs);
        return by;
      }
      const next = Number(entry.value) + by;
      // Same refusal as Redis INCRBY on a non-integer value, so callers see one behaviour.
      if (!/^-?\d+$/.test(entry.value) || !Number.isSafeInteger(next)) {
        throw new Error("value is not an integer or out of range");
      }
      entry.value = String(next);
      return next;
    });
  }

  ttl(key: string): Promise<number | null> {
    return this.run(() => {
      const entry = this.read(this.key(key));
      if (entry?.expiresAt == null) return null;
      return Math.max(0, entry.expiresAt - this.clock.now());
    });
  }

  publish(channel: string, message: string): Promise<void> {
    return this.run(() => {
      // Recipients are fixed at publish time and exact subscribers come before patterns, as in Redis.
      const recipients: Listener[] = [...(this.channels.get(channel) ?? [])];
      for (const listener of this.patterns) if (listener.regex.test(channel)) recipients.push(listener);
      // Delivered later, never inside publish(): callers must not come to rely on synchronous delivery,
      // which Redis cannot give them.
      for (const listener of recipients) queueMicrotask(() => this.deliver(listener, message, channel));
    });
  }

  subscribe(channel: string, handler: BusMessageHandler): Promise<Subscription> {
    return this.run(() => {
      const listener: Listener = { handler, active: true };
      let listeners = this.channels.get(channel);
      if (!listeners) this.channels.set(channel, (listeners = new Set()));
      listeners.add(listener);
      const registered = listeners;
      return this.subscription(listener, () => {
        registered.delete(listener);
        if (registered.size === 0 && this.channels.get(channel) === registered) this.channels.delete(channel);
      });
    });
  }

  subscribePattern(pattern: string, handler: BusMessageHandler): Promise<Subscription> {
    return this.run(() => {
      const listener: PatternListener = { handler, active: true, regex: globToRegExp(pattern) };
      this.patterns.add(listener);
      return this.subscription(listener, () => this.patterns.delete(listener));
    });
  }

  acquireLock(name: string, ttlMs: number): Promise<Lock | null> {
    return this.run(() => {
      assertTtl(ttlMs);
      const key = this.key(`lock:${name}`);
      if (this.read(key)) return null;
      // The token makes release/renew owner-checked: after expiry another owner may hold the same key.
      const token = randomUUID();
      this.write(key, token, ttlMs);
      const held = (): Entry | undefined => {
        const entry = this.read(key);
        return entry?.value === token ? entry : undefined;
      };
      return {
        name,
        renew: (ttl: number) =>
          this.run(() => {
            assertTtl(ttl);
            const entry = held();
            if (entry) entry.expiresAt = this.clock.now() + ttl;
            return entry !== undefined;
          }),
        release: () =>
          this.run(() => {
            if (held()) this.entries.delete(key);
          }),
      };
    });
  }

  ping(): Promise<void> {
    return this.run(() => undefined);
  }

  close(): Promise<void> {
    this.closed = true;
    for (const listeners of this.channels.values()) for (const listener of listeners) listener.active = false;
    for (const listener of this.patterns) listener.active = false;
    this.channels.clear();
    this.patterns.clear();
    this.entries.clear();
    return Promise.resolve();
  }

  /** Runs synchronously but reports through a promise, so a throw becomes a rejection as with Redis. */
  private run<T>(operation: () => T): Promise<T> {
    return new Promise<T>((resolve) => {
      if (this.closed) throw new UnavailableError("bus", "bus is closed");
      resolve(operation());
    });
  }

  private subscription(listener: Listener, remove: () => void): Subscription {
    return {
      unsubscribe: () => {
        listener.active = false;
        remove();
        return Promise.resolve();
      },
    };
  }

  private deliver(listener: Listener, message: string, channel: string): void {
    // Unsubscribing between publish and delivery drops the message, as the Redis adapter does.
    if (!listener.active) return;
    try {
      listener.handler(message, channel);
    } catch (err) {
      // One failing handler must not break delivery to others nor crash the process from a microtask.
      if (this.logger) this.logger.error({ err, channel }, "bus message handler failed");
      else process.emitWarning(`bus message handler for ${channel} failed: ${String(err)}`);
    }
  }

  private key(key: string): string {
    return `${this.prefix}${key}`;
  }

  private read(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry?.expiresAt != null && entry.expiresAt <= this.clock.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private write(key: string, value: string, ttlMs: number | undefined): void {
    this.entries.set(key, { value, expiresAt: ttlMs === undefined ? null : this.clock.now() + ttlMs });
    if (this.entries.size >= this.sweepAt) {
      for (const k of [...this.entries.keys()]) this.read(k);
      this.sweepAt = Math.max(MIN_SWEEP_SIZE, this.entries.size * 2);
    }
  }
}

function assertTtl(ttlMs: number): void {
  // Redis rejects PX values that are not positive integers; refusing them here keeps both adapters equal.
  if (!Number.isInteger(ttlMs) || ttlMs <= 0) throw new RangeError("ttlMs must be a positive integer");
}

const escapeRegExp = (text: string): string => text.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");

/** Compiles a Redis glob (`*`, `?`, `[a-z]`, `[^x]`, `\` escapes) to an anchored RegExp, as Redis matches it. */
export function globToRegExp(pattern: string): RegExp {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === "*") source += "[\\s\\S]*";
    else if (c === "?") source += "[\\s\\S]";
    else if (c === "\\" && i + 1 < pattern.length) source += escapeRegExp(pattern.charAt(++i));
    else if (c === "[") {
      const parsed = compileClass(pattern, i + 1);
      source += parsed.source;
      i = parsed.end;
    } else source += escapeRegExp(c);
  }
  return new RegExp(`^${source}$`);
}

/** Parses a bracket class starting after `[`; returns its regex and the index of the closing `]`. */
function compileClass(pattern: string, start: number): { source: string; end: number } {
  let i = start;
  const negate = pattern.charAt(i) === "^";
  if (negate) i++;
  let body = "";
  // Like Redis: `]` always closes (even first), and an unterminated class is closed at the end.
  for (; i < pattern.length && pattern.charAt(i) !== "]"; i++) {
    const c = pattern.charAt(i);
    if (c === "\\" && i + 1 < pattern.length) {
      body += escapeRegExp(pattern.charAt(++i));
    } else if (pattern.charAt(i + 1) === "-" && i + 2 < pattern.length) {
      const other = pattern.charAt(i + 2);
      // Redis accepts reversed ranges (`[z-a]`); a RegExp would throw on them.
      const [low, high] = c <= other ? [c, other] : [other, c];
      body += `${escapeRegExp(low)}-${escapeRegExp(high)}`;
      i += 2;
    } else {
      body += escapeRegExp(c);
    }
  }
  if (body === "") return { source: negate ? "[\\s\\S]" : "(?!)", end: i };
  return { source: `[${negate ? "^" : ""}${body}]`, end: i };
}
