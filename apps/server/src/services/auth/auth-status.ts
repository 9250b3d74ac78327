import type { AuthStatus } from "@bifrost/contracts";
import type { SsoRepository } from "../../repositories/sso.js";
import type { UsersRepository } from "../../repositories/users.js";

/** What the login page needs to know before anyone signs in. */
export class AuthStatusService {
  constructor(
    private readonly users: UsersRepository,
    private readonly options: { mfaRequired: boolean; sso: SsoRepository },
  ) {}

  async status(): Promise<AuthStatus> {
    const [humans, providers] = await Promise.all([
      this.users.countHumans(),
      this.options.sso.listProviders(),
    ]);
    return {
      needsSetup: humans === 0,
      passwordLogin: true,
      mfaRequired: this.options.mfaRequired,
      ssoProviders: providers.map((p) => ({ name: p.name, displayName: p.displayName })),
    };
  }
}
