import { ConflictError, NotFoundError, UnauthorizedError } from "../../errors.js";
import type { Clock } from "../../infra/clock.js";
import type { AuthSessionsRepository } from "../../repositories/auth-sessions.js";
import type { UsersRepository } from "../../repositories/users.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { AuditActor } from "../../principal.js";
import type { AuthStateCache } from "./auth-state.js";
import type { MfaCodes } from "./mfa-codes.js";
import type { RateLimiter } from "./rate-limiter.js";

/** Code attempts to turn MFA off or regenerate recovery codes, per user and window. */
const CODE_ATTEMPTS_PER_USER = 5;
const CODE_ATTEMPTS_WINDOW_MS = 5 * 60_000;

export type MfaStatus = { enabled: boolean; recoveryCodesRemaining: number };

/**
 * A signed-in user's second factor: its status, turning it off (proof needed: a current code), new
 * recovery codes (same proof); and a platform admin's reset for a user who lost their device.
 */
export class MfaManagement {
  constructor(
    private readonly deps: {
      users: UsersRepository;
      sessions: AuthSessionsRepository;
      mfaCodes: MfaCodes;
      authState: AuthStateCache;
      clock: Clock;
      audit: AuditLog;
      rateLimiter: RateLimiter;
    },
  ) {}

  async status(userId: string): Promise<MfaStatus> {
    const user = await this.deps.users.findById(userId);
    if (!user) throw new UnauthorizedError("Not signed in");
    return {
      enabled: user.mfaEnabled,
      recoveryCodesRemaining: user.mfaEnabled ? await this.deps.sessions.countUnusedRecoveryCodes(userId) : 0,
    };
  }

  async disable(userId: string, code: string, actor: AuditActor): Promise<void> {
    await this.proveWithCurrentCode(userId, code);
    await this.clear(userId);
    await this.deps.audit.record(actor, {
      action: "auth.mfa.disable",
      resourceType: "user",
      resourceId: userId,
    });
  }

  async regenerateRecoveryCodes(userId: string, code: string, actor: AuditActor): Promise<string[]> {
    await this.proveWithCurrentCode(userId, code);
    const codes = await this.deps.mfaCodes.issueRecoveryCodes(userId);
    await this.deps.audit.record(actor, {
      action: "auth.mfa.recovery_codes",
      resourceType: "user",
      resourceId: userId,
    });
    return codes;
  }

  /** The user enrols again at their next login (while MFA is required). Their logins end. */
  async adminReset(userId: string, actor: AuditActor): Promise<void> {
    if (!(await this.deps.users.findById(userId))) throw new NotFoundError("User not found");
    await this.clear(userId);
    await this.deps.sessions.revokeUserSessions(
      userId,
      "MFA reset by an admin",
      new Date(this.deps.clock.now()),
    );
    await this.deps.authState.invalidate({ userId });
    await this.deps.audit.record(actor, {
      action: "auth.mfa.reset",
      resourceType: "user",
      resourceId: userId,
    });
  }

  private async proveWithCurrentCode(userId: string, code: string): Promise<void> {
    // A stolen session must not get to try every code: counted per user, whichever session or IP.
    await this.deps.rateLimiter.hit(
      `mfa-manage:user:${userId}`,
      CODE_ATTEMPTS_PER_USER,
      CODE_ATTEMPTS_WINDOW_MS,
    );
    const user = await this.deps.users.findById(userId);
    if (!user) throw new UnauthorizedError("Not signed in");
    if (!user.mfaEnabled) throw new ConflictError("MFA is not enabled");
    if (!(await this.deps.mfaCodes.acceptTotp(user, code))) throw new UnauthorizedError("Invalid code");
  }

  private async clear(userId: string): Promise<void> {
    // mfa_last_step stays: a code of an old seed can never count again.
    await this.deps.users.clearMfa(userId);
    await this.deps.sessions.replaceRecoveryCodes(userId, []);
  }
}
