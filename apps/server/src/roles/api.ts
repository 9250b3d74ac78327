import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildApp, type ApiServices, type App } from "../api/app.js";
import type { Config } from "../config.js";
import type { Db } from "../db/database.js";
import type { Bus } from "../infra/bus/bus.js";
import { systemClock, type Clock } from "../infra/clock.js";
import { SecretBox } from "../infra/crypto/secret-box.js";
import type { Logger } from "../infra/logger.js";
import { AuditLogsRepository } from "../repositories/audit-logs.js";
import { AuthSessionsRepository } from "../repositories/auth-sessions.js";
import { OrganizationsRepository } from "../repositories/organizations.js";
import { RolesRepository } from "../repositories/roles.js";
import { UsersRepository } from "../repositories/users.js";
import { AuditLog } from "../services/audit/audit-log.js";
import { AuthService } from "../services/auth/auth-service.js";
import { AuthStateCache } from "../services/auth/auth-state.js";
import { AuthStatusService } from "../services/auth/auth-status.js";
import { MfaCodes } from "../services/auth/mfa-codes.js";
import { MfaManagement } from "../services/auth/mfa-management.js";
import { RateLimiter } from "../services/auth/rate-limiter.js";
import { TokenService } from "../services/auth/tokens.js";
import { ReadinessService, type HealthProbe } from "../services/health/readiness.js";
import { OrganizationsService } from "../services/organizations/organizations-service.js";
import { RolesService } from "../services/roles/roles-service.js";
import { UsersService } from "../services/users/users-service.js";
import type { Infrastructure } from "./infrastructure.js";

const DEFAULT_WEB_DIR = fileURLToPath(new URL("../../../web/dist", import.meta.url));

export const serverVersion = (): string =>
  (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string })
    .version;

/** The services behind the HTTP API, on one process's database and bus. */
export async function createApiServices(deps: {
  role: string;
  db: Db;
  bus: Bus;
  probes: HealthProbe[];
  secretKey: string;
  mfaRequired: boolean;
  loginRateLimit: number;
  logger?: Logger;
  clock?: Clock;
}): Promise<ApiServices> {
  const clock = deps.clock ?? systemClock;
  const users = new UsersRepository(deps.db);
  const sessions = new AuthSessionsRepository(deps.db);
  const organizations = new OrganizationsRepository(deps.db);
  const audit = new AuditLog(new AuditLogsRepository(deps.db));
  const secretBox = new SecretBox(deps.secretKey);
  const tokens = new TokenService(secretBox.deriveKey("jwt-signing"), clock);
  const authState = new AuthStateCache({ users, sessions, bus: deps.bus, clock });
  const mfaCodes = new MfaCodes({ users, sessions, secretBox, clock });
  await authState.start();
  return {
    readiness: new ReadinessService(deps.role, deps.probes, deps.logger),
    authStatus: new AuthStatusService(users, { mfaRequired: deps.mfaRequired }),
    tokens,
    authState,
    audit,
    mfa: new MfaManagement({ users, sessions, mfaCodes, authState, clock, audit }),
    organizations: new OrganizationsService({ organizations, authState, clock, audit }),
    users: new UsersService({ users, organizations, authState, audit }),
    roles: new RolesService({ roles: new RolesRepository(deps.db), users, authState, audit }),
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
      rateLimiter: new RateLimiter(deps.bus),
      audit,
      loginRateLimit: deps.loginRateLimit,
    }),
  };
}

/** Wires the services the HTTP API needs onto this process's infrastructure. */
export async function createApi(config: Config, logger: Logger, infra: Infrastructure): Promise<App> {
  const services = await createApiServices({
    role: config.role,
    db: infra.database.db,
    bus: infra.bus,
    probes: infra.probes,
    secretKey: config.secretKey,
    mfaRequired: config.mfaRequired,
    loginRateLimit: config.loginRateLimit,
    logger,
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
    services,
  });
  app.addHook("onClose", () => services.authState.stop());
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
