import type { AuthUser, LoginResult, TokenPair } from "@bifrost/contracts";
import { PROVIDER_ORGANIZATION_ID } from "../../db/schema/index.js";
import { ConflictError, UnauthorizedError, ValidationError } from "../../errors.js";
import type { Bus } from "../../infra/bus/bus.js";
import type { Clock } from "../../infra/clock.js";
import {
  hashPassword,
  passwordProblem,
  verifyAgainstDummy,
  verifyPassword,
} from "../../infra/crypto/passwords.js";
import type { AuthSessionsRepository } from "../../repositories/auth-sessions.js";
import type { UserRow, UsersRepository, UserWithOrganization } from "../../repositories/users.js";
import type { AuditEvent, AuditLog } from "../audit/audit-log.js";
import { requestActor, type AuditActor } from "../../principal.js";
import type { AuthStateCache } from "./auth-state.js";
import type { RateLimiter } from "./rate-limiter.js";
import type { MfaCodes } from "./mfa-codes.js";
import type { TrustedDevices } from "./trusted-devices.js";
import {
  ACCESS_TOKEN_TTL_SECONDS,
  hashOpaqueToken,
  MFA_TOKEN_TTL_SECONDS,
  REFRESH_TOKEN_TTL_SECONDS,
  type TokenService,
} from "./tokens.js";
import { otpauthUri } from "./totp.js";

export type RequestMeta = {
  ip: string;
  userAgent: string | undefined;
  requestId?: string;
  /** The browser's "remember this browser" cookie, when it sent one. */
  trustedDevice?: string | undefined;
};

const MFA_ATTEMPTS_PER_TOKEN = 5;
/** How long an address that failed a login is not let past a locked account's limit. */
const LOGIN_FAILURE_MEMORY_MS = 15 * 60_000;
const loginFailureKey = (ip: string): string => `login-failure:ip:${ip}`;
const MFA_ATTEMPTS_PER_IP_PER_MINUTE = 30;
const INVALID_CREDENTIALS = "Invalid email or password";

export function toAuthUser(user: UserRow): AuthUser {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    isSuperuser: user.isSuperuser,
    organizationId: user.organizationId,
    isActive: user.isActive,
    mfaEnabled: user.mfaEnabled,
    createdAt: user.createdAt.toISOString(),
  };
}

/**
 * First-run setup, password login, TOTP enrolment and MFA login, refresh-token rotation with
 * reuse detection (ending logins is SessionsService's). Every token a login issues belongs to one
 * session (its family).
 */
export class AuthService {
  constructor(
    private readonly deps: {
      users: UsersRepository;
      sessions: AuthSessionsRepository;
      tokens: TokenService;
      mfaCodes: MfaCodes;
      trustedDevices: TrustedDevices;
      authState: AuthStateCache;
      bus: Bus;
      clock: Clock;
      mfaRequired: boolean;
      issuer: string;
      rateLimiter: RateLimiter;
      audit: AuditLog;
      /** Login attempts per minute per IP and, separately, per account (refresh and setup: per IP). */
      loginRateLimit: number;
    },
  ) {}

  async setup(
    input: { email: string; password: string; name: string },
    meta: RequestMeta,
  ): Promise<AuthUser> {
    await this.deps.rateLimiter.hit(`setup:ip:${meta.ip}`, this.deps.loginRateLimit);
    return this.createFirstAdmin(input);
  }

  /** `BIFROST_DEFAULT_USER_*`: the first admin of an unattended install; nothing when users exist. */
  async seedDefaultAdmin(input: { email: string; password: string }): Promise<AuthUser | undefined> {
    if ((await this.deps.users.countHumans()) > 0) return undefined;
    try {
      return await this.createFirstAdmin({ ...input, name: "Administrator" });
    } catch (error) {
      if (error instanceof ConflictError) return undefined; // another process seeded it first
      throw error;
    }
  }

  private async createFirstAdmin(input: {
    email: string;
    password: string;
    name: string;
  }): Promise<AuthUser> {
    this.assertPasswordPolicy(input.password, input.email, input.name);
    const passwordHash = await hashPassword(input.password);
    const user = await this.deps.users.insertFirstUser({
      email: input.email,
      name: input.name,
      passwordHash,
      organizationId: PROVIDER_ORGANIZATION_ID,
      isSuperuser: true,
      passwordChangedAt: new Date(this.deps.clock.now()),
    });
    if (!user) throw new ConflictError("Bifrost is already set up");
    return toAuthUser(user);
  }

