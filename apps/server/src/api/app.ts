import type { ServiceCredentialWarning } from "@bifrost/contracts";
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyPluginAsync,
} from "fastify";
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import { UnavailableError } from "../errors.js";
import type { Logger } from "../infra/logger.js";
import type { AuditLog } from "../services/audit/audit-log.js";
import type { AuthService } from "../services/auth/auth-service.js";
import type { AuthStateCache } from "../services/auth/auth-state.js";
import type { AuthStatusService } from "../services/auth/auth-status.js";
import type { ConfigService } from "../services/config/config-service.js";
import type { IntegrationRuns } from "../services/integrations/integration-runs.js";
import type { IntegrationsService } from "../services/integrations/integrations-service.js";
import type { OAuthService } from "../services/oauth/oauth-service.js";
import type { MfaManagement } from "../services/auth/mfa-management.js";
import type { OrganizationsService } from "../services/organizations/organizations-service.js";
import type { RolesService } from "../services/roles/roles-service.js";
import type { UsersService } from "../services/users/users-service.js";
import type { WorkflowsService } from "../services/workflows/workflows-service.js";
import type { DocumentsService } from "../services/tables/documents-service.js";
import type { TablesService } from "../services/tables/tables-service.js";
import type { WorkspaceService } from "../services/workspace/workspace-service.js";
import type { FilesService } from "../services/files/files-service.js";
import type { TokenService } from "../services/auth/tokens.js";
import type { ReadinessService } from "../services/health/readiness.js";
import type { ExecutionsRepository } from "../repositories/executions.js";
import type { PlatformWorkersRepository } from "../repositories/platform-workers.js";
import type { ExecutionQueries } from "../services/execution/execution-queries.js";
import type { ExecutionService } from "../services/execution/execution-service.js";
import type { ExecutionTokens } from "../services/execution/execution-token.js";
import type { SyncResults } from "../services/execution/sync-results.js";
import fastifyWebsocket from "@fastify/websocket";
import type { RealtimeHub } from "./realtime/realtime-hub.js";
import { executionRoutes } from "./routes/executions.js";
import { platformRoutes } from "./routes/platform.js";
import { realtimeRoutes } from "./routes/realtime.js";
import { applyAccessRule } from "./access.js";
import { registerAuthentication } from "./plugins/authentication.js";
import { registerErrorHandler } from "./plugins/error-handler.js";
import { registerNotFound } from "./plugins/not-found.js";
import { registerOpenApi } from "./plugins/openapi.js";
import { registerSecurityHeaders, webClientPolicy } from "./plugins/security-headers.js";
import { auditRoutes } from "./routes/audit.js";
import { authRoutes } from "./routes/auth.js";
import { configRoutes } from "./routes/config.js";
import { scheduleRoutes } from "./routes/schedules.js";
import type { SchedulesService } from "../services/schedules/schedules-service.js";
import { integrationRoutes } from "./routes/integrations.js";
import { oauthRoutes } from "./routes/oauth.js";
import { healthRoutes } from "./routes/health.js";
import { mfaRoutes } from "./routes/mfa.js";
import { organizationRoutes } from "./routes/organizations.js";
import { roleRoutes } from "./routes/roles.js";
import { userRoutes } from "./routes/users.js";
import { workflowRoutes } from "./routes/workflows.js";
import { tableRoutes } from "./routes/tables.js";
import { workspaceRoutes } from "./routes/workspace.js";
import { fileRoutes } from "./routes/files.js";
import { formRoutes } from "./routes/forms.js";
import { eventRoutes, hookRoutes } from "./routes/events.js";
import type { EventSourcesService } from "../services/events/event-sources-service.js";
import type { WebhookReceiver } from "../services/events/webhook-receiver.js";
import type { FormRuns } from "../services/forms/form-runs.js";
import type { FormsService } from "../services/forms/forms-service.js";
import type { EndpointService } from "../services/endpoints/endpoint-service.js";
import type { WorkflowKeysService } from "../services/endpoints/workflow-keys-service.js";
import { endpointRoutes } from "./routes/endpoints.js";
import { workflowKeyRoutes } from "./routes/workflow-keys.js";

export type ApiServices = {
  executions: ExecutionService;
  executionQueries: ExecutionQueries;
  executionsRepository: ExecutionsRepository;
  executionTokens: ExecutionTokens;
  syncResults: SyncResults;
  realtime: RealtimeHub;
  platformWorkers: PlatformWorkersRepository;
  readiness: ReadinessService;
  authStatus: AuthStatusService;
  auth: AuthService;
  mfa: MfaManagement;
  audit: AuditLog;
  organizations: OrganizationsService;
  users: UsersService;
  roles: RolesService;
  workspace: WorkspaceService;
  files: FilesService;
  workflows: WorkflowsService;
  forms: FormsService;
  formRuns: FormRuns;
  tables: TablesService;
  documents: DocumentsService;
  authState: AuthStateCache;
  tokens: TokenService;
  config: ConfigService;
  schedules: SchedulesService;
  oauth: OAuthService;
  integrations: IntegrationsService;
  integrationRuns: IntegrationRuns;
  events: EventSourcesService;
  webhooks: WebhookReceiver;
  workflowKeys: WorkflowKeysService;
  endpoints: EndpointService;
};

