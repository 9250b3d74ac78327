import type { Config } from "../config.js";
import type { Logger } from "../infra/logger.js";
import type { Running } from "./lifecycle.js";
import type { Infrastructure } from "./infrastructure.js";

/**
 * The worker and scheduler roles. For now they connect to the backing services and report ready;
 * the execution engine adds the queue consumer and the process pool, the triggers work adds the
 * leader-elected periodic jobs.
 */
export function startWorker(_config: Config, logger: Logger, _infra: Infrastructure): Running {
  logger.info("worker ready");
  return { close: () => Promise.resolve() };
}

export function startScheduler(_config: Config, logger: Logger, _infra: Infrastructure): Running {
  logger.info("scheduler ready");
  return { close: () => Promise.resolve() };
}