  async login(input: { email: string; password: string }, meta: RequestMeta): Promise<LoginResult> {
    await this.deps.rateLimiter.hit(`login:ip:${meta.ip}`, this.deps.loginRateLimit);
    const accountLimited = await this.deps.rateLimiter.count(
      `login:account:${input.email.toLowerCase()}`,
      this.deps.loginRateLimit,
    );
    const user = await this.deps.users.findByEmail(input.email);
    // The per-account limit stops a password being guessed from many addresses, but would let anyone
    // keep a known admin locked out. So an account over it still admits an attempt from an address
    // with no failed login in the last 15 minutes when the account has MFA: the password alone gets
    // nobody in, a valid code must follow (its own attempt limits hold), and a wrong password
    // marks the address, which then waits like everyone else.
    if (accountLimited && !(user?.mfaEnabled && !(await this.recentFailureFrom(meta.ip))))
      throw accountLimited;
    // Unknown e-mail and wrong password take the same time and give the same answer.
    const passwordOk =
      user?.passwordHash && !user.isSystem
        ? await verifyPassword(user.passwordHash, input.password)
        : await verifyAgainstDummy(input.password);
    if (!user || !passwordOk || !user.isActive || !user.organizationActive) {
      await this.record(meta, user, {
        action: "auth.login",
        resourceType: "user",
        resourceId: user?.id,
        outcome: "failure",
        details: {
          email: input.email.slice(0, 254),
          reason: user && passwordOk ? "inactive" : "invalid credentials",
        },
      });
      await this.deps.bus.set(loginFailureKey(meta.ip), "1", { ttlMs: LOGIN_FAILURE_MEMORY_MS });
      throw new UnauthorizedError(INVALID_CREDENTIALS);
    }
    // An organization that signs in through SSO only: its users' passwords open nothing. Platform
    // admins keep password + MFA (break-glass). Said only to the holder of the right password.
    if (user.organizationSsoOnly && !user.isSuperuser) {
      await this.record(meta, user, {
        action: "auth.login",
        resourceType: "user",
        resourceId: user.id,
        outcome: "failure",
        details: { reason: "sso only" },
      });
      throw new UnauthorizedError("Your organization signs in with single sign-on: use its button");
    }
    return this.signIn(user, meta);
  }

  /**
   * What follows a password that was accepted (a login, or one just set from an invitation): the MFA
   * prompt, MFA enrolment when required, else the tokens.
   */
  async signIn(user: UserWithOrganization, meta: RequestMeta): Promise<LoginResult> {
    return this.secondStep(user, meta, "password", this.deps.mfaRequired);
  }

  /**
   * After a single sign-on the provider vouched for: tokens at once, unless `needsSecondFactor` (the
   * provider requires MFA and did not assert it) — then the TOTP prompt, or enrolment.
   */
  async ssoSignIn(
    user: UserWithOrganization,
    meta: RequestMeta,
    method: string,
    needsSecondFactor: boolean,
  ): Promise<LoginResult> {
    if (!needsSecondFactor) return this.issueTokens(user, meta, method);
    return this.secondStep(user, meta, method, true);
  }

  /** The MFA prompt (skipped by a remembered browser), enrolment when `enrolIfMissing`, else tokens. */
  private async secondStep(
    user: UserWithOrganization,
    meta: RequestMeta,
    method: string,
    enrolIfMissing: boolean,
  ): Promise<LoginResult> {
    if (user.mfaEnabled) {
      // A browser the user asked to remember at an earlier MFA prompt skips it (right password only).
      if (await this.deps.trustedDevices.recognises(user.id, meta.trustedDevice))
        return this.issueTokens(user, meta, `${method}, trusted browser`);
      return { mfaRequired: true, mfaToken: (await this.deps.tokens.signMfa(user.id, "mfa_login")).token };
    }
    if (enrolIfMissing) {
      return {
        mfaSetupRequired: true,
        mfaToken: (await this.deps.tokens.signMfa(user.id, "mfa_setup")).token,
      };
    }
    return this.issueTokens(user, meta, method);
  }

  /** 422 when `password` is not acceptable for this user (before a single-use link is spent on it). */
  checkNewPassword(password: string, user: { email: string; name: string }): void {
    this.assertPasswordPolicy(password, user.email, user.name);
  }

  /**
   * Sets a user's password from a single-use link the caller has just redeemed (an invitation, a
   * reset) and ends every login of the user.
   */
  async setPasswordFromLink(userId: string, password: string, reason: string): Promise<void> {
    const now = new Date(this.deps.clock.now());
    await this.deps.users.updatePassword(userId, await hashPassword(password), now);
    await this.deps.sessions.revokeUserSessions(userId, reason, now);
    await this.deps.trustedDevices.forgetAll(userId);
    await this.deps.authState.invalidate({ userId });
  }

