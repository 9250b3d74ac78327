import type { ServiceCredentialWarning } from "@bifrost/contracts";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Config } from "../config.js";
import { systemClock } from "../infra/clock.js";
import { SecretBox } from "../infra/crypto/secret-box.js";
import type { Logger } from "../infra/logger.js";
import { ExecutionLogsRepository } from "../repositories/execution-logs.js";
import { ExecutionBatches } from "../repositories/execution-batches.js";
import { ExecutionsRepository } from "../repositories/executions.js";
import { PlatformWorkersRepository } from "../repositories/platform-workers.js";
import { WorkspaceFilesRepository } from "../repositories/workspace-files.js";
import { ExecutionEvents } from "../services/execution/channels.js";
import { RunDispatcher } from "../services/execution/dispatcher.js";
import { ExecutionTokens } from "../services/execution/execution-token.js";
import {
  detectIsolation,
  runtimeDirFor,
  sandboxTempDir,
  type Isolation,
} from "../services/execution/pool/isolation.js";
import { ProcessPool } from "../services/execution/pool/process-pool.js";
import { DEFAULT_RUNTIME_DIR } from "../services/execution/pool/runtime-bundle.js";
import { ExecutionConsumer } from "../services/execution/worker/execution-consumer.js";
import { WorkerHeartbeat } from "../services/execution/worker/heartbeat.js";
import { LogSink } from "../services/execution/worker/log-sink.js";
import { MemoryGauge } from "../services/execution/worker/memory-pressure.js";
import { WorkspaceCode } from "../services/execution/worker/workspace-code.js";
import { CompiledWorkspace } from "../services/workspace/compiled-workspace.js";
import { startEgressProxy } from "./egress.js";
import type { Infrastructure } from "./infrastructure.js";
import type { Running } from "./lifecycle.js";

const HEARTBEAT_MS = 10_000;
/** How long a stopping worker lets runs in progress finish before it kills them. */
const DRAIN_MS = 10_000;

/**
 * The worker role (DESIGN.md §5 steps 2–4): the queue consumer, the process pool and the heartbeat.
 * `apiUrl` is how the SDK in the children reaches the API.
 */
export async function startWorker(
  config: Config,
  logger: Logger,
  infra: Infrastructure,
  options: {
    apiUrl: string;
    runtimeDir?: string;
    isolation?: Isolation | undefined;
    /** What the start found (service-credentials.ts), shown with the pool on the Workers page. */
    serviceCredentials?: ServiceCredentialWarning[];
  },
): Promise<Running> {
  const workerId = `${os.hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
  const db = infra.database.db;
  const executions = new ExecutionsRepository(db);
  const leaseMs = config.execution.leaseMs;
  const isolation = options.isolation ?? detectIsolation();
  // A copy the children's identity can read where the build's directory is not (isolation.ts).
  const runtimeDir = runtimeDirFor(options.runtimeDir ?? DEFAULT_RUNTIME_DIR, isolation);
  // The children read compiled code from here: private to this process, never under the data dir.
  const compiledRoot = await mkdtemp(path.join(sandboxTempDir(isolation), "bifrost-worker-"));
  const egress = await startEgressProxy(config, logger, isolation, options.apiUrl);
  const pool = new ProcessPool({
    egress: egress.proxy,
    runtimeDir,
    compiledRoot,
    minProcesses: config.workers.min,
    maxProcesses: config.workers.max,
    maxRunsPerProcess: config.execution.recycleAfterRuns,
    idleTimeoutMs: config.execution.idleTimeoutMs,
    memoryLimitMb: config.execution.memoryLimitMb,
    outputLimits: { resultBytes: config.execution.maxResultBytes },
    isolation,
    logger,
  });
  await pool.start();
  const events = new ExecutionEvents(infra.bus, logger);
  const memory = new MemoryGauge();
  const batches = new ExecutionBatches(db, config.execution.orgMaxConcurrentRuns);
  const consumer = new ExecutionConsumer({
    workerId,
    batches,
    dispatcher: new RunDispatcher({ batches, queue: infra.queue, logger }),
    queue: infra.queue,
    bus: infra.bus,
    files: infra.files,
    pool,
    code: new WorkspaceCode({
      files: new WorkspaceFilesRepository(db),
      compiled: new CompiledWorkspace(compiledRoot, runtimeDir),
    }),
    tokens: new ExecutionTokens(
      new SecretBox(config.secretKey).deriveKey("execution-token"),
      infra.bus,
      systemClock,
    ),
    logs: new LogSink({ logs: new ExecutionLogsRepository(db), bus: infra.bus, logger }),
    events,
    logger,
    apiUrl: options.apiUrl,
    leaseMs,
    memoryInUse: () => memory.inUse(),
    memoryThreshold: config.execution.memoryPressure,
  });
  const heartbeat = new WorkerHeartbeat({
    workerId,
    executions,
    workers: new PlatformWorkersRepository(db),
    bus: infra.bus,
    logger,
    intervalMs: Math.min(HEARTBEAT_MS, Math.floor(leaseMs / 3)),
    leaseMs,
    runningIds: () => consumer.runningIds(),
    poolState: () => ({ ...pool.stats(), serviceCredentials: options.serviceCredentials ?? [] }),
    capacity: pool.capacity,
  });
  await heartbeat.start();
  await consumer.start();
  logger.info({ workerId, processes: { min: config.workers.min, max: config.workers.max } }, "worker ready");
  return {
    async close() {
      await consumer.stop();
      await Promise.race([consumer.drain(), new Promise((resolve) => setTimeout(resolve, DRAIN_MS).unref())]);
      consumer.abandon();
      await pool.close();
      await consumer.drain();
      await heartbeat.stop();
      await egress.close();
      await rm(compiledRoot, { recursive: true, force: true });
    },
  };
}
