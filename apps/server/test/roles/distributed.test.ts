import { readinessSchema, type Readiness } from "@bifrost/contracts";
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withTimeout } from "../../src/infra/timeouts.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { killRedis, startPrivateRedis } from "../support/redis-process.js";
import { eventually, freePort, getJson, startServer, type ServerProcess } from "../support/server-process.js";
import { TEST_RABBITMQ_URL } from "../support/services.js";

// api and worker as separate processes on PostgreSQL, RabbitMQ and a redis-server of this file's own, which
// it stops and starts again. The shared Redis on 6379 is never touched.

const START_TIMEOUT_MS = 60_000;
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

async function readiness(url: string): Promise<{ status: number; body: Readiness } | undefined> {
  const response = await getJson(`${url}/health/ready`);
  return response && { status: response.status, body: readinessSchema.parse(response.body) };
}

/** Polls /health/ready until `accept` holds; fails at once, with the output, if the process exits first. */
async function waitForReadiness(
  server: ServerProcess,
  url: string,
  accept: (r: { status: number; body: Readiness }) => boolean,
  options: { timeoutMs: number; what: string },
): Promise<{ status: number; body: Readiness }> {
  let last: unknown;
  const polled = eventually(
    async () => {
      const response = await readiness(url);
      last = response?.body;
      return response && accept(response) ? response : undefined;
    },
    { timeoutMs: options.timeoutMs, intervalMs: 250, what: options.what },
  );
  const exitedFirst = server.exited.then((code) => {
    throw new Error(`bifrost-server exited (${code}) while waiting for ${options.what}`);
  });
  try {
    return await Promise.race([polled, exitedFirst]);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(
      `${message}\nlast readiness: ${JSON.stringify(last)}\n--- output ---\n${server.output()}`,
    );
  }
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} did not start`);
  return value;
}

async function exitCode(server: ServerProcess, timeoutMs: number): Promise<number | string> {
  return withTimeout(
    server.exited,
    timeoutMs,
    () => new Error(`still running after ${timeoutMs} ms:\n${server.output()}`),
  );
}

describe("bifrost-server api + worker on PostgreSQL, RabbitMQ and Redis", () => {
  let database: TestDatabase | undefined;
  let dataDir: string | undefined;
  let redisPort: number;
  let redis: ChildProcess | undefined;
  let api: ServerProcess | undefined;
  let worker: ServerProcess | undefined;
  let apiUrl: string;
  let workerUrl: string;
  let apiPid: number | undefined;
  let workerPid: number | undefined;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), "bifrost-distributed-"));
    redisPort = await freePort();
    redis = await startPrivateRedis(redisPort);
    database = await createTestDatabase();

    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      RABBITMQ_URL: TEST_RABBITMQ_URL,
      BIFROST_SECRET_KEY: randomBytes(36).toString("base64url"),
      BIFROST_DATA_DIR: dataDir,
    };
    const apiPort = await freePort();
    const healthPort = await freePort();
    api = startServer("api", { ...env, PORT: String(apiPort) });
    worker = startServer("worker", { ...env, BIFROST_HEALTH_PORT: String(healthPort) });
    apiPid = api.child.pid;
    workerPid = worker.child.pid;
    apiUrl = `http://127.0.0.1:${apiPort}`;
    workerUrl = `http://127.0.0.1:${healthPort}`;
  });

  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop()]);
    await killRedis(redis);
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const ready = (r: { status: number }): boolean => r.status === 200;
  const busDown = (r: { status: number; body: Readiness }): boolean =>
    r.status === 503 && r.body.components.bus?.status === "down";

  it(
    "api and worker each report ready with database=postgres, queue=rabbitmq, bus=redis and their role",
    async () => {
      const [apiReady, workerReady] = await Promise.all([
        waitForReadiness(required(api, "api"), apiUrl, ready, {
          timeoutMs: START_TIMEOUT_MS,
          what: "the api to be ready",
        }),
        waitForReadiness(required(worker, "worker"), workerUrl, ready, {
          timeoutMs: START_TIMEOUT_MS,
          what: "the worker to be ready",
        }),
      ]);
      for (const [{ body }, role] of [
        [apiReady, "api"],
        [workerReady, "worker"],
      ] as const) {
        expect(body).toEqual({
          status: "ok",
          role,
          components: {
            database: { status: "ok", adapter: "postgres" },
            queue: { status: "ok", adapter: "rabbitmq" },
            bus: { status: "ok", adapter: "redis" },
            files: { status: "ok", adapter: "disk" },
          },
        });
      }
      expect((await getJson(`${workerUrl}/health`))?.body).toEqual({ status: "ok" });
    },
    START_TIMEOUT_MS + 10_000,
  );

  it("with its Redis stopped, /health/ready turns 503 'unavailable' with bus down (and an error) on api and worker; database and queue stay ok", async () => {
    await killRedis(redis);
    const [apiDown, workerDown] = await Promise.all([
      waitForReadiness(required(api, "api"), apiUrl, busDown, {
        timeoutMs: 10_000,
        what: "the api to report the bus down",
      }),
      waitForReadiness(required(worker, "worker"), workerUrl, busDown, {
        timeoutMs: 10_000,
        what: "the worker to report the bus down",
      }),
    ]);
    for (const [{ body }, role] of [
      [apiDown, "api"],
      [workerDown, "worker"],
    ] as const) {
      expect(body.status).toBe("unavailable");
      expect(body.role).toBe(role);
      const bus = body.components.bus;
      expect(bus?.status).toBe("down");
      expect(bus?.adapter).toBe("redis");
      expect(typeof bus?.error).toBe("string");
      expect(bus?.error?.trim()).not.toBe("");
      expect(body.components.database).toEqual({ status: "ok", adapter: "postgres" });
      expect(body.components.queue).toEqual({ status: "ok", adapter: "rabbitmq" });
    }
    expect(required(api, "api").child.exitCode).toBeNull();
    expect(required(worker, "worker").child.exitCode).toBeNull();
  }, 30_000);

  it("after redis-server starts again on the same port, the same api and worker processes are ready again within 15 s", async () => {
    redis = await startPrivateRedis(redisPort);
    await Promise.all([
      waitForReadiness(required(api, "api"), apiUrl, ready, {
        timeoutMs: 15_000,
        what: "the api to be ready again",
      }),
      waitForReadiness(required(worker, "worker"), workerUrl, ready, {
        timeoutMs: 15_000,
        what: "the worker to be ready again",
      }),
    ]);
    for (const [server, pid] of [
      [required(api, "api"), apiPid],
      [required(worker, "worker"), workerPid],
    ] as const) {
      expect(server.child.pid).toBe(pid);
      expect(server.child.exitCode).toBeNull();
      expect(server.child.signalCode).toBeNull();
    }
    // One process, one start: the API listened once.
    expect(
      required(api, "api")
        .output()
        .match(/Bifrost API listening/g),
    ).toHaveLength(1);
  }, 30_000);

  it("on SIGTERM the api and the worker exit with code 0", async () => {
    const [apiCode, workerCode] = await Promise.all([
      required(api, "api").stop(20_000),
      required(worker, "worker").stop(20_000),
    ]);
    expect(apiCode, required(api, "api").output()).toBe(0);
    expect(workerCode, required(worker, "worker").output()).toBe(0);
  }, 30_000);
});

describe("bifrost-server api with bad configuration", () => {
  // Never reached: configuration is checked before any connection is made.
  const DATABASE_URL = "postgres://bifrost@127.0.0.1:1/bifrost";
  const started: ServerProcess[] = [];

  afterAll(async () => {
    await Promise.all(started.map((server) => server.stop()));
  });

  it("exits with code 2 and names BIFROST_SECRET_KEY when it is not set", async () => {
    const server = startServer("api", { DATABASE_URL, PORT: String(await freePort()) });
    started.push(server);
    expect(await exitCode(server, 20_000), server.output()).toBe(2);
    expect(server.output()).toContain("BIFROST_SECRET_KEY");
    expect(server.output()).not.toMatch(STACK_FRAME);
  });

  it("exits with code 2 and names PORT when PORT=abc", async () => {
    const server = startServer("api", {
      DATABASE_URL,
      BIFROST_SECRET_KEY: randomBytes(36).toString("base64url"),
      PORT: "abc",
    });
    started.push(server);
    expect(await exitCode(server, 20_000), server.output()).toBe(2);
    expect(server.output()).toMatch(/\bPORT\b/);
    expect(server.output()).not.toMatch(STACK_FRAME);
  });
});
