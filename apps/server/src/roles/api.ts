import type { ServiceCredentialWarning } from "@bifrost/contracts";
import { mkdtempSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ApiServices } from "../api/api-services.js";
import { buildApp, type App } from "../api/app.js";
import type { Config } from "../config.js";
import type { Db } from "../db/database.js";
import type { Bus } from "../infra/bus/bus.js";
import type { FileStore } from "../infra/files/file-store.js";
import type { WorkQueue } from "../infra/queue/work-queue.js";
import { systemClock, type Clock } from "../infra/clock.js";
import { SecretBox } from "../infra/crypto/secret-box.js";
import { createLogger, type Logger } from "../infra/logger.js";
import { AuditLogsRepository } from "../repositories/audit-logs.js";
import { ConfigsRepository } from "../repositories/configs.js";
import { FormUploadsRepository } from "../repositories/form-uploads.js";
import { IntegrationsRepository } from "../repositories/integrations.js";
import { OAuthRepository } from "../repositories/oauth.js";
import { AuthSessionsRepository } from "../repositories/auth-sessions.js";
import { OrganizationsRepository } from "../repositories/organizations.js";
import { RolesRepository } from "../repositories/roles.js";
import { UsersRepository } from "../repositories/users.js";
import { ExecutionLogsRepository } from "../repositories/execution-logs.js";
import { ExecutionsRepository } from "../repositories/executions.js";
import { PlatformWorkersRepository } from "../repositories/platform-workers.js";
import { RealtimeHub } from "../api/realtime/realtime-hub.js";
import { ExecutionEvents, executionQueueDeclaration } from "../services/execution/channels.js";
import { ExecutionQueries } from "../services/execution/accept/execution-queries.js";
import { ExecutionService } from "../services/execution/accept/execution-service.js";
import { RunnableWorkflows } from "../services/workflows/runnable-workflows.js";
import { ExecutionTokens } from "../services/execution/execution-token.js";
import { InputValidator } from "../services/execution/accept/input-validation.js";
import { SyncResults } from "../services/execution/accept/sync-results.js";
import { WorkflowsRepository } from "../repositories/workflows.js";
import { WorkspaceFilesRepository } from "../repositories/workspace-files.js";
import { AuditLog } from "../services/audit/audit-log.js";
import { AuthService } from "../services/auth/auth-service.js";
import { AuthStateCache } from "../services/auth/auth-state.js";
import { RunRevocation } from "../services/execution/accept/cancellation.js";
import { AuthStatusService } from "../services/auth/auth-status.js";
import { ConfigService } from "../services/config/config-service.js";
import { IntegrationConfigValues } from "../services/integrations/config-values.js";
import { IntegrationRuns } from "../services/integrations/integration-runs.js";
import { IntegrationsService } from "../services/integrations/integrations-service.js";
import { AccessTokens } from "../services/oauth/access-tokens.js";
import { OAuthService } from "../services/oauth/oauth-service.js";
import { MfaCodes } from "../services/auth/mfa-codes.js";
import { MfaManagement } from "../services/auth/mfa-management.js";
import { RateLimiter } from "../services/auth/rate-limiter.js";
import { TokenService } from "../services/auth/tokens.js";
import { ReadinessService, type HealthProbe } from "../services/health/readiness.js";
import { OrganizationsService } from "../services/organizations/organizations-service.js";
import { RolesService } from "../services/roles/roles-service.js";
import { UsersService } from "../services/users/users-service.js";
import { discoverDefinitions } from "../services/execution/pool/discovery.js";
import { DEFAULT_RUNTIME_DIR } from "../services/execution/pool/runtime-bundle.js";
import { WorkflowsService } from "../services/workflows/workflows-service.js";
import { DocumentsRepository, TablesRepository } from "../repositories/tables.js";
import { DocumentsService } from "../services/tables/documents-service.js";
import { TablesService } from "../services/tables/tables-service.js";
import { CompiledWorkspace } from "../services/workspace/compiled-workspace.js";
import type { OutboundClient } from "../infra/net/outbound.js";
import { outboundClientFor } from "./outbound.js";
import {
  detectIsolation,
  runtimeDirFor,
  sandboxTempDir,
  type Isolation,
} from "../services/execution/pool/isolation.js";
import { WorkspaceService } from "../services/workspace/workspace-service.js";
import { FilesService } from "../services/files/files-service.js";
import { SignedUrls } from "../services/files/signed-urls.js";
import { FormsRepository } from "../repositories/forms.js";
import { FormRuns } from "../services/forms/form-runs.js";
import { FormsService } from "../services/forms/forms-service.js";
import { WorkspaceWriter, type Discover } from "../services/workspace/workspace-writer.js";
import { WorkflowKeysRepository } from "../repositories/workflow-keys.js";
import { EndpointService } from "../services/endpoints/endpoint-service.js";
import { WorkflowKeysService } from "../services/endpoints/workflow-keys-service.js";
import { SchedulesRepository } from "../repositories/schedules.js";
import { SchedulesService } from "../services/schedules/schedules-service.js";
import { createWebhookServices } from "../services/events/webhook-services.js";
import type { Infrastructure } from "./infrastructure.js";

