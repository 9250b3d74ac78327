import type { ApiServices } from "../../api/api-services.js";
import { ReadinessService } from "../../services/health/readiness.js";
import { createCore, type ApiServiceDeps } from "./core.js";
import { dataServices } from "./data.js";
import { engineServices } from "./engine.js";
import { identityServices } from "./identity.js";
import { ssoServices } from "./sso.js";
import { passkeyServices } from "./passkeys.js";
import { integrationServices } from "./integrations.js";
import { triggerServices } from "./triggers.js";

export type { ApiServiceDeps };

/**
 * The services behind the HTTP API, on one process's database and bus: the shared core, then one
 * wiring per domain (a new feature adds to its domain's file, or a file of its own, not to this).
 */
export async function createApiServices(deps: ApiServiceDeps): Promise<ApiServices> {
  const core = await createCore(deps);
  const engine = engineServices(core);
  const identity = identityServices(core, engine);
  return {
    ...engine,
    ...identity,
    ...ssoServices(core, identity),
    ...passkeyServices(core, identity),
    ...dataServices(core, engine),
    ...triggerServices(core, engine),
    ...integrationServices({ ...deps, ...core, clock: core.clock }),
    readiness: new ReadinessService(deps.role, deps.probes, deps.logger),
  };
}
