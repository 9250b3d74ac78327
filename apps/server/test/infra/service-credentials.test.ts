import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkServiceCredentials, type CredentialCheck } from "../../src/infra/service-credentials.js";
import { startPrivatePostgres, type PrivatePostgres } from "../support/postgres-cluster.js";
import { killRedis, startPrivateRedis } from "../support/redis-process.js";
import { freePort } from "../support/server-process.js";
import { TEST_POSTGRES_URL, TEST_RABBITMQ_URL, TEST_REDIS_URL } from "../support/services.js";

// The check behind the start warning (issue 17, point 10), against real servers: the machine's
// shared ones, which take no password (PostgreSQL trusts 127.0.0.1, Redis has no requirepass,
// RabbitMQ keeps guest/guest), and servers of this file's own that do ask for one. Whatever cannot be
// decided — nothing listening, a server that never answers, a bad URL — is `unknown`, in bounded time.

const PASSWORD = "a-password-the-check-never-sends";

let postgres: PrivatePostgres | undefined;
let redis: ChildProcess | undefined;
let redisPort: number;
/** Accepts connections and never says a word. */
let silent: Server;
let silentPort: number;
const sockets: Socket[] = [];

beforeAll(async () => {
  redisPort = await freePort();
  [postgres, redis] = await Promise.all([
    startPrivatePostgres(PASSWORD),
    startPrivateRedis(redisPort, ["--requirepass", PASSWORD]),
  ]);
  silent = createServer((socket) => sockets.push(socket)).listen(0, "127.0.0.1");
  await once(silent, "listening");
  const address = silent.address();
  silentPort = typeof address === "object" && address ? address.port : 0;
}, 60_000);

afterAll(async () => {
  await postgres?.stop();
  await killRedis(redis);
  for (const socket of sockets) socket.destroy();
  silent?.close();
});

const byService = (checks: CredentialCheck[]) => Object.fromEntries(checks.map((c) => [c.service, c]));

describe("checkServiceCredentials", () => {
  it("finds the machine's PostgreSQL, Redis and RabbitMQ open without a password, and says as whom", async () => {
    const checks = byService(
      await checkServiceCredentials(
        { postgres: TEST_POSTGRES_URL, redis: TEST_REDIS_URL, rabbitmq: TEST_RABBITMQ_URL },
        { timeoutMs: 3_000 },
      ),
    );
    expect(checks.postgresql).toEqual({
      service: "postgresql",
      address: "127.0.0.1:5432",
      verdict: "open",
      reason: 'accepts user "postgres" without a password',
    });
    expect(checks.redis).toEqual({
      service: "redis",
      address: "127.0.0.1:6379",
      verdict: "open",
      reason: "accepts commands without a password",
    });
    expect(checks.rabbitmq).toEqual({
      service: "rabbitmq",
      address: "127.0.0.1:5672",
      verdict: "open",
      reason: 'accepts the default account "guest" with its default password',
    });
  });

  it("a password in the URL changes nothing: the check leaves it out", async () => {
    const withPassword = new URL(TEST_POSTGRES_URL);
    withPassword.password = PASSWORD;
    const [check] = await checkServiceCredentials(
      { postgres: withPassword.toString() },
      { timeoutMs: 3_000 },
    );
    expect(check?.verdict).toBe("open");
    expect(JSON.stringify(check)).not.toContain(PASSWORD);
  });

  it("finds a PostgreSQL with SCRAM and a Redis with requirepass closed, though their URLs carry the password", async () => {
    const checks = byService(
      await checkServiceCredentials(
        { postgres: postgres?.url, redis: `redis://:${PASSWORD}@127.0.0.1:${redisPort}` },
        { timeoutMs: 3_000 },
      ),
    );
    expect(checks.postgresql).toEqual({
      service: "postgresql",
      address: `127.0.0.1:${postgres?.port}`,
      verdict: "closed",
    });
    expect(checks.redis).toEqual({ service: "redis", address: `127.0.0.1:${redisPort}`, verdict: "closed" });
  });

  it("says unknown, never open, for a port nothing listens on and a server that never answers, within its bound", async () => {
    const closedPort = await freePort();
    const refused = await checkServiceCredentials(
      {
        postgres: `postgres://postgres@127.0.0.1:${closedPort}/postgres`,
        redis: `redis://127.0.0.1:${closedPort}`,
        rabbitmq: `amqp://127.0.0.1:${closedPort}`,
      },
      { timeoutMs: 1_000 },
    );
    expect(refused.map((c) => c.verdict)).toEqual(["unknown", "unknown", "unknown"]);

    const started = Date.now();
    const hung = await checkServiceCredentials(
      {
        postgres: `postgres://postgres@127.0.0.1:${silentPort}/postgres`,
        redis: `redis://127.0.0.1:${silentPort}`,
        rabbitmq: `amqp://127.0.0.1:${silentPort}`,
      },
      { timeoutMs: 500 },
    );
    expect(hung.map((c) => c.verdict)).toEqual(["unknown", "unknown", "unknown"]);
    // All three at once, each bounded: about the bound, not three times it, and never hanging.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("checks only the services that have a URL, and takes a malformed one as unknown", async () => {
    expect(await checkServiceCredentials({}, { timeoutMs: 1_000 })).toEqual([]);
    const [check] = await checkServiceCredentials({ redis: "not a url" }, { timeoutMs: 1_000 });
    expect(check).toMatchObject({ service: "redis", address: "(invalid URL)", verdict: "unknown" });
  });
});