  async startMfaSetup(mfaToken: string, meta: RequestMeta): Promise<{ secret: string; otpauthUri: string }> {
    const { user } = await this.mfaSubject(mfaToken, "mfa_setup", meta);
    // A setup token outlives the enrolment it was for (5 minutes): it must not replace the seed.
    if (user.mfaEnabled) throw new ConflictError("MFA is already enabled for this account");
    const secret = await this.deps.mfaCodes.newSecret(user.id);
    return { secret, otpauthUri: otpauthUri({ secret, accountName: user.email, issuer: this.deps.issuer }) };
  }

  async completeMfaSetup(
    mfaToken: string,
    code: string,
    meta: RequestMeta,
  ): Promise<TokenPair & { recoveryCodes: string[] }> {
    const { user } = await this.mfaSubject(mfaToken, "mfa_setup", meta);
    if (user.mfaEnabled) throw new ConflictError("MFA is already enabled for this account");
    if (!user.mfaSecretSealed) throw new UnauthorizedError("Start MFA setup first");
    if (!(await this.deps.mfaCodes.acceptTotp(user, code, { enable: true }))) {
      await this.record(meta, user, {
        action: "auth.mfa.enrol",
        resourceType: "user",
        resourceId: user.id,
        outcome: "failure",
      });
      throw new UnauthorizedError("Invalid code");
    }
    await this.record(meta, user, { action: "auth.mfa.enrol", resourceType: "user", resourceId: user.id });
    const recoveryCodes = await this.deps.mfaCodes.issueRecoveryCodes(user.id);
    const tokens = await this.issueTokens({ ...user, mfaEnabled: true }, meta, "mfa enrolment");
    return { ...tokens, recoveryCodes };
  }

  async mfaLogin(
    input: { mfaToken: string; code: string; rememberDevice?: boolean | undefined },
    meta: RequestMeta,
  ): Promise<TokenPair & { trustedDevice?: { token: string; maxAgeSeconds: number } }> {
    const { user } = await this.mfaSubject(input.mfaToken, "mfa_login", meta);
    const accepted =
      (await this.deps.mfaCodes.acceptTotp(user, input.code)) ||
      (await this.deps.mfaCodes.spendRecoveryCode(user.id, input.code));
    if (!accepted) {
      await this.record(meta, user, {
        action: "auth.login",
        resourceType: "user",
        resourceId: user.id,
        outcome: "failure",
        details: { reason: "invalid MFA code" },
      });
      throw new UnauthorizedError("Invalid code");
    }
    const tokens = await this.issueTokens(user, meta, "mfa");
    if (!input.rememberDevice) return tokens;
    return { ...tokens, trustedDevice: await this.deps.trustedDevices.remember(user.id, meta) };
  }

  /**
   * A login approved out of band (a device login approved in the browser by its signed-in user):
   * a normal session of `userId`, unless the user was deactivated meanwhile.
   */
  async approvedLogin(userId: string, meta: RequestMeta, method: string): Promise<TokenPair | undefined> {
    const user = await this.deps.users.findById(userId);
    if (!user || user.isSystem || !user.isActive || !user.organizationActive) return undefined;
    return this.issueTokens(user, meta, method);
  }

  async refresh(refreshToken: string, meta: RequestMeta): Promise<TokenPair> {
    await this.deps.rateLimiter.hit(`refresh:ip:${meta.ip}`, this.deps.loginRateLimit);
    const now = new Date(this.deps.clock.now());
    const found = await this.deps.sessions.findRefreshToken(hashOpaqueToken(refreshToken));
    if (!found) throw new UnauthorizedError("Invalid refresh token");
    const { token, session } = found;
    if (token.usedAt !== null || !(await this.deps.sessions.useRefreshToken(token.id, now))) {
      // A retired token presented again: someone holds a copy. End the whole login.
      await this.revokeSession(session.id, "refresh token reuse");
      await this.record(
        meta,
        { id: session.userId },
        {
          action: "auth.refresh.reuse",
          resourceType: "session",
          resourceId: session.id,
          outcome: "failure",
          details: { revoked: "the whole login" },
        },
      );
      throw new UnauthorizedError("Invalid refresh token");
    }
    if (session.revokedAt !== null || session.expiresAt <= now || token.expiresAt <= now) {
      throw new UnauthorizedError("Invalid refresh token");
    }
    const user = await this.deps.users.findById(session.userId);
    if (!user || !user.isActive || !user.organizationActive)
      throw new UnauthorizedError("Invalid refresh token");
    await this.deps.sessions.touchSession(session.id, now);
    return this.tokensForSession(user, session.id, meta);
  }

