import type { ApiServices } from "../../api/api-services.js";
import { AccountTokensRepository } from "../../repositories/account-tokens.js";
import { PasskeysRepository } from "../../repositories/passkeys.js";
import { PasskeyCeremonies } from "../../services/passkeys/ceremonies.js";
import { PasskeySignIn } from "../../services/passkeys/passkey-sign-in.js";
import { PasskeysService } from "../../services/passkeys/passkeys-service.js";
import type { Core } from "./core.js";

/** Passkeys (issue 23): users' own, the passwordless sign-in, setup and invitations with one. */
export function passkeyServices(
  core: Core,
  identity: Pick<ApiServices, "auth">,
): Pick<ApiServices, "passkeys" | "passkeySignIn"> {
  const { deps, users, audit, clock, rateLimiter } = core;
  const passkeys = new PasskeysRepository(deps.db);
  // Challenges live on the bus: an options call and its verify may reach different API processes.
  const ceremonies = new PasskeyCeremonies({ bus: deps.bus, publicUrl: deps.publicUrl });
  return {
    passkeys: new PasskeysService({ passkeys, users, ceremonies, audit }),
    passkeySignIn: new PasskeySignIn({
      passkeys,
      users,
      accountTokens: new AccountTokensRepository(deps.db),
      ceremonies,
      auth: identity.auth,
      audit,
      rateLimiter,
      clock,
      loginRateLimit: deps.loginRateLimit,
    }),
  };
}
