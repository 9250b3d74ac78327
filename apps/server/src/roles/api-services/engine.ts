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
import { LocalRuns } from "../../services/execution/local/local-runs.js";
import { DEFAULT_OUTPUT_LIMITS } from "../../services/execution/pool/output-limits.js";
import { LogSink } from "../../services/execution/worker/log-sink.js";
import type { Core } from "./core.js";

/** BIFROST_EXECUTION_LEASE_SECONDS' default. */
const DEFAULT_LEASE_MS = 30_000;

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
  | "localRuns"
> {
  const { deps, executions, events, syncResults, logger } = core;
  const batches = new ExecutionBatches(deps.db, deps.orgMaxConcurrentRuns ?? null);
  const executionTokens = new ExecutionTokens(
    core.secretBox.deriveKey("execution-token"),
    deps.bus,
    core.clock,
  );
  const dispatcher = new RunDispatcher({ batches, queue: deps.queue, logger });
  const validator = new InputValidator();
  const logs = new ExecutionLogsRepository(deps.db);
  return {
    executionTokens,
    executions: new ExecutionService({
      executions,
      batches,
      dispatcher,
      workflows: core.runnable,
      validator,
      queue: deps.queue,
      bus: deps.bus,
      events,
      syncResults,
      logger,
    }),
    executionQueries: new ExecutionQueries({
      executions,
      logs,
      files: deps.files,
    }),
    localRuns: new LocalRuns({
      executions,
      batches,
      dispatcher,
      workflows: core.runnable,
      organizations: core.organizations,
      validator,
      tokens: executionTokens,
      logSink: new LogSink({ logs, bus: deps.bus, logger }),
      logs,
      files: deps.files,
      events,
      audit: core.audit,
      maxResultBytes: deps.maxResultBytes ?? DEFAULT_OUTPUT_LIMITS.resultBytes,
      leaseMs: deps.executionLeaseMs ?? DEFAULT_LEASE_MS,
    }),
    executionsRepository: executions,
    syncResults,
    realtime: new RealtimeHub({ bus: deps.bus, executions, logger }),
    platformWorkers: new PlatformWorkersRepository(deps.db),
    runLines: batches,
  };
}
