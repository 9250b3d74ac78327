import { randomUUID } from "node:crypto";
import type { PasskeyAssertion, PasskeyRegistration, TokenPair } from "@bifrost/contracts";
import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from "@simplewebauthn/server";
import { PROVIDER_ORGANIZATION_ID } from "../../db/schema/index.js";
import { BadRequestError, ConflictError, UnauthorizedError } from "../../errors.js";
import type { Clock } from "../../infra/clock.js";
import { requestActor } from "../../principal.js";
import type { AccountTokensRepository } from "../../repositories/account-tokens.js";
import { PasskeysRepository } from "../../repositories/passkeys.js";
import type { UsersRepository, UserWithOrganization } from "../../repositories/users.js";
import type { AuditEvent, AuditLog } from "../audit/audit-log.js";
import type { AuthService, RequestMeta } from "../auth/auth-service.js";
import type { RateLimiter } from "../auth/rate-limiter.js";
import { hashOpaqueToken } from "../auth/tokens.js";
import type { PasskeyCeremonies } from "./ceremonies.js";
import { DEFAULT_PASSKEY_NAME } from "./passkeys-service.js";

const SIGN_IN_REFUSED = "This passkey did not sign you in";
const EXPIRED = "This passkey request is unknown, used or expired: start again";
/** The same words as the password path (AccountLinks): a link is valid, or it is not. */
const INVALID_LINK = "This link is not valid: it was used, revoked or has expired";

/**
 * Signing in with a passkey, and the two ways to get one without a password: first-run setup and an
 * invitation. A passkey sign-in is the whole login — the authenticator proved possession and
 * verified its user (PIN or biometrics) — so it never asks for the TOTP code, even where MFA is
 * required. It is allowed for organizations that sign in only through SSO (`ssoOnly` refuses
 * passwords, which can be phished; a passkey cannot be replayed to another site). Deactivated users
 * and organizations are refused; every refusal is in the audit log.
 */
export class PasskeySignIn {
  constructor(
    private readonly deps: {
      passkeys: PasskeysRepository;
      users: UsersRepository;
      accountTokens: AccountTokensRepository;
      ceremonies: PasskeyCeremonies;
      auth: Pick<AuthService, "approvedLogin">;
      audit: AuditLog;
      rateLimiter: RateLimiter;
      clock: Clock;
      loginRateLimit: number;
    },
  ) {}

