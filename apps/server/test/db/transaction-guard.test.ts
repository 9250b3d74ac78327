import { sql } from "drizzle-orm";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle, type DatabaseSafety } from "../../src/db/database.js";
import { TransactionGuardError } from "../../src/db/transaction-guard.js";
import { fromDriverError, UnavailableError } from "../../src/errors.js";
import { withTimeout } from "../../src/infra/timeouts.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";

// The deadlock shape: a transaction's callback awaits a query on the shared handle. On the embedded
// database (one connection) that query waits for the transaction, which waits for it. With the guard
// on (tests, development) it fails at once naming the caller; with the guard off, the bounds heal it.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Every call here must settle: a hang is the bug under test, so it fails the test instead. */
const settles = <T>(promise: Promise<T>, ms = 5_000) =>
  withTimeout(promise, ms, () => new Error(`still waiting after ${ms} ms: the database deadlocked`));

/** drizzle wraps what the driver throws ("Failed query: …"): the adapter's own error is its cause. */
function adapterError(error: unknown): unknown {
  for (let current = error; current instanceof Error; current = current.cause) {
    if (current instanceof TransactionGuardError || current instanceof UnavailableError) return current;
  }
  return error;
}

const count = async (database: DatabaseHandle): Promise<number> => {
  // Both drivers answer `{ rows }`; the handle's type leaves the result shape to the driver.
  const result = (await database.db.execute(sql`select count(*)::int as n from guard_probe`)) as {
    rows: Array<{ n: number }>;
  };
  return Number(result.rows[0]!.n);
};

async function openPglite(
  safety: Partial<DatabaseSafety>,
): Promise<{ database: DatabaseHandle; dir: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), "bifrost-guard-"));
  const database = await openDatabase({ engine: "pglite", dataDir: path.join(dir, "db"), safety });
  await database.migrate();
  await database.db.execute(sql`create table guard_probe (n int not null)`);
  return { database, dir };
}

/** What both engines must do with the guard on. */
function guardBehaviour(open: () => Promise<DatabaseHandle>) {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await open();
  }, 60_000);

  it("a query on the shared handle inside a transaction fails at once, naming this file as the caller", async () => {
    const attempt = database.db.transaction(async (tx) => {
      await tx.execute(sql`insert into guard_probe values (1)`);
      await database.db.execute(sql`select 1`); // the bug: not `tx`
    });
    const error = adapterError(await settles(attempt).catch((e: unknown) => e));
    expect(error).toBeInstanceOf(TransactionGuardError);
    expect((error as Error).message).toMatch(/transaction-guard\.test\.ts:\d+/);
    // The transaction failed, so it rolled back, and the database still answers.
    expect(await settles(count(database))).toBe(0);
  });

  it("so does a transaction opened on the shared handle inside a transaction", async () => {
    const attempt = database.db.transaction(async () => {
      await database.db.transaction(async (inner) => inner.execute(sql`select 1`));
    });
    await expect(settles(attempt)).rejects.toBeInstanceOf(TransactionGuardError);
  });

  it("the transaction's own handle, nested transactions and queries after the commit are fine", async () => {
    await settles(
      database.db.transaction(async (tx) => {
        await tx.execute(sql`insert into guard_probe values (2)`);
        await tx.transaction(async (savepoint) => savepoint.execute(sql`insert into guard_probe values (3)`));
      }),
    );
    expect(await settles(count(database))).toBe(2);
    await database.db.execute(sql`delete from guard_probe`);
  });

  it("a query from another async context while a transaction is open waits for it, and is not refused", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const transaction = database.db.transaction(async (tx) => {
      await tx.execute(sql`insert into guard_probe values (4)`);
      await held;
    });
    await sleep(50);
    const outside = count(database); // another request's query, started outside the transaction
    await sleep(50);
    release();
    await settles(transaction);
    expect(await settles(outside)).toBeGreaterThanOrEqual(0);
    expect(await settles(count(database))).toBe(1);
    await database.db.execute(sql`delete from guard_probe`);
  });
}

describe("transaction guard on the embedded database (PGlite)", () => {
  let dir: string;
  let handle: DatabaseHandle;
  afterAll(async () => {
    await handle?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  guardBehaviour(async () => {
    ({ database: handle, dir } = await openPglite({ guard: true }));
    return handle;
  });
});

describe("transaction guard on PostgreSQL", () => {
  let testDatabase: TestDatabase;
  let handle: DatabaseHandle;
  afterAll(async () => {
    await handle?.close();
    await testDatabase?.drop();
  });
  guardBehaviour(async () => {
    testDatabase = await createTestDatabase();
    handle = await openDatabase({
      engine: "postgres",
      url: testDatabase.url,
      poolSize: 2,
      safety: { guard: true },
    });
    await handle.db.execute(sql`create table guard_probe (n int not null)`);
    return handle;
  });
});

describe("bounds on the embedded database with the guard off (production)", () => {
  let dir: string;
  let database: DatabaseHandle;
  beforeAll(async () => {
    ({ database, dir } = await openPglite({ guard: false, waitMs: 300, transactionMs: 800 }));
  }, 60_000);
  afterAll(async () => {
    await database?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("the deadlock shape heals: the waiting query fails with a 503 error after the wait bound, the transaction rolls back", async () => {
    const started = Date.now();
    const attempt = database.db.transaction(async (tx) => {
      await tx.execute(sql`insert into guard_probe values (1)`);
      await database.db.execute(sql`select 1`);
    });
    const error = adapterError(await settles(attempt).catch((e: unknown) => e));
    expect(error).toBeInstanceOf(UnavailableError);
    // The HTTP layer answers it with 503: the mapper finds it through drizzle's wrapper.
    expect(fromDriverError(await settles(attempt).catch((e: unknown) => e))).toBe(error);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(await settles(count(database))).toBe(0);
  });

  it("a transaction held past its bound is rolled back and the database answers again", async () => {
    const attempt = database.db.transaction(async (tx) => {
      await tx.execute(sql`insert into guard_probe values (2)`);
      await sleep(1_500);
      await tx.execute(sql`insert into guard_probe values (3)`);
    });
    const error = await settles(attempt).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toMatch(/rolled back/);
    await sleep(1_000); // the abandoned callback wakes and finds its transaction closed
    expect(await settles(count(database))).toBe(0);
  });

  it("a query that gave up waiting never runs later", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const transaction = database.db.transaction(async (tx) => {
      await tx.execute(sql`select 1`);
      await held;
    });
    await sleep(20);
    const insert = database.db.execute(sql`insert into guard_probe values (5)`);
    const refused = adapterError(await settles(insert).catch((e: unknown) => e));
    release();
    expect(refused).toBeInstanceOf(UnavailableError);
    await settles(transaction);
    expect(await settles(count(database))).toBe(0);
  });

  it("a transaction that never ends does not make a permanent 503: the readiness ping answers once the bound rolls it back", async () => {
    const stuck = database.db
      .transaction(async () => {
        await new Promise(() => undefined); // awaits something that never comes
      })
      .catch((e: unknown) => e);
    const started = Date.now();
    await settles(database.ping());
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    expect(adapterError(await settles(stuck))).toBeInstanceOf(UnavailableError);
  });
});