  /** Changes the caller's password and ends their other logins; this one stays signed in. */
  async changePassword(
    principal: { userId: string; sessionId: string },
    input: { currentPassword: string; newPassword: string },
    actor: AuditActor,
  ): Promise<void> {
    const user = await this.deps.users.findById(principal.userId);
    if (!user?.passwordHash || !(await verifyPassword(user.passwordHash, input.currentPassword))) {
      throw new ValidationError("The current password is wrong", [
        { path: "body.currentPassword", message: "The current password is wrong" },
      ]);
    }
    this.assertPasswordPolicy(input.newPassword, user.email, user.name, "body.newPassword");
    const now = new Date(this.deps.clock.now());
    await this.deps.users.updatePassword(user.id, await hashPassword(input.newPassword), now);
    await this.deps.sessions.revokeUserSessions(user.id, "password changed", now, principal.sessionId);
    await this.deps.trustedDevices.forgetAll(user.id);
    await this.deps.authState.invalidate({ userId: user.id });
    await this.deps.audit.record(actor, {
      action: "user.password_change",
      resourceType: "user",
      resourceId: user.id,
    });
  }

  private async recentFailureFrom(ip: string): Promise<boolean> {
    return (await this.deps.bus.get(loginFailureKey(ip))) !== null;
  }

  private async revokeSession(sessionId: string, reason: string): Promise<void> {
    await this.deps.sessions.revokeSession(sessionId, reason, new Date(this.deps.clock.now()));
    await this.deps.authState.invalidate({ sessionId });
  }

  /** The user an MFA token names, counting attempts: after five, the token is dead. */
  private async mfaSubject(
    mfaToken: string,
    purpose: "mfa_login" | "mfa_setup",
    meta: RequestMeta,
  ): Promise<{ user: UserWithOrganization }> {
    await this.deps.rateLimiter.hit(`mfa:ip:${meta.ip}`, MFA_ATTEMPTS_PER_IP_PER_MINUTE);
    const claims = await this.deps.tokens.verifyMfa(mfaToken, purpose);
    if (!claims) throw new UnauthorizedError("Invalid or expired MFA token");
    const attempts = await this.deps.bus.increment(`mfa-attempts:${claims.jti}`, {
      ttlMs: MFA_TOKEN_TTL_SECONDS * 1000,
    });
    if (attempts > MFA_ATTEMPTS_PER_TOKEN) throw new UnauthorizedError("Too many attempts: sign in again");
    const user = await this.deps.users.findById(claims.sub);
    if (!user || !user.isActive || !user.organizationActive)
      throw new UnauthorizedError("Invalid or expired MFA token");
    return { user };
  }

  /** An event of a request whose user is known (or not yet, for a failed login). */
  private record(
    meta: RequestMeta,
    user: { id: string; email?: string; organizationId?: string } | undefined,
    event: AuditEvent,
  ): Promise<void> {
    return this.deps.audit.record(requestActor(meta, user), event);
  }

  private async issueTokens(
    user: UserWithOrganization,
    meta: RequestMeta,
    method: string,
  ): Promise<TokenPair> {
    await this.record(meta, user, {
      action: "auth.login",
      resourceType: "user",
      resourceId: user.id,
      details: { method },
    });
    const now = this.deps.clock.now();
    const session = await this.deps.sessions.createSession({
      userId: user.id,
      expiresAt: new Date(now + REFRESH_TOKEN_TTL_SECONDS * 1000),
      ipAddress: meta.ip,
      userAgent: meta.userAgent?.slice(0, 512),
    });
    await this.deps.users.recordLogin(user.id, new Date(now));
    return this.tokensForSession(user, session.id, meta);
  }

  private async tokensForSession(
    user: UserWithOrganization,
    sessionId: string,
    _meta: RequestMeta,
  ): Promise<TokenPair> {
    const refresh = this.deps.tokens.newRefreshToken();
    await this.deps.sessions.addRefreshToken(
      sessionId,
      refresh.hash,
      new Date(this.deps.clock.now() + REFRESH_TOKEN_TTL_SECONDS * 1000),
    );
    const accessToken = await this.deps.tokens.signAccess({
      sub: user.id,
      email: user.email,
      orgId: user.organizationId,
      isSuperuser: user.isSuperuser,
      roles: await this.deps.users.roleNames(user.id),
      sid: sessionId,
    });
    return {
      accessToken,
      refreshToken: refresh.token,
      expiresIn: ACCESS_TOKEN_TTL_SECONDS,
      user: toAuthUser(user),
    };
  }

  private assertPasswordPolicy(password: string, email: string, name: string, field = "body.password"): void {
    const problem = passwordProblem(password, { email, name });
    if (problem)
      throw new ValidationError("The password is not acceptable", [{ path: field, message: problem }]);
  }
}
