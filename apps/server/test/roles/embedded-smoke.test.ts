import { authStatusSchema, readinessSchema, type Readiness } from "@bifrost/contracts";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withTimeout } from "../../src/infra/timeouts.js";
import { eventually, freePort, getJson, startServer, type ServerProcess } from "../support/server-process.js";

// `bifrost-server start` with no service URLs: PGlite under the data dir, in-memory queue and bus, files on disk.

const START_TIMEOUT_MS = 90_000;
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

/** Resolves once /health/ready answers 200; fails at once, with the output, if the process exits first. */
async function waitForReady(server: ServerProcess, baseUrl: string): Promise<Readiness> {
  const ready = eventually(
    async () => {
      const response = await getJson(`${baseUrl}/health/ready`);
      return response?.status === 200 ? readinessSchema.parse(response.body) : undefined;
    },
    { timeoutMs: START_TIMEOUT_MS, intervalMs: 250, what: `${baseUrl}/health/ready to answer 200` },
  );
  const exitedFirst = server.exited.then((code) => {
    throw new Error(`bifrost-server exited (${code}) before it was ready`);
  });
  try {
    return await Promise.race([ready, exitedFirst]);
  } catch (error) {
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}\n--- output ---\n${server.output()}`,
    );
  }
}

async function exitCode(server: ServerProcess, timeoutMs: number): Promise<number | string> {
  return withTimeout(
    server.exited,
    timeoutMs,
    () => new Error(`still running after ${timeoutMs} ms:\n${server.output()}`),
  );
}

describe("bifrost-server start, embedded (no DATABASE_URL, REDIS_URL, RABBITMQ_URL)", () => {
  let dataDir: string;
  let first: ServerProcess;
  let firstUrl: string;
  let secretKey: string;
  const started: ServerProcess[] = [];

  const start = async (): Promise<{ server: ServerProcess; url: string }> => {
    const port = await freePort();
    const server = startServer("start", { PORT: String(port), BIFROST_DATA_DIR: dataDir });
    started.push(server);
    return { server, url: `http://127.0.0.1:${port}` };
  };

  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), "bifrost-embedded-"));
  });

  afterAll(async () => {
    await Promise.all(started.map((server) => server.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    "becomes ready with database=pglite, queue=memory, bus=memory and files=disk all ok",
    async () => {
      ({ server: first, url: firstUrl } = await start());
      const readiness = await waitForReady(first, firstUrl);
      expect(readiness).toEqual({
        status: "ok",
        role: "start",
        components: {
          database: { status: "ok", adapter: "pglite" },
          queue: { status: "ok", adapter: "memory" },
          bus: { status: "ok", adapter: "memory" },
          files: { status: "ok", adapter: "disk" },
        },
      });
    },
    START_TIMEOUT_MS + 10_000,
  );

  it("answers /health with {status: 'ok'}", async () => {
    const response = await getJson(`${firstUrl}/health`);
    expect(response?.status).toBe(200);
    expect(response?.body).toStrictEqual({ status: "ok" });
  });

  it("answers GET /auth/status with 200 and needsSetup true on a fresh data dir", async () => {
    const response = await getJson(`${firstUrl}/auth/status`);
    expect(response?.status).toBe(200);
    expect(authStatusSchema.parse(response?.body).needsSetup).toBe(true);
  });

  it("generates the secret key into <data dir>/secret-key with mode 0600, at least 32 characters, never logged", () => {
    const file = path.join(dataDir, "secret-key");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    secretKey = readFileSync(file, "utf8").trim();
    expect(secretKey.length).toBeGreaterThanOrEqual(32);
    expect(first.output()).not.toContain(secretKey);
  });

  it(
    "refuses a second start on the same data dir while the first runs (non-zero exit, 'in use'); the first keeps serving",
    async () => {
      const { server: second } = await start();
      const code = await exitCode(second, START_TIMEOUT_MS);
      expect(code, second.output()).not.toBe(0);
      expect(second.output()).toMatch(/in use/i);
      expect(second.output()).toContain(`pid ${first.child.pid}`);

      expect(first.child.exitCode).toBeNull();
      expect((await getJson(`${firstUrl}/health/ready`))?.status).toBe(200);
      const status = await getJson(`${firstUrl}/auth/status`);
      expect(status?.status).toBe(200);
      expect(authStatusSchema.parse(status?.body).needsSetup).toBe(true);
    },
    START_TIMEOUT_MS + 10_000,
  );

  it("on SIGTERM shuts down gracefully: exit code 0, no stack trace in the output, data-dir lock released", async () => {
    const code = await first.stop(30_000);
    expect(code, first.output()).toBe(0);
    expect(first.output()).not.toMatch(STACK_FRAME);
    expect(first.output()).not.toMatch(/"stack"\s*:/);
    expect(existsSync(path.join(dataDir, "db.lock"))).toBe(false);
  }, 40_000);

  it(
    "a later start on the same data dir keeps the same secret key and becomes ready again",
    async () => {
      const { server: again, url } = await start();
      const readiness = await waitForReady(again, url);
      expect(readiness.status).toBe("ok");
      expect(readiness.components.database).toEqual({ status: "ok", adapter: "pglite" });
      expect(readFileSync(path.join(dataDir, "secret-key"), "utf8").trim()).toBe(secretKey);
      expect(statSync(path.join(dataDir, "secret-key")).mode & 0o777).toBe(0o600);

      expect(await again.stop(30_000), again.output()).toBe(0);
      expect(again.output()).not.toMatch(STACK_FRAME);
    },
    START_TIMEOUT_MS + 40_000,
  );
});

describe("bifrost-server start on a port that is taken", () => {
  it("exits 1 with one plain line naming the problem and releases the database lock", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "bifrost-port-taken-"));
    const blocker = createServer().listen(0, "127.0.0.1");
    await once(blocker, "listening");
    const address = blocker.address();
    try {
      if (!address || typeof address === "string") throw new Error("no port");
      const server = startServer("start", { PORT: String(address.port), BIFROST_DATA_DIR: dataDir });
      expect(await exitCode(server, START_TIMEOUT_MS)).toBe(1);
      expect(server.output()).toContain("EADDRINUSE");
      expect(server.output()).not.toMatch(STACK_FRAME);
      expect(existsSync(path.join(dataDir, "db.lock"))).toBe(false);
    } finally {
      blocker.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
