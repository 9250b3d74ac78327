import { sql } from "drizzle-orm";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { MIGRATIONS_FOLDER, openDatabase, type DatabaseHandle } from "../../src/db/database.js";
import { withTimeout } from "../../src/infra/timeouts.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { startServer, type ServerProcess } from "../support/server-process.js";

const PROVIDER_ORGANIZATION_ID = "00000000-0000-0000-0000-000000000002";
const MIGRATION_FILES = readdirSync(MIGRATIONS_FOLDER).filter((file) => file.endsWith(".sql"));

async function query(url: string, text: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Record<string, unknown>>(text)).rows;
  } finally {
    await client.end();
  }
}

const columnRow = z.object({
  table_name: z.string(),
  column_name: z.string(),
  data_type: z.string(),
  udt_name: z.string(),
  is_nullable: z.string(),
});
const indexRow = z.object({ tablename: z.string(), indexname: z.string(), indexdef: z.string() });
const tableRow = z.object({ table_name: z.string() });

const TABLES_SQL = `select table_name from information_schema.tables
  where table_schema = 'public' and table_type = 'BASE TABLE'`;
const COLUMNS_SQL = `select table_name, column_name, data_type, udt_name, is_nullable
  from information_schema.columns where table_schema = 'public'`;
const INDEXES_SQL = `select tablename, indexname, indexdef from pg_indexes where schemaname = 'public'`;

type SchemaShape = { tables: string[]; columns: string[]; indexes: string[] };

/** Tables, columns and indexes of schema public as sorted strings: order-independent and diffable. */
async function schemaShape(run: (text: string) => Promise<unknown[]>): Promise<SchemaShape> {
  const [tables, columns, indexes] = await Promise.all([run(TABLES_SQL), run(COLUMNS_SQL), run(INDEXES_SQL)]);
  return {
    tables: tables.map((row) => tableRow.parse(row).table_name).sort(),
    columns: columns
      .map((row) => {
        const c = columnRow.parse(row);
        return `${c.table_name}.${c.column_name} ${c.data_type} (${c.udt_name}) nullable=${c.is_nullable}`;
      })
      .sort(),
    indexes: indexes
      .map((row) => {
        const i = indexRow.parse(row);
        return `${i.tablename}.${i.indexname}: ${i.indexdef}`;
      })
      .sort(),
  };
}

/** The same SQL through either engine's drizzle handle; both results carry `rows`. */
async function rowsVia(database: DatabaseHandle, text: string): Promise<unknown[]> {
  const result: unknown = await database.db.execute(sql.raw(text));
  return z.object({ rows: z.array(z.unknown()) }).parse(result).rows;
}

describe("bifrost-server migrate on an empty PostgreSQL database", () => {
  let database: TestDatabase | undefined;
  let dataDir: string | undefined;
  const started: ServerProcess[] = [];

  const migrate = (url: string): ServerProcess => {
    // A data dir of its own: the process must not create ./.bifrost next to the bin.
    const server = startServer("migrate", { DATABASE_URL: url, BIFROST_DATA_DIR: dataDir ?? "" });
    started.push(server);
    return server;
  };
  const exitCode = (server: ServerProcess): Promise<number | string> =>
    withTimeout(
      server.exited,
      60_000,
      () => new Error(`migrate still running after 60 s:\n${server.output()}`),
    );

  const snapshot = async (url: string) => ({
    migrations: await query(url, "select id, hash, created_at from drizzle.__drizzle_migrations order by id"),
    organizations: await query(url, "select * from organizations order by id"),
    schema: await schemaShape((text) => query(url, text)),
  });

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), "bifrost-migrate-"));
    database = await createTestDatabase({ migrated: false });
  });

  afterAll(async () => {
    await Promise.all(started.map((server) => server.stop()));
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("three migrate processes started at once all exit 0 and apply every migration exactly once", async () => {
    const url = database?.url ?? "";
    const runs = [migrate(url), migrate(url), migrate(url)];
    const codes = await Promise.all(runs.map(exitCode));
    codes.forEach((code, i) => expect(code, runs[i]?.output()).toBe(0));

    const applied = await query(url, "select hash from drizzle.__drizzle_migrations");
    expect(MIGRATION_FILES.length).toBeGreaterThan(0);
    expect(applied).toHaveLength(MIGRATION_FILES.length);
    expect(new Set(applied.map((row) => row.hash)).size).toBe(MIGRATION_FILES.length);
  }, 90_000);

  it("leaves exactly one organization: the provider organization", async () => {
    const rows = await query(database?.url ?? "", "select id, is_provider from organizations");
    expect(rows).toEqual([{ id: PROVIDER_ORGANIZATION_ID, is_provider: true }]);
  });

  it("running migrate again exits 0 and changes nothing", async () => {
    const url = database?.url ?? "";
    const before = await snapshot(url);
    const again = migrate(url);
    expect(await exitCode(again), again.output()).toBe(0);
    expect(await snapshot(url)).toEqual(before);
  }, 90_000);
});

describe("migrations on PGlite and on PostgreSQL", () => {
  it("produce the same tables, columns (name, data type, nullability) and indexes in schema public", async () => {
    const empty = await createTestDatabase({ migrated: false });
    const opened: DatabaseHandle[] = [];
    try {
      const postgres = await openDatabase({ engine: "postgres", url: empty.url, poolSize: 2 });
      opened.push(postgres);
      const pglite = await openDatabase({ engine: "pglite", dataDir: null });
      opened.push(pglite);
      await Promise.all([postgres.migrate(), pglite.migrate()]);

      const [onPostgres, onPglite] = await Promise.all([
        schemaShape((text) => rowsVia(postgres, text)),
        schemaShape((text) => rowsVia(pglite, text)),
      ]);
      expect(onPostgres.tables.length).toBeGreaterThan(0);
      expect(onPostgres.tables).toContain("organizations");
      expect(onPglite).toEqual(onPostgres);
    } finally {
      for (const database of opened) await database.close();
      await empty.drop();
    }
  }, 90_000);
});