  async authenticationOptions(
    origin: string,
    meta: RequestMeta,
  ): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const rp = this.deps.ceremonies.relyingParty(origin);
    await this.deps.rateLimiter.hit(`passkey-options:ip:${meta.ip}`, this.deps.loginRateLimit);
    return this.deps.ceremonies.authenticationOptions(rp);
  }

  async authenticate(assertion: PasskeyAssertion, origin: string, meta: RequestMeta): Promise<TokenPair> {
    const rp = this.deps.ceremonies.relyingParty(origin);
    await this.deps.rateLimiter.hit(`passkey-login:ip:${meta.ip}`, this.deps.loginRateLimit);
    const ceremony = await this.deps.ceremonies.take(assertion.response.clientDataJSON, "authenticate");
    if (!ceremony) {
      await this.refused(meta, undefined, "unknown challenge");
      throw new UnauthorizedError(EXPIRED);
    }
    const passkey = await this.deps.passkeys.findByCredentialId(assertion.id);
    if (!passkey) {
      await this.refused(meta, undefined, "unknown passkey", { credentialId: assertion.id.slice(0, 100) });
      throw new UnauthorizedError("This passkey is not registered on this platform");
    }
    const user = await this.deps.users.findById(passkey.userId);
    const handle = assertion.response.userHandle;
    const handleOk = !handle || Buffer.from(handle, "base64url").toString("utf8") === passkey.userId;
    const checked = await this.deps.ceremonies.verifyAssertion(rp, ceremony.challenge, assertion, passkey);
    if (!user || !handleOk || !checked.ok) {
      await this.refused(meta, user, checked.ok ? "user handle mismatch" : checked.reason, {
        passkeyId: passkey.id,
      });
      throw new UnauthorizedError(SIGN_IN_REFUSED);
    }
    // A lower (or equal) counter than the last one stored means a cloned authenticator.
    const now = new Date(this.deps.clock.now());
    if (!(await this.deps.passkeys.recordUse(passkey.id, checked.counter, checked.backedUp, now))) {
      await this.refused(meta, user, "counter did not move forward", { passkeyId: passkey.id });
      throw new UnauthorizedError(SIGN_IN_REFUSED);
    }
    if (user.isSystem || !user.isActive || !user.organizationActive) {
      await this.refused(meta, user, "inactive", { passkeyId: passkey.id });
      throw new UnauthorizedError("This account is deactivated");
    }
    return this.tokensFor(user, meta, "passkey");
  }

  /** First-run setup without a password: options for the first platform admin's passkey; 409 once set up. */
  async setupOptions(
    input: { email: string; name: string },
    origin: string,
    meta: RequestMeta,
  ): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const rp = this.deps.ceremonies.relyingParty(origin);
    await this.deps.rateLimiter.hit(`setup:ip:${meta.ip}`, this.deps.loginRateLimit);
    if ((await this.deps.users.countHumans()) > 0) throw new ConflictError("Bifrost is already set up");
    // The user's id is chosen now: the authenticator stores it as the credential's user handle.
    const user = { id: randomUUID(), email: input.email, name: input.name };
    return this.deps.ceremonies.registrationOptions(rp, user, [], {
      flow: "setup",
      userId: user.id,
      ...input,
    });
  }

  /**
   * Creates the first platform admin with this passkey and no password — the user and the passkey
   * in one transaction, under the same lock as `POST /auth/setup` — and signs them in.
   */
  async setup(
    input: { email: string; name: string; credential: PasskeyRegistration },
    origin: string,
    meta: RequestMeta,
  ): Promise<TokenPair> {
    const rp = this.deps.ceremonies.relyingParty(origin);
    await this.deps.rateLimiter.hit(`setup:ip:${meta.ip}`, this.deps.loginRateLimit);
    const ceremony = await this.deps.ceremonies.take(input.credential.response.clientDataJSON, "setup");
    if (!ceremony) throw new BadRequestError(EXPIRED);
    if (ceremony.email.toLowerCase() !== input.email.toLowerCase() || ceremony.name !== input.name)
      throw new BadRequestError(
        "The e-mail and name differ from the ones the passkey was made for: start again",
      );
    const verified = await this.deps.ceremonies.verifyRegistration(rp, ceremony.challenge, input.credential);
    const created = await this.deps.users.insertFirstUser(
      {
        id: ceremony.userId,
        email: ceremony.email,
        name: ceremony.name,
        passwordHash: null,
        organizationId: PROVIDER_ORGANIZATION_ID,
        isSuperuser: true,
      },
      async (tx, user) => {
        await new PasskeysRepository(tx).insert({ ...verified, userId: user.id, name: DEFAULT_PASSKEY_NAME });
      },
    );
    if (!created) throw new ConflictError("Bifrost is already set up");
    const user = await this.deps.users.findById(created.id);
    if (!user) throw new ConflictError("Bifrost is already set up");
    await this.record(meta, user, {
      action: "auth.setup",
      resourceType: "user",
      resourceId: user.id,
      details: { method: "passkey" },
    });
    return this.tokensFor(user, meta, "passkey (setup)");
  }

  /** Options for the passkey of an invited user; the link is checked, not spent. */
  async invitationOptions(
    token: string,
    origin: string,
    meta: RequestMeta,
  ): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const rp = this.deps.ceremonies.relyingParty(origin);
    await this.deps.rateLimiter.hit(`invite-passkey:ip:${meta.ip}`, this.deps.loginRateLimit);
    const tokenHash = hashOpaqueToken(token);
    const { user } = await this.invitation(tokenHash);
    return this.deps.ceremonies.registrationOptions(rp, user, await this.deps.passkeys.listOf(user.id), {
      flow: "invitation",
      userId: user.id,
      tokenHash,
    });
  }

  /**
   * Accepts an invitation with a passkey instead of a password: the link is spent (compare-and-set,
   * as the password path) only once the credential is verified, then the user is signed in.
   */
  async acceptInvitation(
    input: { token: string; credential: PasskeyRegistration },
    origin: string,
    meta: RequestMeta,
  ): Promise<TokenPair> {
    const rp = this.deps.ceremonies.relyingParty(origin);
    await this.deps.rateLimiter.hit(`invite-passkey:ip:${meta.ip}`, this.deps.loginRateLimit);
    const tokenHash = hashOpaqueToken(input.token);
    const ceremony = await this.deps.ceremonies.take(input.credential.response.clientDataJSON, "invitation");
    if (!ceremony || ceremony.tokenHash !== tokenHash) throw new BadRequestError(EXPIRED);
    const { row, user } = await this.invitation(tokenHash);
    if (user.id !== ceremony.userId) throw new BadRequestError(INVALID_LINK);
    const verified = await this.deps.ceremonies.verifyRegistration(rp, ceremony.challenge, input.credential);
    if (!(await this.deps.accountTokens.use(row.id))) throw new BadRequestError(INVALID_LINK);
    const passkey = await this.deps.passkeys.insert({
      ...verified,
      userId: user.id,
      name: DEFAULT_PASSKEY_NAME,
    });
    await this.record(meta, user, {
      action: "auth.register_from_invite",
      resourceType: "user",
      resourceId: user.id,
      details: { method: "passkey", passkeyId: passkey.id },
    });
    return this.tokensFor(user, meta, "passkey (invitation)");
  }

  /** The usable invitation with this hash and its (active) user; 400 otherwise. */
  private async invitation(tokenHash: string) {
    const row = await this.deps.accountTokens.findUsable("invitation", tokenHash);
    const user = row ? await this.deps.users.findById(row.userId) : undefined;
    if (!row || !user || user.isSystem || !user.isActive || !user.organizationActive)
      throw new BadRequestError(INVALID_LINK);
    return { row, user };
  }

  private async tokensFor(user: UserWithOrganization, meta: RequestMeta, method: string): Promise<TokenPair> {
    const tokens = await this.deps.auth.approvedLogin(user.id, meta, method);
    if (!tokens) throw new UnauthorizedError("This account is deactivated");
    return tokens;
  }

  private refused(
    meta: RequestMeta,
    user: UserWithOrganization | undefined,
    reason: string,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    return this.record(meta, user, {
      action: "auth.login",
      resourceType: "user",
      resourceId: user?.id,
      outcome: "failure",
      details: { method: "passkey", reason, ...extra },
    });
  }

  private record(
    meta: RequestMeta,
    user: UserWithOrganization | undefined,
    event: AuditEvent,
  ): Promise<void> {
    return this.deps.audit.record(requestActor(meta, user), event);
  }
}
