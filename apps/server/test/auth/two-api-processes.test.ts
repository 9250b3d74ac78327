import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { call, runLoginJourney } from "../support/login-journey.js";
import { killRedis, startPrivateRedis } from "../support/redis-process.js";
import { eventually, freePort, getJson, startServer, type ServerProcess } from "../support/server-process.js";
import { TEST_RABBITMQ_URL } from "../support/services.js";

// Two `bifrost-server api` processes on one PostgreSQL database and one Redis (a private one, so
// counters start at zero): a login on one and its refresh or MFA step on the other must agree.

let redis: ChildProcess | undefined;
let database: TestDatabase;
let dataDir: string;
const apis: Array<{ server: ServerProcess; url: string }> = [];

beforeAll(async () => {
  const redisPort = await freePort();
  redis = await startPrivateRedis(redisPort);
  database = await createTestDatabase();
  dataDir = mkdtempSync(path.join(tmpdir(), "bifrost-two-apis-"));
  const env = {
    DATABASE_URL: database.url,
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    RABBITMQ_URL: TEST_RABBITMQ_URL,
    BIFROST_SECRET_KEY: randomBytes(36).toString("base64url"),
    BIFROST_DATA_DIR: dataDir,
    BIFROST_LOGIN_RATE_LIMIT: "10",
    BIFROST_LOG_LEVEL: "warn",
  };
  for (let i = 0; i < 2; i += 1) {
    const port = await freePort();
    apis.push({
      server: startServer("api", { ...env, PORT: String(port) }),
      url: `http://127.0.0.1:${port}`,
    });
  }
  for (const api of apis) {
    await eventually(
      async () => ((await getJson(`${api.url}/health/ready`))?.status === 200 ? true : undefined),
      {
        timeoutMs: 60_000,
        intervalMs: 200,
        what: `${api.url} to be ready`,
      },
    );
  }
}, 90_000);

afterAll(async () => {
  await Promise.all(apis.map((api) => api.server.stop()));
  await killRedis(redis);
  await database?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("two API processes sharing PostgreSQL and Redis", () => {
  it("setup, MFA enrolment, logout, MFA login again, refresh and a replayed refresh, across both processes", async () => {
    const [a, b] = apis.map((api) => api.url) as [string, string];
    await runLoginJourney(a, b);
  }, 90_000);

  it("the login limit holds across both processes: the 11th attempt within a minute is 429", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i += 1) {
      const url = apis[i % 2]?.url ?? "";
      statuses.push(
        (
          await call(`${url}/auth/login`, "POST", {
            email: `x${i}@msp.example`,
            password: "wrong password!!",
          })
        ).status,
      );
    }
    // The first test signed in twice from this address (2 attempts), so the limit of 10 is reached sooner.
    expect(statuses.filter((s) => s === 401).length).toBe(8);
    expect(statuses.slice(8)).toEqual([429, 429, 429]);
  });
});
