import {
  ConfigError,
  loadConfig,
  loadKeyRotationConfig,
  processRoles,
  type Config,
  type ProcessRole,
} from "./config.js";
import { openDatabase } from "./db/database.js";
import { DirectoryInUseError } from "./db/directory-lock.js";
import { UnavailableError } from "./errors.js";
import { createLogger, type Logger } from "./infra/logger.js";
import { createApi, listen } from "./roles/api.js";
import { startScheduler } from "./roles/scheduler.js";
import { startWorker } from "./roles/worker.js";
import { startHealthServer } from "./roles/health-server.js";
import { runKeyRotation } from "./roles/key-rotation.js";
import { connectInfrastructure, databaseOptions, type Infrastructure } from "./roles/infrastructure.js";
import { stopOnSignals, type Running } from "./roles/lifecycle.js";
import { KeyRotationError } from "./services/config/rotate-secret-key.js";
import { ReadinessService } from "./services/health/readiness.js";
import type { Isolation } from "./services/execution/pool/isolation.js";
import { resolveSandbox, SandboxUnavailableError } from "./roles/sandbox.js";
import { warnAboutServiceCredentials } from "./roles/service-credentials.js";

const USAGE = `Usage: bifrost-server <command>

Commands:
  start      API, worker and scheduler in one process (embedded adapters where no URL is set)
  api        the HTTP API and web client
  worker     runs workflows from the queue
  scheduler  schedules, deferred runs and maintenance jobs
  migrate    apply database migrations and exit
  rotate-secret-key
             re-encrypt every stored secret from BIFROST_SECRET_KEY to BIFROST_NEW_SECRET_KEY and exit

Configuration comes from environment variables; see the README.`;

/** Only the database: `migrate` must not need (or wait for) the queue, the bus or the file store. */
async function migrateOnly(config: Config, logger: Logger): Promise<void> {
  const database = await openDatabase(databaseOptions(config, logger, 1));
  try {
    await database.migrate();
    logger.info("database migrations applied");
  } finally {
    await database.close();
  }
}

async function run(role: Exclude<ProcessRole, "migrate">, config: Config, logger: Logger): Promise<void> {
  const opened: { parts: Running[]; infra?: Infrastructure } = { parts: [] };
  const closeAll = async (): Promise<void> => {
    // Stop intake first (HTTP, consumers), then the pools they used.
    for (const part of opened.parts.splice(0).reverse()) await part.close();
    const infra = opened.infra;
    opened.infra = undefined;
    await infra?.close();
  };
  // Before anything opens: a role that would run user code without its sandbox does not start.
  const isolation = role === "scheduler" ? undefined : resolveSandbox(config, logger);
  const starting = start(role, config, logger, opened, isolation);
  // Registered before anything opens; a signal during a slow start waits for it, then closes all.
  stopOnSignals(
    {
      async close() {
        await starting.catch(() => undefined);
        await closeAll();
      },
    },
    logger,
    config.shutdownTimeoutMs,
  );
  try {
    await starting;
  } catch (error) {
    // A failed start still releases what it opened (the embedded database and its lock).
    await closeAll().catch((closeError: unknown) => logger.warn({ err: closeError }, "error while closing"));
    throw error;
  }
}

async function start(
  role: Exclude<ProcessRole, "migrate">,
  config: Config,
  logger: Logger,
  opened: { parts: Running[]; infra?: Infrastructure },
  isolation: Isolation | undefined,
): Promise<void> {
  const infra = await connectInfrastructure(config, logger);
  opened.infra = infra;
  // Beside the migrations: a role that runs workflow code says which services need no password.
  const credentials =
    role === "scheduler" ? Promise.resolve([]) : warnAboutServiceCredentials(config, logger);
  await infra.database.migrate();
  logger.info("database migrations applied");
  const serviceCredentials = await credentials;

  // The API listens first: in `start` the worker's children reach it at the address it got.
  let listening: string | undefined;
  if (role === "api" || role === "start") {
    const app = await createApi(config, logger, infra, { isolation, serviceCredentials });
    opened.parts.push({ close: () => app.close() });
    listening = await listen(app, config, logger);
  }
  const apiUrl = config.execution.apiUrl ?? listening ?? `http://127.0.0.1:${config.http.port}`;
  if (role === "worker" || role === "start") {
    opened.parts.push(await startWorker(config, logger, infra, { apiUrl, isolation, serviceCredentials }));
  }
  if (role === "scheduler" || role === "start")
    opened.parts.push(await startScheduler(config, logger, infra));
  if (role === "start") process.stdout.write(`\nBifrost is running at ${listening ?? apiUrl}\n\n`);
  if (role !== "api" && role !== "start" && config.healthPort !== undefined) {
    const health = await startHealthServer({
      host: config.http.host,
      port: config.healthPort,
      logger,
      readiness: new ReadinessService(role, infra.probes, logger),
    });
    opened.parts.push(health);
  }
}

/** Errors an operator can act on: one plain line, no stack trace. */
const isOperatorError = (error: unknown): error is Error =>
  error instanceof DirectoryInUseError ||
  error instanceof SandboxUnavailableError ||
  error instanceof UnavailableError ||
  (error instanceof Error &&
    ["EADDRINUSE", "EACCES", "EADDRNOTAVAIL"].includes(String((error as NodeJS.ErrnoException).code)));

async function rotateKey(): Promise<number> {
  let options: ReturnType<typeof loadKeyRotationConfig>;
  try {
    options = loadKeyRotationConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`bifrost-server: ${error.message}\n`);
    return 2;
  }
  const logger = createLogger({ level: options.config.logLevel, role: "rotate-secret-key" });
  try {
    await runKeyRotation(options, logger);
    return 0;
  } catch (error) {
    if (!isOperatorError(error) && !(error instanceof KeyRotationError)) throw error;
    process.stderr.write(`bifrost-server: ${error.message}\n`);
    return 1;
  }
}

async function main(argv: string[]): Promise<number> {
  const command = argv[0];
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  if (command === "rotate-secret-key") return await rotateKey();
  if (!(processRoles as readonly string[]).includes(command)) {
    process.stderr.write(`Unknown command: ${command}\n\n${USAGE}\n`);
    return 2;
  }
  const role = command as ProcessRole;
  let config: Config;
  try {
    config = loadConfig(role);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`bifrost-server: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel, role });
  try {
    if (role === "migrate") {
      await migrateOnly(config, logger);
      return 0;
    }
    await run(role, config, logger);
    return -1;
  } catch (error) {
    if (isOperatorError(error)) {
      logger.fatal({ reason: error.message }, "failed to start");
      process.stderr.write(`bifrost-server: ${error.message}\n`);
      return 1;
    }
    logger.fatal({ err: error }, "failed to start");
    logger.flush();
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
