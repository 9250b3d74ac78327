import type { FastifyPluginAsync } from "fastify";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ApiServices } from "../../src/api/api-services.js";
import { buildApp, type App } from "../../src/api/app.js";
import { openDatabase, type DatabaseHandle } from "../../src/db/database.js";
import { createLogger } from "../../src/infra/logger.js";
import { MemoryBus } from "../../src/infra/bus/memory-bus.js";
import type { Bus } from "../../src/infra/bus/bus.js";
import { DiskFileStore } from "../../src/infra/files/disk-file-store.js";
import type { FileStore } from "../../src/infra/files/file-store.js";
import { MemoryBroker, MemoryWorkQueue } from "../../src/infra/queue/memory-queue.js";
import type { WorkQueue } from "../../src/infra/queue/work-queue.js";
import type { Clock } from "../../src/infra/clock.js";
import { createApiServices } from "../../src/roles/api-services/index.js";
import type { HealthProbe } from "../../src/services/health/readiness.js";
import { createTestDatabase, type TestDatabase } from "./database.js";

/** Test-only key material; never used outside tests. */
export const TEST_SECRET_KEY = "test-secret-key-0123456789-abcdefghijklmnop";

export type TestApp = {
  app: App;
  services: ApiServices;
  bus: Bus;
  queue: WorkQueue;
  files: FileStore;
  /** The root of the disk file store the app made (unused when `files` was given). */
  filesDir: string;
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
    /** BIFROST_DEVICE_POLL_INTERVAL_SECONDS; default 5. */
    devicePollIntervalSeconds?: number;
    clock?: Clock;
    trustedProxies?: string[];
    secureCookies?: boolean;
    /** BIFROST_PUBLIC_URL: an https one turns on HSTS; its origin is where signed URLs point. */
    publicUrl?: string;
    /** BIFROST_SMTP_URL / BIFROST_MAIL_FROM: the API enqueues mail (nothing in-process sends it). */
    mail?: { smtpUrl: string | undefined; from: string };
    /** Shared with an in-process worker by the engine tests; default: fresh in-memory adapters. */
    bus?: Bus;
    queue?: WorkQueue;
    files?: FileStore;
  } = {},
): Promise<TestApp> {
  const testDatabase = await createTestDatabase();
  const database = await openDatabase({
    engine: "postgres",
    url: testDatabase.url,
    poolSize: 4,
    safety: { guard: true },
  });
  const probes = options.probes ?? [
    { name: "database", adapter: database.engine, check: () => database.ping() },
  ];
  const bus = options.bus ?? new MemoryBus();
  const queue = options.queue ?? new MemoryWorkQueue(new MemoryBroker());
  const filesDir = mkdtempSync(path.join(os.tmpdir(), "bifrost-test-files-"));
  const files = options.files ?? new DiskFileStore({ root: filesDir });
  const services = await createApiServices({
    role: "api",
    db: database.db,
    bus,
    queue,
    files,
    probes,
    secretKey: TEST_SECRET_KEY,
    mfaRequired: options.mfaRequired ?? true,
    // High enough for a test's own traffic; the rate-limit tests set their own.
    loginRateLimit: options.loginRateLimit ?? 1_000,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.devicePollIntervalSeconds
      ? { devicePollIntervalSeconds: options.devicePollIntervalSeconds }
      : {}),
    publicUrl: options.publicUrl,
    ...(options.mail ? { mail: options.mail } : {}),
  });
  const app = await buildApp({
    logger: createLogger({ level: process.env.BIFROST_TEST_LOG_LEVEL ?? "silent", role: "test" }),
    bodyLimitBytes: options.bodyLimitBytes ?? 1024 * 1024,
    trustedProxies: options.trustedProxies ?? [],
    webDir: options.webDir ?? "/nonexistent-web-dir",
    version: "test",
    secureCookies: options.secureCookies ?? false,
    publicUrl: options.publicUrl,
    services,
    extraRoutes: options.extraRoutes ?? [],
  });
  await app.ready();
  return {
    app,
    services,
    bus,
    queue,
    files,
    filesDir,
    database,
    testDatabase,
    async close() {
      await app.close();
      await services.authState.stop();
      await services.workspace.close();
      await database.close();
      await testDatabase.drop();
      rmSync(filesDir, { recursive: true, force: true });
    },
  };
}
