import type { ApiServices } from "../../api/api-services.js";
import { RealtimeHub } from "../../api/realtime/realtime-hub.js";
import { ExecutionBatches } from "../../repositories/execution-batches.js";
import { ExecutionLogsRepository } from "../../repositories/execution-logs.js";
import { PlatformWorkersRepository } from "../../repositories/platform-workers.js";
import { ExecutionQueries } from "../../services/execution/accept/execution-queries.js";
import { ExecutionService } from "../../services/execution/accept/execution-service.js";
import { InputValidator } from "../../services/execution/accept/input-validation.js";
import { RunDispatcher } from "../../services/execution/dispatcher.js";
import { ExecutionTokens } from "../../services/execution/execution-token.js";
import type { Core } from "./core.js";

/** The engine's API side: accepting and reading runs, their tokens, live updates, the workers. */
export function engineServices(
  core: Core,
): Pick<
  ApiServices,
  | "executionTokens"
  | "executions"
  | "executionQueries"
  | "executionsRepository"
  | "syncResults"
  | "realtime"
  | "platformWorkers"
  | "runLines"
> {
  const { deps, executions, events, syncResults, logger } = core;
  const batches = new ExecutionBatches(deps.db, deps.orgMaxConcurrentRuns ?? null);
  return {
    executionTokens: new ExecutionTokens(core.secretBox.deriveKey("execution-token"), deps.bus, core.clock),
    executions: new ExecutionService({
      executions,
      batches,
      dispatcher: new RunDispatcher({ batches, queue: deps.queue, logger }),
      workflows: core.runnable,
      validator: new InputValidator(),
      queue: deps.queue,
      bus: deps.bus,
      events,
      syncResults,
      logger,
    }),
    executionQueries: new ExecutionQueries({
      executions,
      logs: new ExecutionLogsRepository(deps.db),
      files: deps.files,
    }),
    executionsRepository: executions,
    syncResults,
    realtime: new RealtimeHub({ bus: deps.bus, executions, logger }),
    platformWorkers: new PlatformWorkersRepository(deps.db),
    runLines: batches,
  };
}
