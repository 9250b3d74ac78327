import { mkdirSync } from "node:fs";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { UnavailableError } from "../errors.js";
import type { Logger } from "../infra/logger.js";
import { withTimeout } from "../infra/timeouts.js";
import { acquireDirectoryLock } from "./directory-lock.js";
import { EmbeddedGate, type EmbeddedLimits } from "./pglite-gate.js";
import { TransactionGuard } from "./transaction-guard.js";
import { MIGRATIONS_FOLDER } from "./paths.js";
import { isEmptyDataDir, readPgliteTemplate } from "./pglite-template.js";
import * as schema from "./schema/index.js";

type Schema = typeof schema;
/** The query builder every repository uses, whichever engine is behind it. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export type DatabaseHandle = {
  readonly engine: "postgres" | "pglite";
  readonly db: Db;
  /** Runs a trivial query; throws UnavailableError("database") when it does not answer. */
  ping(): Promise<void>;
  /** Applies pending migrations; safe to run from several processes at once. */
  migrate(): Promise<void>;
  close(): Promise<void>;
};

export { MIGRATIONS_FOLDER };

/** Rows of a statement with a fixed text and `$n` parameters. */
export type PreparedQuery = (
  name: string,
  text: string,
  params: unknown[],
) => Promise<Record<string, unknown>[]>;

const preparedQueries = new WeakMap<Db, PreparedQuery>();

/**
 * How to run a hot statement whose text never changes on `db`: on PostgreSQL as a named prepared
 * statement (parsed and planned once per connection: the worker's claim statement spent ~0.2 ms of
 * PostgreSQL's CPU planning at every call), on PGlite as a plain query (one connection, no gain).
 * Through the same guard and gate as every other query. Rows come back with the driver's own type
 * parsing (timestamps may be Date objects or text).
 */
export function preparedQueryOf(db: Db): PreparedQuery {
  const prepared = preparedQueries.get(db);
  if (!prepared) throw new Error("a database handle not opened by openDatabase");
  return prepared;
}

/** Any 64-bit constant shared by every Bifrost process; held while migrating. */
const MIGRATION_LOCK_KEY = 4_242_000_001;
const PING_TIMEOUT_MS = 2_000;

/**
 * What keeps a transaction from stopping the platform. `guard`: a query on the shared handle while a
 * transaction is open in the same async context throws TransactionGuardError naming its caller (on in
 * tests and development). `waitMs` (embedded only): a wait for the single connection longer than this
 * fails with a 503. `transactionMs`: a transaction open longer than this is rolled back (embedded:
 * by the gate; PostgreSQL: `idle_in_transaction_session_timeout`). 0 turns a bound off.
 */
export type DatabaseSafety = { guard: boolean } & EmbeddedLimits;

const DEFAULT_DATABASE_SAFETY: DatabaseSafety = {
  guard: false,
  waitMs: 10_000,
  transactionMs: 30_000,
};

type CommonOptions = { logger?: Logger; safety?: Partial<DatabaseSafety> };

export type DatabaseOptions =
  | ({ engine: "postgres"; url: string; poolSize: number } & CommonOptions)
  | ({ engine: "pglite"; dataDir: string | null } & CommonOptions);

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  const safety = { ...DEFAULT_DATABASE_SAFETY, ...options.safety };
  return options.engine === "postgres" ? openPostgres(options, safety) : openPglite(options, safety);
}

/**
 * With the guard on, every transaction opened through `db` marks its async context, and `checkShared`
 * (called by the adapter before each query on the shared handle) throws inside one.
 */
function guardTransactions(db: Db, safety: DatabaseSafety): (what: string) => void {
  if (!safety.guard) return () => undefined;
  const guard = new TransactionGuard();
  const transaction = db.transaction.bind(db);
  db.transaction = ((...args: Parameters<Db["transaction"]>) =>
    guard.within(() => transaction(...args))) as Db["transaction"];
  return (what) => guard.check(what);
}

