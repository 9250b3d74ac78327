import { UnavailableError } from "../errors.js";
import type { Logger } from "../infra/logger.js";

/** Bounds on the embedded database; 0 means no bound. */
export type EmbeddedLimits = {
  /** A query or transaction waiting longer than this for the database fails with a 503. */
  waitMs: number;
  /** A transaction open longer than this is rolled back. */
  transactionMs: number;
};

type Waiter = { what: string; grant(): void };

/**
 * The embedded database (PGlite) has one connection: every query and transaction takes it in turn.
 * This gate is that turn, in front of PGlite's own lock, so a waiter can give up: a wait longer than
 * `waitMs` is logged and fails with UnavailableError (a 503 for its request) without leaving a query
 * queued that would still run later, and a transaction held longer than `transactionMs` is rolled
 * back and logged. A deadlock (a transaction awaiting a query that waits for it) therefore heals after
 * `waitMs` instead of stopping the platform. Migrations run `unbounded`.
 */
export class EmbeddedGate {
  private holder: { what: string; since: number } | undefined;
  private readonly waiters: Waiter[] = [];
  private unboundedDepth = 0;

  constructor(
    private readonly limits: EmbeddedLimits,
    private readonly logger?: Logger,
  ) {}

  /** Runs `body` holding the connection; `waitMs` overrides the wait bound (the readiness ping). */
  async run<T>(what: string, body: () => Promise<T>, waitMs?: number): Promise<T> {
    await this.acquire(what, this.unboundedDepth > 0 ? 0 : (waitMs ?? this.limits.waitMs));
    try {
      return await body();
    } finally {
      this.release();
    }
  }

  /**
   * Runs a transaction's `work` (already started) under the transaction bound: past it, the
   * transaction fails (PGlite rolls it back) and whatever `work` still does fails on the closed
   * transaction.
   */
  async limitTransaction<T>(work: Promise<T>): Promise<T> {
    const limitMs = this.unboundedDepth > 0 ? 0 : this.limits.transactionMs;
    if (limitMs <= 0) return work;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        work.catch(() => undefined);
        this.logger?.error(
          { limitMs },
          "an embedded database transaction was open longer than its limit: rolled back",
        );
        reject(
          new UnavailableError(
            "database",
            `The database is unavailable: a transaction was open longer than ${limitMs} ms and was rolled back`,
          ),
        );
      }, limitMs);
    });
    try {
      return await Promise.race([work, expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Runs `body` (migrations) with no wait or transaction bound. */
  async unbounded<T>(body: () => Promise<T>): Promise<T> {
    this.unboundedDepth++;
    try {
      return await body();
    } finally {
      this.unboundedDepth--;
    }
  }

  private acquire(what: string, waitMs: number): Promise<void> {
    if (!this.holder) {
      this.holder = { what, since: Date.now() };
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter: Waiter = {
        what,
        grant: () => {
          clearTimeout(timer);
          this.holder = { what, since: Date.now() };
          resolve();
        },
      };
      if (waitMs > 0) {
        timer = setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          const holder = this.holder;
          this.logger?.error(
            {
              waitMs,
              waiting: what,
              holder: holder?.what,
              heldMs: holder ? Date.now() - holder.since : undefined,
            },
            "no answer from the embedded database within the wait limit",
          );
          reject(
            new UnavailableError("database", `The database is unavailable: no answer within ${waitMs} ms`),
          );
        }, waitMs);
      }
      this.waiters.push(waiter);
    });
  }

  private release(): void {
    this.holder = undefined;
    this.waiters.shift()?.grant();
  }
}
