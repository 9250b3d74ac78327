import pg from "pg";
import { inject } from "vitest";
import { TEST_POSTGRES_URL, uniqueId, withDatabase } from "./services.js";

export type TestDatabase = { name: string; url: string; drop(): Promise<void> };

declare module "vitest" {
  export interface ProvidedContext {
    /** Name of the migrated template database made once per test run by global-setup.ts. */
    templateDatabase: string;
  }
}

/** Prefix of every per-test database; the timestamp lets a later run drop ones a crash left behind. */
export const TEST_DATABASE_PREFIX = "bifrost_test_";

export async function adminQuery(sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

/**
 * A fresh PostgreSQL database for one test file: copied from the migrated template (fast), or
 * empty with `{ migrated: false }` for tests of the migrations themselves.
 */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const name = `${TEST_DATABASE_PREFIX}${Math.floor(Date.now() / 1000)}_${uniqueId()}`;
  const template = options.migrated === false ? "template0" : inject("templateDatabase");
  await adminQuery(`create database "${name}" template "${template}"`);
  return {
    name,
    url: withDatabase(TEST_POSTGRES_URL, name),
    drop: async () => {
      await adminQuery(`drop database if exists "${name}" with (force)`);
    },
  };
}
