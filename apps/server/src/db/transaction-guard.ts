import { AsyncLocalStorage } from "node:async_hooks";

/**
 * A query on the shared database handle issued while a transaction is open in the same async
 * context: on the embedded database (one connection) it waits for the transaction that waits for it,
 * forever; on PostgreSQL it takes a second connection from the pool. Thrown by the guard, which is on
 * in tests and development (`BIFROST_DB_GUARD`).
 */
export class TransactionGuardError extends Error {
  override readonly name = "TransactionGuardError";
}

type OpenTransaction = { open: boolean; openedAt: string };

/** Frames of this file, the database adapter and dependencies say nothing about who called. */
const NOT_THE_CALLER = /node_modules|node:internal|\/db\/(transaction-guard|database|pglite-gate)\.[jt]s/;

/** The first frames of the stack that belong to the application: who opened or who queried. */
function callSiteOf(stack: string | undefined): string {
  const frames = (stack ?? "")
    .split("\n")
    .slice(1)
    .map((line) => line.trim().replace(/^at /, ""))
    .filter((line) => line !== "" && !NOT_THE_CALLER.test(line));
  return frames.slice(0, 3).join(" <- ") || "(unknown)";
}

/**
 * Tracks the transactions opened on one database handle by async context. Everything awaited inside a
 * transaction's callback runs in that context, so a query there that goes to the shared handle
 * instead of the transaction's is the deadlock shape, and `check` names its caller.
 */
export class TransactionGuard {
  private readonly storage = new AsyncLocalStorage<OpenTransaction>();

  /** Runs `body` (a transaction) as the open transaction of its async context. */
  async within<T>(body: () => Promise<T>): Promise<T> {
    this.check("a transaction was opened");
    const state: OpenTransaction = { open: true, openedAt: callSiteOf(new Error().stack) };
    try {
      return await this.storage.run(state, body);
    } finally {
      state.open = false;
    }
  }

  /** Throws TransactionGuardError when a transaction is open in the current async context. */
  check(what: string): void {
    const state = this.storage.getStore();
    if (!state?.open) return;
    throw new TransactionGuardError(
      `${what} on the shared database handle while a transaction is open in the same async context: ` +
        `it would wait for that transaction forever on the embedded database. Use the transaction's ` +
        `handle, or do it after the commit. Issued at ${callSiteOf(new Error().stack)}; the transaction ` +
        `was opened at ${state.openedAt}.`,
    );
  }
}
