import type { FastifyPluginAsync } from "fastify";
import { buildApp, type App } from "../../src/api/app.js";
import { openDatabase, type DatabaseHandle } from "../../src/db/database.js";
import { createLogger } from "../../src/infra/logger.js";
import { MemoryBus } from "../../src/infra/bus/memory-bus.js";
import type { Clock } from "../../src/infra/clock.js";
import { createApiServices } from "../../src/roles/api.js";
import type { HealthProbe } from "../../src/services/health/readiness.js";
import { createTestDatabase, type TestDatabase } from "./database.js";

/** Test-only key material; never used outside tests. */
export const TEST_SECRET_KEY = "test-secret-key-0123456789-abcdefghijklmnop";

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
    mfaRequired?: boolean;
    loginRateLimit?: number;
    clock?: Clock;
    trustedProxies?: string[];
    secureCookies?: boolean;
  } = {},
): Promise<TestApp> {
  const testDatabase = await createTestDatabase();
  const database = await openDatabase({ engine: "postgres", url: testDatabase.url, poolSize: 4 });
  const probes = options.probes ?? [
    { name: "database", adapter: database.engine, check: () => database.ping() },
  ];
  const services = await createApiServices({
    role: "api",
    db: database.db,
    bus: new MemoryBus(),
    probes,
    secretKey: TEST_SECRET_KEY,
    mfaRequired: options.mfaRequired ?? true,
    // High enough for a test's own traffic; the rate-limit tests set their own.
    loginRateLimit: options.loginRateLimit ?? 1_000,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const app = await buildApp({
    logger: createLogger({ level: process.env.BIFROST_TEST_LOG_LEVEL ?? "silent", role: "test" }),
    bodyLimitBytes: options.bodyLimitBytes ?? 1024 * 1024,
    trustedProxies: options.trustedProxies ?? [],
    webDir: options.webDir ?? "/nonexistent-web-dir",
    version: "test",
    secureCookies: options.secureCookies ?? false,
    services,
    extraRoutes: options.extraRoutes ?? [],
  });
  await app.ready();
  return {
    app,
    database,
    testDatabase,
    async close() {
      await app.close();
      await services.authState.stop();
      await database.close();
      await testDatabase.drop();
    },
  };
}
