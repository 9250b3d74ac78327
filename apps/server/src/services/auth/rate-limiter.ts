import { RateLimitedError } from "../../errors.js";
import type { Bus } from "../../infra/bus/bus.js";

/**
 * Fixed-window counters on the bus: in distributed mode they live in Redis, so a limit holds across
 * every API process. A request over the limit is refused with the seconds until the window ends.
 */
export class RateLimiter {
  constructor(private readonly bus: Bus) {}

  async hit(key: string, limit: number, windowMs = 60_000): Promise<void> {
    const refusal = await this.count(key, limit, windowMs);
    if (refusal) throw refusal;
  }

  /** Counts an attempt; answers the refusal to throw when it is over the limit (the caller decides). */
  async count(key: string, limit: number, windowMs = 60_000): Promise<RateLimitedError | undefined> {
    const name = `ratelimit:${key}`;
    const count = await this.bus.increment(name, { ttlMs: windowMs });
    if (count <= limit) return undefined;
    const remaining = (await this.bus.ttl(name)) ?? windowMs;
    return new RateLimitedError(
      "Too many attempts; try again later",
      Math.max(1, Math.ceil(remaining / 1000)),
    );
  }
}
