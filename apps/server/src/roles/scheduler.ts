import type { Config } from "../config.js";
import type { Logger } from "../infra/logger.js";
import { ExecutionsRepository } from "../repositories/executions.js";
import { ExecutionEvents } from "../services/execution/channels.js";
import { ExecutionSweeper } from "../services/execution/sweeper.js";
import { TempFilesCleanup } from "../services/files/temp-cleanup.js";
import { systemClock } from "../infra/clock.js";
import type { Infrastructure } from "./infrastructure.js";
import type { Running } from "./lifecycle.js";

/**
 * The scheduler role: the periodic jobs. For now the execution sweeper (leader-elected through a bus
 * lock, so any number of schedulers may run); schedules and deferred runs come with the triggers.
 */
export async function startScheduler(
  config: Config,
  logger: Logger,
  infra: Infrastructure,
): Promise<Running> {
  const sweeper = new ExecutionSweeper({
    executions: new ExecutionsRepository(infra.database.db),
    queue: infra.queue,
    bus: infra.bus,
    events: new ExecutionEvents(infra.bus, logger),
    logger,
    options: {
      intervalMs: Math.min(5_000, Math.max(1_000, Math.floor(config.execution.leaseMs / 6))),
      republishAfterMs: 60_000,
      cancelTimeoutMs: 3 * 60_000,
    },
  });
  await sweeper.start();
  // Hourly: temp files live 24 h, an hour late is fine, and each pass lists every temp file.
  const tempCleanup = new TempFilesCleanup({
    files: infra.files,
    bus: infra.bus,
    clock: systemClock,
    logger,
    options: { intervalMs: 3600_000 },
  });
  tempCleanup.start();
  logger.info("scheduler ready");
  return {
    close: async () => {
      await tempCleanup.stop();
      await sweeper.stop();
    },
  };
}
