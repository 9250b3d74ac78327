import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildApp, type App } from "../api/app.js";
import type { Config } from "../config.js";
import type { Logger } from "../infra/logger.js";
import { UsersRepository } from "../repositories/users.js";
import { AuthStatusService } from "../services/auth/auth-status.js";
import { ReadinessService } from "../services/health/readiness.js";
import type { Infrastructure } from "./infrastructure.js";

const DEFAULT_WEB_DIR = fileURLToPath(new URL("../../../web/dist", import.meta.url));

export const serverVersion = (): string =>
  (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string })
    .version;

/** Wires the services the HTTP API needs onto this process's infrastructure. */
export async function createApi(config: Config, logger: Logger, infra: Infrastructure): Promise<App> {
  const users = new UsersRepository(infra.database.db);
  return buildApp({
    logger,
    bodyLimitBytes: config.http.bodyLimitBytes,
    trustedProxies: config.http.trustedProxies,
    webDir: config.webDir ?? DEFAULT_WEB_DIR,
    version: serverVersion(),
    services: {
      readiness: new ReadinessService(config.role, infra.probes, logger),
      authStatus: new AuthStatusService(users, { mfaRequired: config.mfaRequired }),
    },
  });
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
