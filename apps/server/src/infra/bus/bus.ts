/**
 * Bus port: the shared fast state of every process — key/value with TTL, counters, pub/sub with
 * pattern subscribe, and locks with TTL. Adapters: Redis and in-memory (one process).
 * Every key and channel is namespaced by the adapter's `prefix`.
 */

export type Subscription = { unsubscribe(): Promise<void> };

export type BusMessageHandler = (message: string, channel: string) => void;

export type Lock = {
  readonly name: string;
  /** Extends the lock; false if it was lost (expired and taken, or released). */
  renew(ttlMs: number): Promise<boolean>;
  /** Releases the lock if still held by this owner; never another owner's. */
  release(): Promise<void>;
};

export interface Bus {
  readonly adapter: "redis" | "memory";
  get(key: string): Promise<string | null>;
  /** Returns false when `onlyIfAbsent` is set and the key exists. */
  set(key: string, value: string, options?: { ttlMs?: number; onlyIfAbsent?: boolean }): Promise<boolean>;
  delete(key: string): Promise<void>;
  /**
   * Adds `by` (default 1) and returns the new value. `ttlMs` is applied when the counter is created,
   * which gives fixed-window rate limits.
   */
  increment(key: string, options?: { by?: number; ttlMs?: number }): Promise<number>;
  /** Remaining time to live in ms; null when the key does not exist or never expires. */
  ttl(key: string): Promise<number | null>;
  publish(channel: string, message: string): Promise<void>;
  subscribe(channel: string, handler: BusMessageHandler): Promise<Subscription>;
  /** Glob pattern as Redis PSUBSCRIBE: `*`, `?`, `[abc]`. The handler gets the concrete channel. */
  subscribePattern(pattern: string, handler: BusMessageHandler): Promise<Subscription>;
  /** Returns null when another owner holds the lock. */
  acquireLock(name: string, ttlMs: number): Promise<Lock | null>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
