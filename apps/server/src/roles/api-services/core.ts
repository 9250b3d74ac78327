import { mkdtempSync } from "node:fs";
import path from "node:path";
import type { Db } from "../../db/database.js";
import type { Bus } from "../../infra/bus/bus.js";
import { systemClock, type Clock } from "../../infra/clock.js";
import { SecretBox } from "../../infra/crypto/secret-box.js";
import type { FileStore } from "../../infra/files/file-store.js";
import { createLogger, type Logger } from "../../infra/logger.js";
import type { OutboundClient } from "../../infra/net/outbound.js";
import type { WorkQueue } from "../../infra/queue/work-queue.js";
import { AuditLogsRepository } from "../../repositories/audit-logs.js";
import { AuthSessionsRepository } from "../../repositories/auth-sessions.js";
import { ExecutionsRepository } from "../../repositories/executions.js";
import { OrganizationsRepository } from "../../repositories/organizations.js";
import { UsersRepository } from "../../repositories/users.js";
import { WorkflowsRepository } from "../../repositories/workflows.js";
import { WorkspaceFilesRepository } from "../../repositories/workspace-files.js";
import { AuditLog } from "../../services/audit/audit-log.js";
import { AuthStateCache } from "../../services/auth/auth-state.js";
import { RateLimiter } from "../../services/auth/rate-limiter.js";
import { TokenService } from "../../services/auth/tokens.js";
import { ExecutionEvents, executionQueueDeclaration } from "../../services/execution/channels.js";
import { SyncResults } from "../../services/execution/accept/sync-results.js";
import {
  detectIsolation,
  runtimeDirFor,
  sandboxTempDir,
  type Isolation,
} from "../../services/execution/pool/isolation.js";
import { DEFAULT_RUNTIME_DIR } from "../../services/execution/pool/runtime-bundle.js";
import type { HealthProbe } from "../../services/health/readiness.js";
import { RunnableWorkflows } from "../../services/workflows/runnable-workflows.js";
import { CompiledWorkspace } from "../../services/workspace/compiled-workspace.js";

/** What the API's services are built on: this process's database, bus, queue, files and settings. */
export type ApiServiceDeps = {
  role: string;
  db: Db;
  bus: Bus;
  queue: WorkQueue;
  files: FileStore;
  probes: HealthProbe[];
  secretKey: string;
  mfaRequired: boolean;
  loginRateLimit: number;
  /** BIFROST_DEVICE_POLL_INTERVAL_SECONDS: how often a device login's CLI polls; default 5. */
  devicePollIntervalSeconds?: number;
  logger?: Logger;
  clock?: Clock;
  /** Where the children's runtime (`sdk.mjs`, `child.mjs`) is built; default DEFAULT_RUNTIME_DIR. */
  runtimeDir?: string;
  /** How discovery children are isolated; default: what the host offers (isolation.ts). */
  isolation?: Isolation;
  /** The platform's outgoing calls (token URLs); default: the default policies. */
  outbound?: OutboundClient;
  /** BIFROST_PUBLIC_URL: the origin of signed file URLs. */
  publicUrl?: string | undefined;
  /** BIFROST_ORG_MAX_CONCURRENT_RUNS: the limit of an organization without its own; default none. */
  orgMaxConcurrentRuns?: number | null;
  /** BIFROST_MAX_RESULT_BYTES: the largest result a local run may report; default 10 MiB. */
  maxResultBytes?: number;
  /** BIFROST_EXECUTION_LEASE_SECONDS, in ms: a local run's lease, as a worker's; default 30 s. */
  executionLeaseMs?: number;
  /** BIFROST_SMTP_URL and BIFROST_MAIL_FROM; no URL: no mail server (admins get links instead). */
  mail?: { smtpUrl: string | undefined; from: string; invitationHours?: number };
};

/** The pieces several domains share: built once, then handed to each domain's wiring. */
export type Core = Awaited<ReturnType<typeof createCore>>;

export async function createCore(deps: ApiServiceDeps) {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? createLogger({ level: "silent", role: deps.role });
  const users = new UsersRepository(deps.db);
  const sessions = new AuthSessionsRepository(deps.db);
  const organizations = new OrganizationsRepository(deps.db);
  const secretBox = new SecretBox(deps.secretKey);
  const authState = new AuthStateCache({ users, sessions, bus: deps.bus, clock });
  await authState.start();
  const syncResults = new SyncResults(deps.bus, logger);
  await syncResults.start();
  await deps.queue.declare(executionQueueDeclaration);
  const workflowRows = new WorkflowsRepository(deps.db);
  // Discovery loads user code: its compiled candidates go to a private temporary directory, never
  // under BIFROST_DATA_DIR (which a child must never be able to read). Removed by workspace.close().
  const isolation = deps.isolation ?? detectIsolation();
  // A copy the children's identity can read where the build's directory is not (isolation.ts).
  const runtimeDir = runtimeDirFor(deps.runtimeDir ?? DEFAULT_RUNTIME_DIR, isolation);
  return {
    deps,
    clock,
    logger,
    users,
    sessions,
    organizations,
    audit: new AuditLog(new AuditLogsRepository(deps.db)),
    secretBox,
    // One limiter for the login path and signed-in MFA changes: counters on the bus (Redis when distributed).
    rateLimiter: new RateLimiter(deps.bus),
    tokens: new TokenService(secretBox.deriveKey("jwt-signing"), clock),
    authState,
    syncResults,
    executions: new ExecutionsRepository(deps.db),
    events: new ExecutionEvents(deps.bus, logger),
    workflowRows,
    runnable: new RunnableWorkflows({ workflows: workflowRows, organizations }),
    workspaceFiles: new WorkspaceFilesRepository(deps.db),
    isolation,
    runtimeDir,
    compiled: new CompiledWorkspace(
      mkdtempSync(path.join(sandboxTempDir(isolation), "bifrost-compiled-")),
      runtimeDir,
    ),
  };
}
