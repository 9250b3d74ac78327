import { Writable } from "node:stream";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "../../src/db/database.js";
import { organizations } from "../../src/db/schema/index.js";
import { createLogger } from "../../src/infra/logger.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";

let testDatabase: TestDatabase;
let database: DatabaseHandle;

beforeAll(async () => {
  testDatabase = await createTestDatabase();
  database = await openDatabase({ engine: "postgres", url: testDatabase.url, poolSize: 2 });
});
afterAll(async () => {
  await database.close();
  await testDatabase.drop();
});

function capture(): { logger: ReturnType<typeof createLogger>; text: () => string } {
  let text = "";
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { logger: createLogger({ level: "info", role: "test", destination }), text: () => text };
}

async function failure(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error("expected the query to fail");
}

describe("logging errors", () => {
  it("never writes a failed query's SQL or bound parameters", async () => {
    const error = await failure(() =>
      database.db.execute(sql`select * from no_such_table where secret = ${"SECRET-PARAM-VALUE"}`),
    );
    const { logger, text } = capture();
    logger.error({ err: error }, "request failed");
    expect(text()).not.toContain("SECRET-PARAM-VALUE");
    expect(text()).not.toMatch(/no_such_table where/);
    expect(JSON.parse(text())).toMatchObject({
      err: { message: "Failed query (SQL and parameters withheld)", cause: { code: "42P01" } },
    });
  });

  it("never writes the values of a unique violation", async () => {
    await database.db.insert(organizations).values({ name: "Unique Corp" });
    const error = await failure(() => database.db.insert(organizations).values({ name: "UNIQUE CORP" }));
    const { logger, text } = capture();
    logger.error({ err: error }, "request failed");
    expect(text().toLowerCase()).not.toContain("unique corp");
    expect(JSON.parse(text())).toMatchObject({
      err: { cause: { code: "23505", constraint: "organizations_name_unique" } },
    });
  });

  it("keeps an ordinary error's message and stack", () => {
    const { logger, text } = capture();
    logger.error({ err: new Error("disk full") }, "failed");
    const logged = JSON.parse(text()) as { err: { type: string; message: string; stack: string } };
    expect(logged.err.type).toBe("Error");
    expect(logged.err.message).toBe("disk full");
    expect(logged.err.stack).toContain("disk full");
  });
});
