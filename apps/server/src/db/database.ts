import { mkdirSync } from "node:fs";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { UnavailableError } from "../errors.js";
import type { Logger } from "../infra/logger.js";
import { withTimeout } from "../infra/timeouts.js";
import { acquireDirectoryLock } from "./directory-lock.js";
import { MIGRATIONS_FOLDER } from "./paths.js";
import { isEmptyDataDir, readPgliteTemplate } from "./pglite-template.js";
import * as schema from "./schema/index.js";

export type Schema = typeof schema;
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

/** Any 64-bit constant shared by every Bifrost process; held while migrating. */
const MIGRATION_LOCK_KEY = 4_242_000_001;
const PING_TIMEOUT_MS = 2_000;

export type DatabaseOptions =
  | { engine: "postgres"; url: string; poolSize: number; logger?: Logger }
  | { engine: "pglite"; dataDir: string | null; logger?: Logger };

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  return options.engine === "postgres" ? openPostgres(options) : openPglite(options);
}

async function openPostgres(options: {
  url: string;
  poolSize: number;
  logger?: Logger;
}): Promise<DatabaseHandle> {
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
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on("error", (error) => options.logger?.warn({ err: error.message }, "PostgreSQL connection error"));
  const db = drizzle({ client: pool, schema, casing: "snake_case" });
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

async function openPglite(options: { dataDir: string | null }): Promise<DatabaseHandle> {
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
    const client = !options.dataDir
      ? await PGlite.create()
      : await PGlite.create(options.dataDir, template ? { loadDataDir: template } : {});
    withSharedDrizzleParsers(client);
    const db = drizzle({ client, schema, casing: "snake_case" });
    return {
      engine: "pglite",
      db,
      ping: () => pingWith(() => client.query("select 1")),
      async migrate() {
        // One connection, so the lock only matters for shape: the same session lock as on PostgreSQL.
        await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
        try {
          await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
        } finally {
          await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]);
        }
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
  transaction<T>(callback: (tx: PgliteQueryable) => Promise<T>): Promise<T>;
};

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
    throw new UnavailableError("database", `The database is unavailable: ${describe(error)}`, {
      cause: error,
    });
  }
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describe(error.errors[0]);
  return error instanceof Error ? error.message || error.constructor.name : String(error);
}
