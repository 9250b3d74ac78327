import type { ApiServices } from "../../api/api-services.js";
import { AccountTokensRepository } from "../../repositories/account-tokens.js";
import { RolesRepository } from "../../repositories/roles.js";
import { AccountLinks } from "../../services/accounts/account-links.js";
import { AuthService } from "../../services/auth/auth-service.js";
import { AuthStatusService } from "../../services/auth/auth-status.js";
import { SessionsService } from "../../services/auth/sessions.js";
import { DeviceAuthorizationsRepository } from "../../repositories/device-authorizations.js";
import { TrustedDevicesRepository } from "../../repositories/trusted-devices.js";
import { SsoRepository } from "../../repositories/sso.js";
import { DeviceLogin } from "../../services/auth/device-login.js";
import { TrustedDevices } from "../../services/auth/trusted-devices.js";
import { MfaCodes } from "../../services/auth/mfa-codes.js";
import { MfaManagement } from "../../services/auth/mfa-management.js";
import { RunRevocation } from "../../services/execution/accept/cancellation.js";
import { OrganizationsService } from "../../services/organizations/organizations-service.js";
import { RolesService } from "../../services/roles/roles-service.js";
import { UsersService } from "../../services/users/users-service.js";
import { mailOutboxFor } from "../mail.js";
import type { Core } from "./core.js";

/** Who may sign in and what they are: logins and MFA, organizations, users, roles, the audit log. */
export function identityServices(
  core: Core,
  engine: Pick<ApiServices, "executionTokens">,
): Pick<
  ApiServices,
  | "auth"
  | "authStatus"
  | "tokens"
  | "authState"
  | "audit"
  | "mfa"
  | "organizations"
  | "users"
  | "roles"
  | "accountLinks"
  | "mailOutbox"
  | "sessions"
  | "trustedDevices"
  | "deviceLogin"
> {
  const { deps, users, sessions, organizations, audit, authState, clock, rateLimiter, tokens } = core;
  const mfaCodes = new MfaCodes({ users, sessions, secretBox: core.secretBox, clock });
  const trustedDevices = new TrustedDevices({
    devices: new TrustedDevicesRepository(deps.db),
    clock,
    audit,
  });
  // Deactivating a user or an organization ends the runs acting for them.
  const runs = new RunRevocation({
    executions: core.executions,
    bus: deps.bus,
    events: core.events,
    tokens: engine.executionTokens,
  });
  const auth = new AuthService({
    users,
    sessions,
    tokens,
    mfaCodes,
    trustedDevices,
    authState,
    bus: deps.bus,
    clock,
    mfaRequired: deps.mfaRequired,
    issuer: "Bifrost",
    rateLimiter,
    audit,
    loginRateLimit: deps.loginRateLimit,
  });
  const accountTokens = new AccountTokensRepository(deps.db);
  const roles = new RolesRepository(deps.db);
  const mailOutbox = mailOutboxFor({
    db: deps.db,
    queue: deps.queue,
    secretBox: core.secretBox,
    mail: deps.mail,
    outbound: deps.outbound,
    logger: core.logger,
  });
  return {
    auth,
    mailOutbox,
    sessions: new SessionsService({ sessions, users, authState, audit, clock }),
    trustedDevices,
    deviceLogin: new DeviceLogin({
      devices: new DeviceAuthorizationsRepository(deps.db),
      auth,
      rateLimiter,
      audit,
      clock,
      publicUrl: deps.publicUrl,
      intervalSeconds: deps.devicePollIntervalSeconds ?? 5,
      loginRateLimit: deps.loginRateLimit,
    }),
    accountLinks: new AccountLinks({
      tokens: accountTokens,
      users,
      organizations,
      outbox: mailOutbox,
      auth,
      audit,
      rateLimiter,
      loginRateLimit: deps.loginRateLimit,
      clock,
      logger: core.logger,
      publicUrl: deps.publicUrl,
      invitationTtlMs: (deps.mail?.invitationHours ?? 168) * 3600_000,
    }),
    authStatus: new AuthStatusService(users, {
      mfaRequired: deps.mfaRequired,
      sso: new SsoRepository(deps.db),
    }),
    tokens,
    authState,
    audit,
    mfa: new MfaManagement({
      users,
      sessions,
      mfaCodes,
      trustedDevices,
      authState,
      bus: deps.bus,
      issuer: "Bifrost",
      clock,
      audit,
      rateLimiter,
    }),
    organizations: new OrganizationsService({ organizations, authState, clock, audit, runs }),
    users: new UsersService({ users, organizations, authState, audit, runs, tokens: accountTokens, roles }),
    roles: new RolesService({ roles, users, authState, audit }),
  };
}