const DEFAULT_WEB_DIR = fileURLToPath(new URL("../../../web/dist", import.meta.url));

const serverVersion = (): string =>
  (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string })
    .version;

/** The services behind the HTTP API, on one process's database and bus. */
export async function createApiServices(deps: {
  role: string;
  db: Db;
  bus: Bus;
  queue: WorkQueue;
  files: FileStore;
  probes: HealthProbe[];
  secretKey: string;
  mfaRequired: boolean;
  loginRateLimit: number;
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
}): Promise<ApiServices> {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? createLogger({ level: "silent", role: deps.role });
  const users = new UsersRepository(deps.db);
  const sessions = new AuthSessionsRepository(deps.db);
  const organizations = new OrganizationsRepository(deps.db);
  const audit = new AuditLog(new AuditLogsRepository(deps.db));
  const secretBox = new SecretBox(deps.secretKey);
  // One limiter for the login path and signed-in MFA changes: counters on the bus (Redis when distributed).
  const rateLimiter = new RateLimiter(deps.bus);
  const tokens = new TokenService(secretBox.deriveKey("jwt-signing"), clock);
  const authState = new AuthStateCache({ users, sessions, bus: deps.bus, clock });
  const mfaCodes = new MfaCodes({ users, sessions, secretBox, clock });
  await authState.start();
  const workspaceFiles = new WorkspaceFilesRepository(deps.db);
  // Discovery loads user code: its compiled candidates go to a private temporary directory, never
  // under BIFROST_DATA_DIR (which a child must never be able to read). Removed by workspace.close().
  const isolation = deps.isolation ?? detectIsolation();
  // A copy the children's identity can read where the build's directory is not (isolation.ts).
  const runtimeDir = runtimeDirFor(deps.runtimeDir ?? DEFAULT_RUNTIME_DIR, isolation);
  const compiled = new CompiledWorkspace(
    mkdtempSync(path.join(sandboxTempDir(isolation), "bifrost-compiled-")),
    runtimeDir,
  );
  const executions = new ExecutionsRepository(deps.db);
  const events = new ExecutionEvents(deps.bus, logger);
  const syncResults = new SyncResults(deps.bus, logger);
  await syncResults.start();
  await deps.queue.declare(executionQueueDeclaration);
  const workflowRows = new WorkflowsRepository(deps.db);
  const runnable = new RunnableWorkflows({ workflows: workflowRows, organizations });
  const execution = {
    executionTokens: new ExecutionTokens(secretBox.deriveKey("execution-token"), deps.bus, clock),
    executions: new ExecutionService({
      executions,
      workflows: runnable,
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
  };
  const tables = new TablesService({ tables: new TablesRepository(deps.db), audit });
  const signedUrls = new SignedUrls(secretBox.deriveKey("files-signed-url"), clock);
  const forms = new FormsService({
    forms: new FormsRepository(deps.db),
    workflows: workflowRows,
    organizations,
    audit,
  });
  const workflowKeys = new WorkflowKeysRepository(deps.db);
  const runRevocation = new RunRevocation({
    executions,
    bus: deps.bus,
    events,
    tokens: execution.executionTokens,
  });
  return {
    ...execution,
    ...createWebhookServices({
      ...deps,
      secretBox,
      organizations,
      workflows: workflowRows,
      runs: execution.executions,
      audit,
      logger,
    }),
    workflowKeys: new WorkflowKeysService({ keys: workflowKeys, workflows: workflowRows, audit }),
    endpoints: new EndpointService({
      keys: workflowKeys,
      workflows: workflowRows,
      executions: execution.executions,
      audit,
      logger,
    }),
    ...oauthAndIntegrations({ ...deps, clock, organizations, secretBox, audit, authState }),
    tables,
    documents: new DocumentsService({ tables, documents: new DocumentsRepository(deps.db) }),
    readiness: new ReadinessService(deps.role, deps.probes, deps.logger),
    authStatus: new AuthStatusService(users, { mfaRequired: deps.mfaRequired }),
    tokens,
    authState,
    audit,
    mfa: new MfaManagement({ users, sessions, mfaCodes, authState, clock, audit, rateLimiter }),
    organizations: new OrganizationsService({ organizations, authState, clock, audit, runs: runRevocation }),
    users: new UsersService({ users, organizations, authState, audit, runs: runRevocation }),
    roles: new RolesService({ roles: new RolesRepository(deps.db), users, authState, audit }),
    workspace: new WorkspaceService({
      files: workspaceFiles,
      writer: new WorkspaceWriter({
        files: workspaceFiles,
        compiled,
        discover: discoverWith({ runtimeDir, isolation, ...(deps.logger ? { logger: deps.logger } : {}) }),
      }),
      audit,
    }),
    workflows: new WorkflowsService({ workflows: new WorkflowsRepository(deps.db), organizations, audit }),
    files: new FilesService({
      files: deps.files,
      workspace: workspaceFiles,
      organizations,
      signedUrls,
      clock,
      publicUrl: deps.publicUrl,
    }),
    config: new ConfigService({ configs: new ConfigsRepository(deps.db), organizations, secretBox, audit }),
    schedules: new SchedulesService({
      schedules: new SchedulesRepository(deps.db),
      workflows: workflowRows,
      runnable,
      validator: new InputValidator(),
      audit,
      clock,
    }),
    forms,
    formRuns: new FormRuns({
      forms,
      workflows: workflowRows,
      executions: execution.executions,
      files: deps.files,
      uploads: new FormUploadsRepository(deps.db),
      signedUrls,
      clock,
      publicUrl: deps.publicUrl,
    }),
    auth: new AuthService({
      users,
      sessions,
      tokens,
      mfaCodes,
      authState,
      bus: deps.bus,
      clock,
      mfaRequired: deps.mfaRequired,
      issuer: "Bifrost",
      rateLimiter,
      audit,
      loginRateLimit: deps.loginRateLimit,
    }),
  };
}

/** OAuth connections and integrations (issue 6): tokens refreshed single-flight through the bus. */
function oauthAndIntegrations(deps: {
  db: Db;
  bus: Bus;
  clock: Clock;
  organizations: OrganizationsRepository;
  secretBox: SecretBox;
  audit: AuditLog;
  authState: AuthStateCache;
  publicUrl?: string | undefined;
  outbound?: OutboundClient | undefined;
}): Pick<ApiServices, "oauth" | "integrations" | "integrationRuns"> {
  const oauthRows = new OAuthRepository(deps.db);
  const integrationRows = new IntegrationsRepository(deps.db);
  const tokens = new AccessTokens({
    oauth: oauthRows,
    secretBox: deps.secretBox,
    bus: deps.bus,
    clock: deps.clock,
    ...(deps.outbound ? { outbound: deps.outbound } : {}),
  });
  const values = new IntegrationConfigValues(deps.secretBox);
  const integrations = new IntegrationsService({
    integrations: integrationRows,
    oauth: oauthRows,
    organizations: deps.organizations,
    tokens,
    values,
    audit: deps.audit,
  });
  return {
    oauth: new OAuthService({
      oauth: oauthRows,
      organizations: deps.organizations,
      tokens,
      secretBox: deps.secretBox,
      bus: deps.bus,
      clock: deps.clock,
      audit: deps.audit,
      authState: deps.authState,
      // Without BIFROST_PUBLIC_URL the redirect URI names the origin the admin's browser used.
      publicUrl: deps.publicUrl,
    }),
    integrations,
    integrationRuns: new IntegrationRuns({
      integrations: integrationRows,
      oauth: oauthRows,
      tokens,
      values,
      service: integrations,
    }),
  };
}

/** Definitions of a compiled module, described by a sandboxed child (services/execution/pool/discovery.ts). */
function discoverWith(deps: { runtimeDir: string; logger?: Logger; isolation: Isolation }): Discover {
  return (input) =>
    discoverDefinitions({
      ...input,
      runtimeDir: deps.runtimeDir,
      isolation: deps.isolation,
      ...(deps.logger ? { logger: deps.logger } : {}),
    });
}

/** Wires the services the HTTP API needs onto this process's infrastructure. */
export async function createApi(
  config: Config,
  logger: Logger,
  infra: Infrastructure,
  options: {
    isolation?: Isolation | undefined;
    /** What the start found (service-credentials.ts), for GET /api/platform/api-process. */
    serviceCredentials?: ServiceCredentialWarning[];
  } = {},
): Promise<App> {
  const services = await createApiServices({
    ...(options.isolation ? { isolation: options.isolation } : {}),
    outbound: outboundClientFor(config),
    role: config.role,
    db: infra.database.db,
    bus: infra.bus,
    queue: infra.queue,
    files: infra.files,
    probes: infra.probes,
    secretKey: config.secretKey,
    mfaRequired: config.mfaRequired,
    loginRateLimit: config.loginRateLimit,
    logger,
    publicUrl: config.publicUrl,
  });
  if (config.defaultUser) {
    const seeded = await services.auth.seedDefaultAdmin(config.defaultUser);
    if (seeded)
      logger.info({ email: seeded.email }, "first platform admin created from BIFROST_DEFAULT_USER_EMAIL");
  }
  const app = await buildApp({
    logger,
    bodyLimitBytes: config.http.bodyLimitBytes,
    trustedProxies: config.http.trustedProxies,
    webDir: config.webDir ?? DEFAULT_WEB_DIR,
    version: serverVersion(),
    secureCookies: config.publicUrl?.startsWith("https:") ?? false,
    publicUrl: config.publicUrl,
    apiProcess: { role: config.role, serviceCredentials: options.serviceCredentials ?? [] },
    services,
  });
  app.addHook("onClose", () => services.authState.stop());
  app.addHook("onClose", () => services.workspace.close());
  return app;
}

export async function listen(app: App, config: Config, logger: Logger): Promise<string> {
  await app.listen({ host: config.http.host, port: config.http.port });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.http.port;
  const host = config.http.host === "0.0.0.0" || config.http.host === "::" ? "localhost" : config.http.host;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  logger.info({ url }, "Bifrost API listening");
  return url;
}