export type AppOptions = {
  logger: Logger;
  services: ApiServices;
  bodyLimitBytes: number;
  /** Addresses or CIDRs whose X-Forwarded-For is believed; empty: the header is ignored. */
  trustedProxies: string[];
  webDir: string;
  version: string;
  /** Secure cookies: when the public URL is https. */
  secureCookies: boolean;
  /**
   * BIFROST_PUBLIC_URL: the origin browsers use, besides the one each request names (WebSockets);
   * https turns on HSTS; the client's policy lets it reach this origin.
   */
  publicUrl?: string | undefined;
  /** This process as GET /api/platform/api-process describes it; default: role `api`, no warning. */
  apiProcess?: { role: string; serviceCredentials: ServiceCredentialWarning[] };
  /** Extra route plugins, registered like the built-in ones (used by tests for fixture routes). */
  extraRoutes?: FastifyPluginAsync[];
};

export type App = FastifyInstance;

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

function requestId(request: IncomingMessage): string {
  const given = request.headers["x-request-id"];
  return typeof given === "string" && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
}

export async function buildApp(options: AppOptions): Promise<App> {
  // Typed as Fastify's logger interface so the instance keeps Fastify's default generics.
  const loggerInstance: FastifyBaseLogger = options.logger;
  const app: FastifyInstance = Fastify({
    loggerInstance,
    bodyLimit: options.bodyLimitBytes,
    trustProxy: options.trustedProxies.length > 0 ? options.trustedProxies : false,
    genReqId: requestId,
    // Requests that arrive while closing get the API's error body (below), not Fastify's own.
    return503OnClosing: false,
    // One line per request is written by our onResponse hook instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // The API speaks JSON only; a route that takes another type (uploads) registers its own parser.
  app.removeContentTypeParser("text/plain");
  registerErrorHandler(app);

  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
  // Graceful shutdown: close() waits for in-flight requests, but a keep-alive connection that turns
  // idle afterwards would hold it open for the whole keep-alive timeout. Answers sent while closing
  // therefore end their connection.
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  app.addHook("onRequest", async () => {
    if (closing) throw new UnavailableError("api", "The server is shutting down");
  });
  app.addHook("onSend", async (_request, reply) => {
    if (closing) reply.header("connection", "close");
  });
  app.addHook("onResponse", async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        // A WebSocket may carry its access token in the query: never in a log line.
        url: request.url.replace(/([?&]token=)[^&]*/gi, "$1[REDACTED]"),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      "request",
    );
  });

  // First: its onSend hook must cover every answer, the web client's and 404s included.
  registerSecurityHeaders(app, { publicUrl: options.publicUrl });
  await registerNotFound(app, {
    webDir: options.webDir,
    contentSecurityPolicy: webClientPolicy(options.publicUrl),
  });
  await registerAuthentication(app, {
    tokens: options.services.tokens,
    authState: options.services.authState,
    executionTokens: options.services.executionTokens,
  });
  await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });
  app.addHook("onClose", async () => {
    await options.services.realtime.close();
    await options.services.syncResults.stop();
  });
  await registerOpenApi(app, {
    version: options.version,
    additions: (principal) => options.services.endpoints.openApiAdditions(principal ?? undefined),
  });

  const typed = app.withTypeProvider<ZodTypeProvider>();
  await typed.register(async (routes) => {
    routes.addHook("onRoute", applyAccessRule);
    await routes.register(healthRoutes, { readiness: options.services.readiness });
    await routes.register(authRoutes, {
      authStatus: options.services.authStatus,
      auth: options.services.auth,
      cookies: { secure: options.secureCookies },
    });
    await routes.register(mfaRoutes, { mfa: options.services.mfa });
    await routes.register(organizationRoutes, { organizations: options.services.organizations });
    await routes.register(userRoutes, { users: options.services.users });
    await routes.register(roleRoutes, { roles: options.services.roles });
    await routes.register(auditRoutes, { audit: options.services.audit });
    await routes.register(executionRoutes, {
      executions: options.services.executions,
      queries: options.services.executionQueries,
    });
    await routes.register(platformRoutes, {
      workers: options.services.platformWorkers,
      apiProcess: options.apiProcess ?? { role: "api", serviceCredentials: [] },
    });
    await routes.register(realtimeRoutes, {
      hub: options.services.realtime,
      executions: options.services.executionsRepository,
      authState: options.services.authState,
      publicUrl: options.publicUrl,
    });
    await routes.register(workspaceRoutes, { workspace: options.services.workspace });
    await routes.register(fileRoutes, { files: options.services.files });
    await routes.register(workflowRoutes, { workflows: options.services.workflows });
    await routes.register(formRoutes, { forms: options.services.forms, runs: options.services.formRuns });
    await routes.register(tableRoutes, {
      tables: options.services.tables,
      documents: options.services.documents,
    });
    await routes.register(configRoutes, { config: options.services.config });
    await routes.register(scheduleRoutes, { schedules: options.services.schedules });
    await routes.register(oauthRoutes, { oauth: options.services.oauth });
    await routes.register(integrationRoutes, {
      integrations: options.services.integrations,
      runs: options.services.integrationRuns,
    });
    await routes.register(eventRoutes, { events: options.services.events });
    await routes.register(hookRoutes, { receiver: options.services.webhooks });
    await routes.register(workflowKeyRoutes, { keys: options.services.workflowKeys });
    await routes.register(endpointRoutes, { endpoints: options.services.endpoints });
    for (const plugin of options.extraRoutes ?? []) await routes.register(plugin);
  });
  return app;
}
