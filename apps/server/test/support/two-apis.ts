import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createTestDatabase, type TestDatabase } from "./database.js";
import { killRedis, startPrivateRedis } from "./redis-process.js";
import { eventually, freePort, getJson, startServer, type ServerProcess } from "./server-process.js";
import { TEST_RABBITMQ_URL } from "./services.js";

export type TwoApis = { urls: [string, string]; stop(): Promise<void> };

/**
 * Two `bifrost-server api` processes on one fresh PostgreSQL database and one private Redis (so
 * counters start at zero), both ready. `env` adds settings to both.
 */
export async function startTwoApis(env: Record<string, string> = {}): Promise<TwoApis> {
  const redisPort = await freePort();
  const redis: ChildProcess = await startPrivateRedis(redisPort);
  const database: TestDatabase = await createTestDatabase();
  const dataDir = mkdtempSync(path.join(tmpdir(), "bifrost-two-apis-"));
  const shared = {
    DATABASE_URL: database.url,
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    RABBITMQ_URL: TEST_RABBITMQ_URL,
    BIFROST_SECRET_KEY: randomBytes(36).toString("base64url"),
    BIFROST_DATA_DIR: dataDir,
    BIFROST_LOG_LEVEL: "warn",
    ...env,
  };
  const apis: Array<{ server: ServerProcess; url: string }> = [];
  for (let i = 0; i < 2; i += 1) {
    const port = await freePort();
    apis.push({
      server: startServer("api", { ...shared, PORT: String(port) }),
      url: `http://127.0.0.1:${port}`,
    });
  }
  for (const api of apis) {
    await eventually(
      async () => ((await getJson(`${api.url}/health/ready`))?.status === 200 ? true : undefined),
      { timeoutMs: 60_000, intervalMs: 200, what: `${api.url} to be ready` },
    );
  }
  return {
    urls: [apis[0]?.url ?? "", apis[1]?.url ?? ""],
    async stop() {
      await Promise.all(apis.map((api) => api.server.stop()));
      await killRedis(redis);
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
