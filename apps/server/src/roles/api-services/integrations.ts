import type { ApiServices } from "../../api/api-services.js";
import type { Db } from "../../db/database.js";
import type { Bus } from "../../infra/bus/bus.js";
import type { Clock } from "../../infra/clock.js";
import type { SecretBox } from "../../infra/crypto/secret-box.js";
import type { OutboundClient } from "../../infra/net/outbound.js";
import { IntegrationsRepository } from "../../repositories/integrations.js";
import { OAuthRepository } from "../../repositories/oauth.js";
import type { OrganizationsRepository } from "../../repositories/organizations.js";
import type { AuditLog } from "../../services/audit/audit-log.js";
import type { AuthStateCache } from "../../services/auth/auth-state.js";
import { IntegrationConfigValues } from "../../services/integrations/config-values.js";
import { IntegrationRuns } from "../../services/integrations/integration-runs.js";
import { IntegrationsService } from "../../services/integrations/integrations-service.js";
import { AccessTokens } from "../../services/oauth/access-tokens.js";
import { OAuthService } from "../../services/oauth/oauth-service.js";

/** OAuth connections and integrations (issue 6): tokens refreshed single-flight through the bus. */
export function integrationServices(deps: {
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
