import { ConflictError, NotFoundError, UnauthorizedError, ValidationError } from "../../errors.js";
import type { Bus } from "../../infra/bus/bus.js";
import type { Clock } from "../../infra/clock.js";
import type { AuthSessionsRepository } from "../../repositories/auth-sessions.js";
import type { UsersRepository } from "../../repositories/users.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { AuditActor } from "../../principal.js";
import type { AuthStateCache } from "./auth-state.js";
import type { MfaCodes } from "./mfa-codes.js";
import type { RateLimiter } from "./rate-limiter.js";
import { otpauthUri } from "./totp.js";
import type { TrustedDevices } from "./trusted-devices.js";

/** Code attempts to turn MFA off or regenerate recovery codes, per user and window. */
const CODE_ATTEMPTS_PER_USER = 5;
const CODE_ATTEMPTS_WINDOW_MS = 5 * 60_000;
/** How long a replacement authenticator waits for its first code. */
const REPLACEMENT_WINDOW_MS = 10 * 60_000;
const replacementKey = (userId: string): string => `mfa-replacement:${userId}`;

export type MfaStatus = { enabled: boolean; recoveryCodesRemaining: number };

/**
 * A signed-in user's second factor: its status, setting it up from the account page (the first
 * authenticator, or a replacement — proof needed: a current code of the one in use), turning it off
 * and new recovery codes (same proof); and a platform admin's reset for a user who lost their device.
 * Any change forgets the user's remembered browsers.
 */
export class MfaManagement {
  constructor(
    private readonly deps: {
      users: UsersRepository;
      sessions: AuthSessionsRepository;
      mfaCodes: MfaCodes;
      trustedDevices: TrustedDevices;
      authState: AuthStateCache;
      bus: Bus;
      issuer: string;
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

  /**
   * Starts setting up an authenticator: answers its seed. With MFA on, `code` (a current code of the
   * authenticator in use) is required, and the new seed replaces the old only once confirmed.
   */
  async startEnrolment(
    userId: string,
    code: string | undefined,
  ): Promise<{ secret: string; otpauthUri: string }> {
    const user = await this.deps.users.findById(userId);
    if (!user) throw new UnauthorizedError("Not signed in");
    let secret: string;
    if (user.mfaEnabled) {
      if (!code)
        throw new ValidationError("A current code of your authenticator is needed to replace it", [
          { path: "body.code", message: "Enter a current code of the authenticator in use" },
        ]);
      await this.proveWithCurrentCode(userId, code);
      const replacement = this.deps.mfaCodes.newReplacementSecret();
      await this.deps.bus.set(replacementKey(userId), replacement.sealed, { ttlMs: REPLACEMENT_WINDOW_MS });
      secret = replacement.secret;
    } else {
      secret = await this.deps.mfaCodes.newSecret(userId);
    }
    return { secret, otpauthUri: otpauthUri({ secret, accountName: user.email, issuer: this.deps.issuer }) };
  }

  /** Confirms the authenticator of `startEnrolment` with one of its codes; answers new recovery codes. */
  async completeEnrolment(userId: string, code: string, actor: AuditActor): Promise<string[]> {
    await this.countAttempt(userId);
    const user = await this.deps.users.findById(userId);
    if (!user) throw new UnauthorizedError("Not signed in");
    const replacing = user.mfaEnabled;
    let accepted: boolean;
    if (replacing) {
      const sealed = await this.deps.bus.get(replacementKey(userId));
      if (!sealed) throw new ConflictError("Start setting up the new authenticator first");
      accepted = await this.deps.mfaCodes.acceptReplacement(user, sealed, code);
      if (accepted) await this.deps.bus.delete(replacementKey(userId));
    } else {
      if (!user.mfaSecretSealed) throw new ConflictError("Start setting up the authenticator first");
      accepted = await this.deps.mfaCodes.acceptTotp(user, code, { enable: true });
    }
    if (!accepted)
      throw new ValidationError("The code is not right", [
        { path: "body.code", message: "Enter the code the new authenticator shows now (or the next one)" },
      ]);
    const codes = await this.deps.mfaCodes.issueRecoveryCodes(userId);
    await this.deps.trustedDevices.forgetAll(userId);
    await this.deps.audit.record(actor, {
      action: "auth.mfa.enrol",
      resourceType: "user",
      resourceId: userId,
      details: { replaced: replacing },
    });
    return codes;
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

  /** A stolen session must not get to try every code: counted per user, whichever session or IP. */
  private async countAttempt(userId: string): Promise<void> {
    await this.deps.rateLimiter.hit(
      `mfa-manage:user:${userId}`,
      CODE_ATTEMPTS_PER_USER,
      CODE_ATTEMPTS_WINDOW_MS,
    );
  }

  private async proveWithCurrentCode(userId: string, code: string): Promise<void> {
    await this.countAttempt(userId);
    const user = await this.deps.users.findById(userId);
    if (!user) throw new UnauthorizedError("Not signed in");
    if (!user.mfaEnabled) throw new ConflictError("MFA is not enabled");
    if (!(await this.deps.mfaCodes.acceptTotp(user, code))) throw new UnauthorizedError("Invalid code");
  }

  private async clear(userId: string): Promise<void> {
    // mfa_last_step stays: a code of an old seed can never count again.
    await this.deps.users.clearMfa(userId);
    await this.deps.sessions.replaceRecoveryCodes(userId, []);
    await this.deps.trustedDevices.forgetAll(userId);
  }
}
