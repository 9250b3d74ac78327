import type { AccountLinkAnswer, LoginResult } from "@bifrost/contracts";
import { randomBytes } from "node:crypto";
import type { AccountTokenPurpose } from "../../db/schema/index.js";
import { BadRequestError, ConflictError, NotFoundError } from "../../errors.js";
import type { Clock } from "../../infra/clock.js";
import type { Logger } from "../../infra/logger.js";
import type { AccountTokensRepository } from "../../repositories/account-tokens.js";
import type { OrganizationsRepository } from "../../repositories/organizations.js";
import type { UsersRepository, UserWithOrganization } from "../../repositories/users.js";
import type { AuditActor } from "../../principal.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { AuthService, RequestMeta } from "../auth/auth-service.js";
import type { RateLimiter } from "../auth/rate-limiter.js";
import { hashOpaqueToken } from "../auth/tokens.js";
import type { MailOutbox } from "../mail/mail-outbox.js";

const RESET_TTL_MS = 30 * 60_000;
/** Reset requests per account per hour (and per IP per minute: the login limit). */
const RESETS_PER_ACCOUNT_PER_HOUR = 5;
const INVALID_LINK = "This link is not valid: it was used, revoked or has expired";

/** Where each link opens in the web client; the token is in the fragment, which no request carries. */
const PAGES: Record<AccountTokenPurpose, string> = {
  invitation: "/invite",
  password_reset: "/reset-password",
};

/**
 * Invitations and password resets: single-use links (a random token, only its hash stored, 7 days —
 * BIFROST_INVITATION_HOURS — and 30 minutes) sent through the mail outbox. Without a mail server the admin who asked is answered the
 * link once instead; a link never goes to a log. Using a link sets the password and ends every login
 * of the user.
 */
export class AccountLinks {
  constructor(
    private readonly deps: {
      tokens: AccountTokensRepository;
      users: UsersRepository;
      organizations: OrganizationsRepository;
      outbox: MailOutbox;
      auth: Pick<AuthService, "signIn" | "checkNewPassword" | "setPasswordFromLink">;
      audit: AuditLog;
      rateLimiter: RateLimiter;
      loginRateLimit: number;
      clock: Clock;
      logger: Logger;
      /** BIFROST_PUBLIC_URL: the links' origin (required for links a user asks for themselves). */
      publicUrl: string | undefined;
      /** BIFROST_INVITATION_HOURS (7 days by default). */
      invitationTtlMs: number;
    },
  ) {}

  /** `POST /api/users/{id}/invite`: a new invitation (an earlier one stops working), mailed or answered. */
  async invite(userId: string, actor: AuditActor, origin: string): Promise<AccountLinkAnswer> {
    const user = await this.invitable(userId);
    const inviter = actor.userId ? await this.deps.users.findById(actor.userId) : undefined;
    const organization = await this.deps.organizations.find(user.organizationId);
    const { token, expiresAt } = await this.issue(
      "invitation",
      user.id,
      this.deps.invitationTtlMs,
      actor.userId,
    );
    const link = this.linkFor("invitation", token, origin);
    const sent = await this.deps.outbox.enqueue(user.email, {
      template: "invitation",
      name: user.name,
      organizationName: organization?.name ?? "your organization",
      invitedBy: inviter?.name ?? "An administrator",
      link,
      expiresAt: expiresAt.toISOString(),
    });
    await this.deps.audit.record(actor, {
      action: "user.invite",
      resourceType: "user",
      resourceId: user.id,
      details: { email: user.email, sent, expiresAt: expiresAt.toISOString() },
    });
    return { sent, link: sent ? null : link, expiresAt: expiresAt.toISOString() };
  }

  /** `DELETE /api/users/{id}/invite`: the pending invitation stops working; 404 when there is none. */
  async revokeInvitation(userId: string, actor: AuditActor): Promise<void> {
    if ((await this.deps.tokens.revoke(userId, "invitation")) === 0)
      throw new NotFoundError("No pending invitation for this user");
    await this.deps.audit.record(actor, {
      action: "user.invite_revoke",
      resourceType: "user",
      resourceId: userId,
    });
  }

  /** `POST /api/users/{id}/password-reset`: an admin sends the user a reset link (never a password). */
  async sendReset(userId: string, actor: AuditActor, origin: string): Promise<AccountLinkAnswer> {
    const user = await this.deps.users.findById(userId);
    if (!user || user.isSystem) throw new NotFoundError("User not found");
    if (!user.isActive || !user.organizationActive)
      throw new ConflictError("The user is deactivated: activate them first");
    const answer = await this.mailReset(user, origin, actor.userId ?? null);
    await this.deps.audit.record(actor, {
      action: "user.password_reset_link",
      resourceType: "user",
      resourceId: user.id,
      details: { sent: answer.sent },
    });
    return answer;
  }

