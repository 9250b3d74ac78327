import type { AuthStatus } from "@bifrost/contracts";
import type { UsersRepository } from "../../repositories/users.js";

/** What the login page needs to know before anyone signs in. */
export class AuthStatusService {
  constructor(
    private readonly users: UsersRepository,
    private readonly options: { mfaRequired: boolean },
  ) {}

  async status(): Promise<AuthStatus> {
    const humans = await this.users.countHumans();
    return {
      needsSetup: humans === 0,
      passwordLogin: true,
      mfaRequired: this.options.mfaRequired,
      ssoProviders: [],
    };
  }
}
