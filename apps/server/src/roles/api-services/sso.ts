import type { ApiServices } from "../../api/api-services.js";
import { SsoRepository } from "../../repositories/sso.js";
import { OidcRelyingParty } from "../../services/sso/oidc-relying-party.js";
import { SsoLogin } from "../../services/sso/sso-login.js";
import { SsoProviders } from "../../services/sso/sso-providers.js";
import { OutboundClient } from "../../infra/net/outbound.js";
import type { Core } from "./core.js";

/** Single sign-on through OpenID Connect providers (issue 23). */
export function ssoServices(
  core: Core,
  identity: Pick<ApiServices, "auth">,
): Pick<ApiServices, "ssoProviders" | "ssoLogin"> {
  const { deps, users, organizations, audit, clock, rateLimiter, secretBox } = core;
  const sso = new SsoRepository(deps.db);
  const rp = new OidcRelyingParty({ outbound: deps.outbound ?? new OutboundClient(), clock });
  const ssoLogin = new SsoLogin({
    sso,
    organizations,
    users,
    rp,
    secretBox,
    bus: deps.bus,
    auth: identity.auth,
    audit,
    rateLimiter,
    clock,
    loginRateLimit: deps.loginRateLimit,
    publicUrl: deps.publicUrl,
  });
  return {
    ssoLogin,
    ssoProviders: new SsoProviders({
      sso,
      rp,
      secretBox,
      audit,
      redirectUri: (origin) => ssoLogin.redirectUri(origin),
    }),
  };
}