  /**
   * `POST /auth/password/forgot`: the same answer whether the account exists or not; rate limited per
   * IP and per account. A link is mailed only to an active account, and only with BIFROST_PUBLIC_URL
   * (a link built from the request's Host header would let anyone point it at their own site).
   */
  async forgot(email: string, meta: RequestMeta): Promise<void> {
    await this.deps.rateLimiter.hit(`reset:ip:${meta.ip}`, this.deps.loginRateLimit);
    await this.deps.rateLimiter.hit(
      `reset:account:${email.toLowerCase()}`,
      RESETS_PER_ACCOUNT_PER_HOUR,
      3600_000,
    );
    const user = await this.deps.users.findByEmail(email);
    if (!user || user.isSystem || !user.isActive || !user.organizationActive) return;
    if (!this.deps.publicUrl || !this.deps.outbox.configured) {
      this.deps.logger.warn(
        "a password reset was asked for, but no link can be mailed: set BIFROST_SMTP_URL and BIFROST_PUBLIC_URL",
      );
      return;
    }
    await this.mailReset(user, this.deps.publicUrl, null);
    await this.deps.audit.record(
      {
        userId: user.id,
        email: user.email,
        ip: meta.ip,
        ...(meta.requestId ? { requestId: meta.requestId } : {}),
      },
      { action: "auth.password_reset_request", resourceType: "user", resourceId: user.id },
    );
  }

  /** `POST /auth/password/reset`: a new password from a reset link; every login of the user ends. */
  async reset(token: string, password: string, meta: RequestMeta): Promise<void> {
    const user = await this.redeem("password_reset", token, password);
    await this.deps.auth.setPasswordFromLink(user.id, password, "password reset");
    await this.deps.tokens.revoke(user.id, "password_reset");
    await this.deps.audit.record(this.userActor(user, meta), {
      action: "auth.password_reset",
      resourceType: "user",
      resourceId: user.id,
    });
  }

  /** `POST /auth/register-from-invite`: the invited person sets a password, then signs in as at login. */
  async registerFromInvite(token: string, password: string, meta: RequestMeta): Promise<LoginResult> {
    const user = await this.redeem("invitation", token, password);
    await this.deps.auth.setPasswordFromLink(user.id, password, "invitation accepted");
    await this.deps.audit.record(this.userActor(user, meta), {
      action: "auth.register_from_invite",
      resourceType: "user",
      resourceId: user.id,
    });
    const fresh = await this.deps.users.findById(user.id);
    if (!fresh) throw new BadRequestError(INVALID_LINK);
    return await this.deps.auth.signIn(fresh, meta);
  }

  /** The user an admin may invite: a person, active, who has not chosen a password yet. */
  private async invitable(userId: string): Promise<UserWithOrganization> {
    const user = await this.deps.users.findById(userId);
    if (!user || user.isSystem) throw new NotFoundError("User not found");
    if (!user.isActive || !user.organizationActive)
      throw new ConflictError("The user is deactivated: activate them first");
    if (user.passwordHash)
      throw new ConflictError("The user has already set a password: send a password reset instead");
    if ((await this.deps.users.withPasswordlessSignIn([user.id])).size > 0)
      throw new ConflictError(
        "The user already signs in with a passkey or single sign-on: send a password reset to add a password",
      );
    return user;
  }

  private async mailReset(
    user: UserWithOrganization,
    origin: string,
    createdBy: string | null,
  ): Promise<AccountLinkAnswer> {
    const { token, expiresAt } = await this.issue("password_reset", user.id, RESET_TTL_MS, createdBy);
    const link = this.linkFor("password_reset", token, origin);
    const sent = await this.deps.outbox.enqueue(user.email, {
      template: "password_reset",
      name: user.name,
      link,
      expiresAt: expiresAt.toISOString(),
    });
    return { sent, link: sent ? null : link, expiresAt: expiresAt.toISOString() };
  }

  private async issue(
    purpose: AccountTokenPurpose,
    userId: string,
    ttlMs: number,
    createdBy: string | null | undefined,
  ): Promise<{ token: string; expiresAt: Date }> {
    const token = randomBytes(32).toString("base64url");
    const expiresAt = new Date(this.deps.clock.now() + ttlMs);
    await this.deps.tokens.replace({
      purpose,
      userId,
      tokenHash: hashOpaqueToken(token),
      expiresAt,
      createdBy: createdBy ?? null,
    });
    return { token, expiresAt };
  }

  /**
   * The user of a usable link, after the new password passed the policy (a refused password does not
   * spend the link); the link is then marked used with a compare-and-set: of two uses, one wins.
   */
  private async redeem(
    purpose: AccountTokenPurpose,
    token: string,
    password: string,
  ): Promise<UserWithOrganization> {
    const row = await this.deps.tokens.findUsable(purpose, hashOpaqueToken(token));
    const user = row ? await this.deps.users.findById(row.userId) : undefined;
    if (!row || !user || user.isSystem || !user.isActive || !user.organizationActive)
      throw new BadRequestError(INVALID_LINK);
    this.deps.auth.checkNewPassword(password, user);
    if (!(await this.deps.tokens.use(row.id))) throw new BadRequestError(INVALID_LINK);
    return user;
  }

  private linkFor(purpose: AccountTokenPurpose, token: string, origin: string): string {
    const base = (this.deps.publicUrl ?? origin).replace(/\/+$/, "");
    return `${base}${PAGES[purpose]}#token=${token}`;
  }

  private userActor(user: UserWithOrganization, meta: RequestMeta): AuditActor {
    return {
      userId: user.id,
      email: user.email,
      organizationId: user.organizationId,
      ip: meta.ip,
      ...(meta.requestId ? { requestId: meta.requestId } : {}),
    };
  }
}
