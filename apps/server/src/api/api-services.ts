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
import type { AccountLinks } from "../services/accounts/account-links.js";
import type { SessionsService } from "../services/auth/sessions.js";
import type { DeviceLogin } from "../services/auth/device-login.js";
import type { SsoLogin } from "../services/sso/sso-login.js";
import type { SsoProviders } from "../services/sso/sso-providers.js";
import type { PasskeySignIn } from "../services/passkeys/passkey-sign-in.js";
import type { PasskeysService } from "../services/passkeys/passkeys-service.js";
import type { TrustedDevices } from "../services/auth/trusted-devices.js";
import type { MailOutbox } from "../services/mail/mail-outbox.js";
import type { ExecutionBatches } from "../repositories/execution-batches.js";
import type { PlatformWorkersRepository } from "../repositories/platform-workers.js";
import type { ExecutionQueries } from "../services/execution/accept/execution-queries.js";
import type { ExecutionService } from "../services/execution/accept/execution-service.js";
import type { ExecutionTokens } from "../services/execution/execution-token.js";
import type { LocalRuns } from "../services/execution/local/local-runs.js";
import type { SyncResults } from "../services/execution/accept/sync-results.js";
import type { RealtimeHub } from "./realtime/realtime-hub.js";
import type { SchedulesService } from "../services/schedules/schedules-service.js";
import type { EventSourcesService } from "../services/events/event-sources-service.js";
import type { WebhookReceiver } from "../services/events/webhook-receiver.js";
import type { FormRuns } from "../services/forms/form-runs.js";
import type { FormsService } from "../services/forms/forms-service.js";
import type { EndpointService } from "../services/endpoints/endpoint-service.js";
import type { WorkflowKeysService } from "../services/endpoints/workflow-keys-service.js";

/** Everything the HTTP layer serves, built by the API role's composition root (roles/api.ts). */
export type ApiServices = {
  executions: ExecutionService;
  executionQueries: ExecutionQueries;
  executionsRepository: ExecutionsRepository;
  executionTokens: ExecutionTokens;
  /** `bifrost run --local`: runs on an author's machine, kept in the history. */
  localRuns: LocalRuns;
  syncResults: SyncResults;
  realtime: RealtimeHub;
  platformWorkers: PlatformWorkersRepository;
  /** The queue per organization (`GET /api/platform/queue`). */
  runLines: Pick<ExecutionBatches, "lines">;
  readiness: ReadinessService;
  authStatus: AuthStatusService;
  auth: AuthService;
  mfa: MfaManagement;
  audit: AuditLog;
  organizations: OrganizationsService;
  users: UsersService;
  /** Users' logins, listed and ended one by one. */
  sessions: SessionsService;
  /** Browsers remembered at the MFA prompt. */
  trustedDevices: TrustedDevices;
  /** Single sign-on: providers (admins) and the browser's round trip. */
  ssoProviders: SsoProviders;
  ssoLogin: SsoLogin;
  /** Passkeys: a user's own, the passwordless sign-in, setup and invitations with one. */
  passkeys: PasskeysService;
  passkeySignIn: PasskeySignIn;
  /** Device login for the CLI (RFC 8628). */
  deviceLogin: DeviceLogin;
  /** Invitations and password resets (issue 21). */
  accountLinks: AccountLinks;
  /** Mail goes out through it; the mail log. */
  mailOutbox: MailOutbox;
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