async function openPostgres(
  options: { url: string; poolSize: number; logger?: Logger },
  safety: DatabaseSafety,
): Promise<DatabaseHandle> {
  const [{ default: pg }, { drizzle }, { migrate }] = await Promise.all([
    import("pg"),
    import("drizzle-orm/node-postgres"),
    import("drizzle-orm/node-postgres/migrator"),
  ]);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: "bifrost",
    // A transaction left waiting (on a second connection it awaits, say) is ended by the server.
    ...(safety.transactionMs > 0 ? { idle_in_transaction_session_timeout: safety.transactionMs } : {}),
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on("error", (error) => options.logger?.warn({ err: error.message }, "PostgreSQL connection error"));
  const db = drizzle({ client: pool, schema, casing: "snake_case" });
  const checkShared = guardTransactions(db, safety);
  if (safety.guard) {
    // drizzle runs every query outside a transaction through pool.query (a transaction has its client).
    const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
    (pool as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      checkShared("a query");
      return query(...args);
    };
  }
  preparedQueries.set(
    db,
    async (name, text, values) => (await pool.query<Record<string, unknown>>({ name, text, values })).rows,
  );
  return {
    engine: "postgres",
    db,
    ping: () => pingWith(() => pool.query("select 1")),
    async migrate() {
      const client = await pool.connect();
      try {
        await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
        try {
          await migrate(drizzle({ client, casing: "snake_case" }), { migrationsFolder: MIGRATIONS_FOLDER });
        } finally {
          await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]);
        }
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/**
 * PostgreSQL's buffer pool inside the embedded database. PostgreSQL's default (128 MB) is memory the
 * WebAssembly heap takes at start and never gives back; an embedded platform's working set is a few
 * MB, and 32 MB measured ~100 MB less RSS (387 -> 285 MB opened from the template, 430 -> 323 MB
 * after 3,000 lookups in a 50,000-row table) with no slower sync run (bench/README.md, issue 19).
 */
const EMBEDDED_SHARED_BUFFERS = "32MB";

async function openPglite(
  options: { dataDir: string | null; logger?: Logger },
  safety: DatabaseSafety,
): Promise<DatabaseHandle> {
  const [{ PGlite }, { drizzle }, { migrate }] = await Promise.all([
    import("@electric-sql/pglite"),
    import("drizzle-orm/pglite"),
    import("drizzle-orm/pglite/migrator"),
  ]);
  // PGlite is one process's database: a second process on the same directory would corrupt it.
  let releaseLock = (): void => undefined;
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    releaseLock = acquireDirectoryLock(options.dataDir);
  }
  try {
    const template = options.dataDir && isEmptyDataDir(options.dataDir) ? readPgliteTemplate() : undefined;
    const startParams = [...PGlite.defaultStartParams, "-c", `shared_buffers=${EMBEDDED_SHARED_BUFFERS}`];
    const client = !options.dataDir
      ? await PGlite.create({ startParams })
      : await PGlite.create(options.dataDir, { startParams, ...(template ? { loadDataDir: template } : {}) });
    withSharedDrizzleParsers(client);
    const gate = new EmbeddedGate(safety, options.logger);
    const db = drizzle({ client, schema, casing: "snake_case" });
    const gated = gateClient(client, gate, guardTransactions(db, safety));
    preparedQueries.set(
      db,
      async (_name, text, params) => (await client.query<Record<string, unknown>>(text, params)).rows,
    );
    return {
      engine: "pglite",
      db,
      ping: () => pingWith(() => gated.ping()),
      async migrate() {
        await gate.unbounded(async () => {
          // One connection, so the lock only matters for shape: the same session lock as on PostgreSQL.
          await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
          try {
            await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
          } finally {
            await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]);
          }
        });
      },
      async close() {
        await client.close();
        releaseLock();
      },
    };
  } catch (error) {
    releaseLock();
    throw error;
  }
}

