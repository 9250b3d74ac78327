import type { ServiceCredentialWarning } from "@bifrost/contracts";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildApp, type App } from "../api/app.js";
import type { Config } from "../config.js";
import type { Logger } from "../infra/logger.js";
import type { Isolation } from "../services/execution/pool/isolation.js";
import { createApiServices } from "./api-services/index.js";
import type { Infrastructure } from "./infrastructure.js";
import { outboundClientFor } from "./outbound.js";

const DEFAULT_WEB_DIR = fileURLToPath(new URL("../../../web/dist", import.meta.url));

const serverVersion = (): string =>
  (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string })
    .version;

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
    devicePollIntervalSeconds: config.devicePollIntervalSeconds,
    logger,
    publicUrl: config.publicUrl,
    orgMaxConcurrentRuns: config.execution.orgMaxConcurrentRuns,
    maxResultBytes: config.execution.maxResultBytes,
    executionLeaseMs: config.execution.leaseMs,
    mail: config.mail,
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
