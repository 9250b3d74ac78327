import type { FastifyPluginAsync } from "fastify";
import { buildApp, type App } from "../../src/api/app.js";
import { openDatabase, type DatabaseHandle } from "../../src/db/database.js";
import { createLogger } from "../../src/infra/logger.js";
import { UsersRepository } from "../../src/repositories/users.js";
import { AuthStatusService } from "../../src/services/auth/auth-status.js";
import { ReadinessService, type HealthProbe } from "../../src/services/health/readiness.js";
import { createTestDatabase, type TestDatabase } from "./database.js";

export type TestApp = {
  app: App;
  database: DatabaseHandle;
  testDatabase: TestDatabase;
  close(): Promise<void>;
};

/**
 * The HTTP app on a fresh PostgreSQL database, driven in-process with `app.inject()`.
 * Extra probes and fixture routes let a test provoke each error path.
 */
export async function createTestApp(
  options: {
    probes?: HealthProbe[];
    extraRoutes?: FastifyPluginAsync[];
    webDir?: string;
    bodyLimitBytes?: number;
  } = {},
): Promise<TestApp> {
  const testDatabase = await createTestDatabase();
  const database = await openDatabase({ engine: "postgres", url: testDatabase.url, poolSize: 4 });
  const probes = options.probes ?? [
    { name: "database", adapter: database.engine, check: () => database.ping() },
  ];
  const app = await buildApp({
    logger: createLogger({ level: process.env.BIFROST_TEST_LOG_LEVEL ?? "silent", role: "test" }),
    bodyLimitBytes: options.bodyLimitBytes ?? 1024 * 1024,
    trustedProxies: [],
    webDir: options.webDir ?? "/nonexistent-web-dir",
    version: "test",
    services: {
      readiness: new ReadinessService("api", probes),
      authStatus: new AuthStatusService(new UsersRepository(database.db), { mfaRequired: true }),
    },
    extraRoutes: options.extraRoutes ?? [],
  });
  await app.ready();
  return {
    app,
    database,
    testDatabase,
    async close() {
      await app.close();
      await database.close();
      await testDatabase.drop();
    },
  };
}