/**
 * The types drizzle's PGlite driver asks to get as text (its `parsers` option on every query: dates,
 * timestamps, intervals and their arrays; drizzle maps them itself). Every parser it passes is the
 * identity.
 */
const DRIZZLE_TEXT_TYPES = [1114, 1184, 1186, 1082, 1231, 1115, 1185, 1187, 1182];

type PgliteQueryable = {
  query(query: string, params?: unknown[], options?: { parsers?: Record<number, unknown> }): Promise<unknown>;
};
type PgliteClient = PgliteQueryable & {
  parsers: Record<number, unknown>;
  exec(query: string, options?: unknown): Promise<unknown>;
  transaction<T>(callback: (tx: PgliteQueryable) => Promise<T>): Promise<T>;
};

/** How a query is named in the gate's log lines: its first words, never its parameters. */
const describeSql = (text: string): string => text.replace(/\s+/g, " ").slice(0, 80);

/**
 * Every query, exec and transaction on the PGlite client goes through the gate (waits bounded,
 * transactions bounded) and, with the guard on, is refused inside an open transaction's context.
 * Queries on a transaction's own handle (`tx.query`) are the transaction's: not gated again.
 */
function gateClient(
  client: PgliteClient,
  gate: EmbeddedGate,
  checkShared: (what: string) => void,
): { ping(): Promise<unknown> } {
  const query = client.query.bind(client);
  client.query = (text, params, options) => {
    checkShared("a query");
    return gate.run(describeSql(text), () => query(text, params, options));
  };
  const exec = client.exec.bind(client);
  client.exec = (text, options) => {
    checkShared("a query");
    return gate.run(describeSql(text), () => exec(text, options));
  };
  const transaction = client.transaction.bind(client);
  client.transaction = (callback) =>
    gate.run("a transaction", () => transaction((tx) => gate.limitTransaction(callback(tx))));
  // The readiness ping waits for the connection no longer than its own bound, and leaves nothing queued.
  return { ping: () => gate.run("select 1", () => query("select 1"), PING_TIMEOUT_MS) };
}

/**
 * PGlite merges a query's `parsers` into its own table of ~300 parsers on every query (an object
 * spread, ~0.2 ms), and drizzle passes the same identity parsers with every query. The identity
 * parsers go into the client's table once instead and are dropped from each query: the results are
 * the same (those types come back as text, as drizzle asked); only the per-query copy goes away. The
 * client is used by drizzle alone (ping and the migration lock read no such type).
 */
function withSharedDrizzleParsers(client: PgliteClient): void {
  const identity = (value: unknown): unknown => value;
  for (const type of DRIZZLE_TEXT_TYPES) client.parsers[type] = identity;
  const shared = new Set(DRIZZLE_TEXT_TYPES.map(String));
  const wrap = (target: PgliteQueryable): void => {
    const query = target.query.bind(target);
    target.query = (text, params, options) => {
      if (!options?.parsers || !Object.keys(options.parsers).every((type) => shared.has(type))) {
        return query(text, params, options);
      }
      const { parsers: _dropped, ...rest } = options;
      return query(text, params, rest);
    };
  };
  wrap(client);
  const transaction = client.transaction.bind(client);
  client.transaction = (callback) =>
    transaction((tx) => {
      wrap(tx);
      return callback(tx);
    });
}

async function pingWith(query: () => Promise<unknown>): Promise<void> {
  try {
    await withTimeout(query(), PING_TIMEOUT_MS, () => new Error("no answer within 2 s"));
  } catch (error) {
    if (error instanceof UnavailableError) throw error;
    throw new UnavailableError("database", `The database is unavailable: ${describe(error)}`, {
      cause: error,
    });
  }
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describe(error.errors[0]);
  return error instanceof Error ? error.message || error.constructor.name : String(error);
}
