import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { eventually, freePort, getJson, startServer, type ServerProcess } from "../support/server-process.js";
import { TEST_RABBITMQ_URL, TEST_REDIS_URL, uniqueId } from "../support/services.js";

// Issue 17, point 10: a `worker` and an `api` on PostgreSQL, Redis and RabbitMQ that let a client in
// without a password say so at start — a warning line per service, naming it and never the password
// — and the Workers page can show it (the worker's heartbeat, the API's own route). On this machine
// all three do: PostgreSQL trusts 127.0.0.1, Redis has no requirepass, RabbitMQ keeps guest/guest. The
// checks against services that do ask for a password: test/infra/service-credentials.test.ts.

/** PostgreSQL on trust auth ignores it; it must never reach a log line nor an answer. */
const PG_PASSWORD = `pg-secret-${randomBytes(6).toString("hex")}`;
const ADMIN = { email: "admin@example.com", password: "correct horse battery staple" };
const START_TIMEOUT_MS = 60_000;

type LogLine = { level: number; msg: string; service?: string; address?: string };
type Warning = { service: string; address: string; reason: string };

let database: TestDatabase | undefined;
let dataDir: string | undefined;
let api: ServerProcess | undefined;
let worker: ServerProcess | undefined;
let apiUrl: string;
let workerHealthUrl: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "bifrost-credentials-"));
  database = await createTestDatabase();
  const databaseUrl = new URL(database.url);
  databaseUrl.password = PG_PASSWORD;
  const env = {
    DATABASE_URL: databaseUrl.toString(),
    REDIS_URL: TEST_REDIS_URL,
    RABBITMQ_URL: TEST_RABBITMQ_URL,
    BIFROST_SECRET_KEY: randomBytes(36).toString("base64url"),
    BIFROST_DATA_DIR: dataDir,
    // Queues and keys of this file's own on the shared RabbitMQ and Redis.
    BIFROST_NAMESPACE: `bifrost-test-credentials-${uniqueId()}`,
  };
  const [apiPort, healthPort] = [await freePort(), await freePort()];
  apiUrl = `http://127.0.0.1:${apiPort}`;
  workerHealthUrl = `http://127.0.0.1:${healthPort}`;
  api = startServer("api", {
    ...env,
    PORT: String(apiPort),
    BIFROST_MFA_REQUIRED: "false",
    BIFROST_DEFAULT_USER_EMAIL: ADMIN.email,
    BIFROST_DEFAULT_USER_PASSWORD: ADMIN.password,
  });
  worker = startServer("worker", {
    ...env,
    BIFROST_HEALTH_PORT: String(healthPort),
    BIFROST_API_URL: apiUrl,
  });
  for (const [server, url] of [
    [api, apiUrl],
    [worker, workerHealthUrl],
  ] as const) {
    await eventually(
      async () => ((await getJson(`${url}/health/ready`))?.status === 200 ? true : undefined),
      {
        timeoutMs: START_TIMEOUT_MS,
        intervalMs: 250,
        what: `${url} to be ready\n${server.output()}`,
      },
    );
  }
}, START_TIMEOUT_MS * 2);

afterAll(async () => {
  await Promise.all([api?.stop(), worker?.stop()]);
  await database?.drop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function logLines(server: ServerProcess): LogLine[] {
  return server
    .output()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as LogLine);
}

/** What each warning must say: the service by name, where it is, and what it let in. */
const EXPECTED: { service: string; name: RegExp; reason: RegExp }[] = [
  { service: "postgresql", name: /PostgreSQL/, reason: /user "postgres" without a password/ },
  { service: "redis", name: /Redis/, reason: /without a password/ },
  { service: "rabbitmq", name: /RabbitMQ/, reason: /default account "guest"/ },
];

async function adminToken(): Promise<string> {
  const login = await fetch(`${apiUrl}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(ADMIN),
  });
  const body = (await login.json()) as { accessToken?: string };
  if (!body.accessToken) throw new Error(`no access token: ${JSON.stringify(body)}`);
  return body.accessToken;
}

async function getAsAdmin<T>(route: string): Promise<T> {
  const response = await fetch(`${apiUrl}${route}`, {
    headers: { authorization: `Bearer ${await adminToken()}` },
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`GET ${route} → ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

function expectWarnings(warnings: Warning[] | undefined, what: string): void {
  expect(warnings, what).toHaveLength(EXPECTED.length);
  for (const expected of EXPECTED) {
    const warning = warnings?.find((w) => w.service === expected.service);
    expect(warning, `${what}: ${expected.service}`).toBeDefined();
    expect(warning?.address, `${what}: ${expected.service}`).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(warning?.reason, `${what}: ${expected.service}`).toMatch(expected.reason);
  }
}

describe("a worker and an api on services that accept a connection without a password", () => {
  it("each logs a warning per service at start, naming the service and its address, never the password", () => {
    for (const [role, server] of [
      ["api", api],
      ["worker", worker],
    ] as const) {
      const output = server?.output() ?? "";
      const warnings = logLines(server as ServerProcess).filter(
        (line) => line.level === 40 && /without a password|default account/.test(line.msg),
      );
      for (const expected of EXPECTED) {
        const line = warnings.find((w) => w.service === expected.service);
        expect(line, `${role} ${expected.service}\n${output}`).toBeDefined();
        expect(line?.msg).toMatch(expected.name);
        expect(line?.msg).toMatch(expected.reason);
        expect(line?.msg).toContain("127.0.0.1:");
      }
      expect(output, role).not.toContain(PG_PASSWORD);
    }
  });

  it("the api answers its warnings at GET /api/platform/api-process, without the password", async () => {
    const answer = await getAsAdmin<{ role: string; pid: number; serviceCredentials?: Warning[] }>(
      "/api/platform/api-process",
    );
    expect(answer.role).toBe("api");
    expect(answer.pid).toBe(api?.child.pid);
    expectWarnings(answer.serviceCredentials, "api");
    expect(JSON.stringify(answer)).not.toContain(PG_PASSWORD);
  });

  it("the worker's heartbeat carries its warnings to GET /api/platform/workers", async () => {
    const listed = await eventually(
      async () => {
        const { items } = await getAsAdmin<{ items: { pid: number; state: Record<string, unknown> }[] }>(
          "/api/platform/workers",
        );
        return items.find((w) => w.pid === worker?.child.pid);
      },
      { timeoutMs: 15_000, intervalMs: 250, what: "the worker's heartbeat" },
    );
    expectWarnings(listed.state.serviceCredentials as Warning[] | undefined, "worker");
    expect(JSON.stringify(listed)).not.toContain(PG_PASSWORD);
  });
});
