import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../server/test/support/database.js";
import { TEST_RABBITMQ_URL, TEST_REDIS_URL, uniqueId } from "../../../server/test/support/services.js";
import { seriousA11yViolations } from "../axe.js";
import { signedInAdmin, type SignedIn } from "./signed-in.js";

// Issue 17, point 10, on the Workers page: the platform on the machine's PostgreSQL, Redis and
// RabbitMQ, which all let a client in without a password (trust auth, no requirepass, guest/guest).
// The API process's card and the worker's card each say so, naming the services, as an alert.
// (`start` on service URLs checks as `api` and `worker` do: test/roles/service-credentials.test.ts in
// the server runs those two.)

let database: TestDatabase;
let session: SignedIn;

beforeAll(async () => {
  database = await createTestDatabase({ migrated: false });
  session = await signedInAdmin({
    DATABASE_URL: database.url,
    REDIS_URL: TEST_REDIS_URL,
    RABBITMQ_URL: TEST_RABBITMQ_URL,
    BIFROST_SECRET_KEY: randomBytes(36).toString("base64url"),
    BIFROST_NAMESPACE: `bifrost-test-web-credentials-${uniqueId()}`,
  });
});
afterAll(async () => {
  await session?.close();
  await database?.drop();
});

const SERVICES = [
  /PostgreSQL at 127\.0\.0\.1:5432 accepts user "postgres" without a password/,
  /Redis at 127\.0\.0\.1:6379 accepts commands without a password/,
  /RabbitMQ at 127\.0\.0\.1:5672 accepts the default account "guest"/,
];

describe("the Workers page on services without passwords", () => {
  it("warns on the API process's card and on the worker's card, naming each service", async () => {
    const page = await session.context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${session.baseUrl}/admin/workers`);
    await page.getByRole("heading", { name: "Workers", level: 1 }).waitFor();

    const apiWarning = page.getByTestId("api-process").getByRole("alert");
    await apiWarning.waitFor();
    const workerWarning = page
      .locator("[data-worker-id]")
      .first()
      .getByTestId("service-credentials")
      .getByRole("alert");
    await workerWarning.waitFor();
    for (const [where, warning] of [
      ["api", apiWarning],
      ["worker", workerWarning],
    ] as const) {
      const text = (await warning.textContent()) ?? "";
      expect(text, where).toMatch(/no password/);
      for (const service of SERVICES) expect(text, where).toMatch(service);
    }
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  });
});
