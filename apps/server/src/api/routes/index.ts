import type { ServiceCredentialWarning } from "@bifrost/contracts";
import type { FastifyInstance, FastifyPluginAsync, RawServerDefault } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { ApiServices } from "../api-services.js";
import { executionRoutes } from "./executions.js";
import { localRunRoutes } from "./local-runs.js";
import { platformRoutes } from "./platform.js";
import { realtimeRoutes } from "./realtime.js";
import { auditRoutes } from "./audit.js";
import { accountRoutes } from "./accounts.js";
import { sessionRoutes } from "./sessions.js";
import { deviceRoutes } from "./device.js";
import { cliRoutes } from "./cli.js";
import { ssoRoutes } from "./sso.js";
import { passkeyRoutes } from "./passkeys.js";
import { authRoutes } from "./auth.js";
import { configRoutes } from "./config.js";
import { scheduleRoutes } from "./schedules.js";
import { integrationRoutes } from "./integrations.js";
import { oauthRoutes } from "./oauth.js";
import { healthRoutes } from "./health.js";
import { mfaRoutes } from "./mfa.js";
import { organizationRoutes } from "./organizations.js";
import { roleRoutes } from "./roles.js";
import { userRoutes } from "./users.js";
import { workflowRoutes } from "./workflows.js";
import { tableRoutes } from "./tables.js";
import { workspaceRoutes } from "./workspace.js";
import { fileRoutes } from "./files.js";
import { formRoutes } from "./forms.js";
import { eventRoutes, hookRoutes } from "./events.js";
import { endpointRoutes } from "./endpoints.js";
import { workflowKeyRoutes } from "./workflow-keys.js";

/** What route modules are given: the services, and the few settings some of them need. */
type RouteContext = {
  services: ApiServices;
  secureCookies: boolean;
  publicUrl: string | undefined;
  apiProcess: { role: string; serviceCredentials: ServiceCredentialWarning[] };
};

type Routes = FastifyInstance;

/** One route module: its plugin, and what of the context it takes. */
type RouteModule = { register(routes: Routes, context: RouteContext): Promise<void> };

function route<Options extends object>(
  plugin: FastifyPluginAsync<Options, RawServerDefault, ZodTypeProvider>,
  options: (context: RouteContext) => Options,
): RouteModule {
  return {
    async register(routes, context) {
      await routes.register(plugin, options(context));
    },
  };
}

/**
 * Every route module of the API, registered in this order by api/app.ts (the access rule of each
 * route is checked as it registers). A new domain adds one line here; app.ts does not change.
 */
export const ROUTE_MODULES: readonly RouteModule[] = [
  route(healthRoutes, ({ services }) => ({ readiness: services.readiness })),
  route(authRoutes, ({ services, secureCookies }) => ({
    authStatus: services.authStatus,
    auth: services.auth,
    sessions: services.sessions,
    cookies: { secure: secureCookies },
  })),
  route(mfaRoutes, ({ services }) => ({ mfa: services.mfa })),
  route(sessionRoutes, ({ services }) => ({
    sessions: services.sessions,
    trustedDevices: services.trustedDevices,
  })),
  route(deviceRoutes, ({ services }) => ({ deviceLogin: services.deviceLogin })),
  route(cliRoutes, () => ({})),
  route(ssoRoutes, ({ services, secureCookies }) => ({
    providers: services.ssoProviders,
    login: services.ssoLogin,
    cookies: { secure: secureCookies },
  })),
  route(passkeyRoutes, ({ services, secureCookies }) => ({
    passkeys: services.passkeys,
    signIn: services.passkeySignIn,
    cookies: { secure: secureCookies },
  })),
  route(organizationRoutes, ({ services }) => ({ organizations: services.organizations })),
  route(userRoutes, ({ services }) => ({ users: services.users })),
  route(accountRoutes, ({ services, secureCookies }) => ({
    links: services.accountLinks,
    outbox: services.mailOutbox,
    cookies: { secure: secureCookies },
  })),
  route(roleRoutes, ({ services }) => ({ roles: services.roles })),
  route(auditRoutes, ({ services }) => ({ audit: services.audit })),
  route(executionRoutes, ({ services }) => ({
    executions: services.executions,
    queries: services.executionQueries,
  })),
  route(localRunRoutes, ({ services }) => ({ localRuns: services.localRuns })),
  route(platformRoutes, ({ services, apiProcess }) => ({
    workers: services.platformWorkers,
    lines: services.runLines,
    apiProcess,
  })),
  route(realtimeRoutes, ({ services, publicUrl }) => ({
    hub: services.realtime,
    executions: services.executionsRepository,
    authState: services.authState,
    publicUrl,
  })),
  route(workspaceRoutes, ({ services }) => ({ workspace: services.workspace })),
  route(fileRoutes, ({ services }) => ({ files: services.files })),
  route(workflowRoutes, ({ services }) => ({ workflows: services.workflows })),
  route(formRoutes, ({ services }) => ({ forms: services.forms, runs: services.formRuns })),
  route(tableRoutes, ({ services }) => ({ tables: services.tables, documents: services.documents })),
  route(configRoutes, ({ services }) => ({ config: services.config })),
  route(scheduleRoutes, ({ services }) => ({ schedules: services.schedules })),
  route(oauthRoutes, ({ services }) => ({ oauth: services.oauth })),
  route(integrationRoutes, ({ services }) => ({
    integrations: services.integrations,
    runs: services.integrationRuns,
  })),
  route(eventRoutes, ({ services }) => ({ events: services.events })),
  route(hookRoutes, ({ services }) => ({ receiver: services.webhooks })),
  route(workflowKeyRoutes, ({ services }) => ({ keys: services.workflowKeys })),
  route(endpointRoutes, ({ services }) => ({ endpoints: services.endpoints })),
];
