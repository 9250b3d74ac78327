import path from "node:path";
import type { Config } from "../config.js";
import { openDatabase, type DatabaseHandle, type DatabaseOptions } from "../db/database.js";
import type { Bus } from "../infra/bus/bus.js";
import { MemoryBus } from "../infra/bus/memory-bus.js";
import { createFileStore } from "../infra/files/index.js";
import type { FileStore } from "../infra/files/file-store.js";
import type { Logger } from "../infra/logger.js";
import { MemoryBroker, MemoryWorkQueue } from "../infra/queue/memory-queue.js";
import { NamespacedWorkQueue } from "../infra/queue/namespaced-queue.js";
import type { WorkQueue } from "../infra/queue/work-queue.js";
import type { HealthProbe } from "../services/health/readiness.js";

/** The backing services of one process, each the real service when its URL is set, else embedded. */
export type Infrastructure = {
  database: DatabaseHandle;
  queue: WorkQueue;
  bus: Bus;
  files: FileStore;
  probes: HealthProbe[];
  close(): Promise<void>;
};

/** Host and port only: a URL may carry a password, which never reaches a log line. */
function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === "/" ? "" : parsed.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}

/** The database of the configuration: PostgreSQL when DATABASE_URL is set, else PGlite in the data dir. */
export function databaseOptions(
  config: Config,
  logger: Logger,
  poolSize = config.databasePoolSize,
): DatabaseOptions {
  const common = { logger, safety: config.databaseSafety };
  return config.databaseUrl
    ? { engine: "postgres", url: config.databaseUrl, poolSize, ...common }
    : { engine: "pglite", dataDir: path.join(config.dataDir, "db"), ...common };
}

export async function connectInfrastructure(config: Config, logger: Logger): Promise<Infrastructure> {
  const opened: Array<{ close(): Promise<void> }> = [];
  const closeAll = async (): Promise<void> => {
    for (const resource of opened.reverse()) {
      await resource.close().catch((error: unknown) => logger.warn({ err: error }, "error while closing"));
    }
  };
  try {
    const database = await openDatabase(databaseOptions(config, logger));
    opened.push(database);

    let bus: Bus;
    if (config.redisUrl) {
      const { RedisBus } = await import("../infra/bus/redis-bus.js");
      bus = await RedisBus.connect({ url: config.redisUrl, prefix: `${config.namespace}:`, logger });
    } else {
      bus = new MemoryBus();
    }
    opened.push(bus);

    let queue: WorkQueue;
    if (config.rabbitmqUrl) {
      const { RabbitMqWorkQueue } = await import("../infra/queue/rabbitmq-queue.js");
      const broker = await RabbitMqWorkQueue.connect({ url: config.rabbitmqUrl, logger, waitMs: 15_000 });
      queue = new NamespacedWorkQueue(broker, `${config.namespace}.`);
    } else {
      queue = new MemoryWorkQueue(new MemoryBroker());
    }
    opened.push(queue);

    const files = await createFileStore(config.files);
    opened.push(files);

    logger.info(
      {
        database: config.databaseUrl
          ? describeUrl(config.databaseUrl)
          : `pglite ${path.join(config.dataDir, "db")}`,
        bus: config.redisUrl ? describeUrl(config.redisUrl) : "memory",
        queue: config.rabbitmqUrl ? describeUrl(config.rabbitmqUrl) : "memory",
        files: files.adapter,
      },
      "backing services connected",
    );
    return {
      database,
      queue,
      bus,
      files,
      probes: [
        { name: "database", adapter: database.engine, check: () => database.ping() },
        { name: "queue", adapter: queue.adapter, check: () => queue.ping() },
        { name: "bus", adapter: bus.adapter, check: () => bus.ping() },
        { name: "files", adapter: files.adapter, check: () => files.ping() },
      ],
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
