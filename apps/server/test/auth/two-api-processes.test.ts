import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { generate } from "otplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { killRedis, startPrivateRedis } from "../support/redis-process.js";
import { eventually, freePort, getJson, startServer, type ServerProcess } from "../support/server-process.js";
import { TEST_RABBITMQ_URL } from "../support/services.js";

// Two `bifrost-server api` processes on one PostgreSQL database and one Redis (a private one, so
// counters start at zero): a login on one and its refresh or MFA step on the other must agree.

const ADMIN = { email: "root@msp.example", password: "a perfectly long passphrase", name: "Root" };

let redis: ChildProcess | undefined;
let database: TestDatabase;
let dataDir: string;
const apis: Array<{ server: ServerProcess; url: string }> = [];

type Json = Record<string, unknown>;

async function call(url: string, method: string, body?: Json, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method,
    headers: { ...(body ? { "content-type": "application/json" } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: (text ? JSON.parse(text) : null) as Json,
    headers: response.headers,
  };
}

const codeNow = (secret: string): Promise<string> =>
  generate({ secret, epoch: Math.floor(Date.now() / 1000) });

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
    expect((await call(`${a}/auth/setup`, "POST", ADMIN)).status).toBe(201);
    expect((await call(`${b}/auth/setup`, "POST", ADMIN)).status).toBe(409);

    const first = await call(`${a}/auth/login`, "POST", { email: ADMIN.email, password: ADMIN.password });
    expect(first.body).toMatchObject({ mfaSetupRequired: true });
    const setupToken = String(first.body.mfaToken);
    const enrol = await call(`${b}/auth/mfa/setup`, "POST", undefined, {
      authorization: `Bearer ${setupToken}`,
    });
    const secret = String(enrol.body.secret);
    const verified = await call(
      `${a}/auth/mfa/verify`,
      "POST",
      { code: await codeNow(secret) },
      {
        authorization: `Bearer ${setupToken}`,
      },
    );
    expect(verified.status).toBe(200);
    const enrolledStep = Math.floor(Date.now() / 30_000);
    const access = String(verified.body.accessToken);
    expect((await call(`${b}/auth/me`, "GET", undefined, { authorization: `Bearer ${access}` })).status).toBe(
      200,
    );

    // Logging out on one process ends the login on the other at once.
    expect(
      (await call(`${b}/auth/logout`, "POST", undefined, { authorization: `Bearer ${access}` })).status,
    ).toBe(204);
    expect((await call(`${a}/auth/me`, "GET", undefined, { authorization: `Bearer ${access}` })).status).toBe(
      401,
    );

    // The enrolment code's step can never be used again: wait for the next one.
    while (Math.floor(Date.now() / 30_000) <= enrolledStep) await new Promise((r) => setTimeout(r, 250));
    const second = await call(`${b}/auth/login`, "POST", { email: ADMIN.email, password: ADMIN.password });
    expect(second.body).toMatchObject({ mfaRequired: true });
    const signedIn = await call(`${a}/auth/mfa/login`, "POST", {
      mfaToken: second.body.mfaToken,
      code: await codeNow(secret),
    });
    expect(signedIn.status).toBe(200);

    const refreshToken = String(signedIn.body.refreshToken);
    const rotated = await call(`${b}/auth/refresh`, "POST", { refreshToken });
    expect(rotated.status).toBe(200);
    const replayed = await call(`${a}/auth/refresh`, "POST", { refreshToken });
    expect(replayed.status).toBe(401);
    const newest = String(rotated.body.accessToken);
    expect((await call(`${b}/auth/me`, "GET", undefined, { authorization: `Bearer ${newest}` })).status).toBe(
      401,
    );
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
