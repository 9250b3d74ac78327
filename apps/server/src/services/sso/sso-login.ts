import { timingSafeEqual } from "node:crypto";
import type { LoginResult } from "@bifrost/contracts";
import type { JWTPayload } from "jose";
import { NotFoundError } from "../../errors.js";
import type { Bus } from "../../infra/bus/bus.js";
import type { Clock } from "../../infra/clock.js";
import type { SecretBox } from "../../infra/crypto/secret-box.js";
import type { OrganizationRow, OrganizationsRepository } from "../../repositories/organizations.js";
import type { SsoProviderRow, SsoRepository } from "../../repositories/sso.js";
import type { UsersRepository, UserWithOrganization } from "../../repositories/users.js";
import { requestActor } from "../../principal.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { AuthService, RequestMeta } from "../auth/auth-service.js";
import type { RateLimiter } from "../auth/rate-limiter.js";
import { hashOpaqueToken } from "../auth/tokens.js";
import { type OidcRelyingParty, randomToken, SsoRefusal } from "./oidc-relying-party.js";

export const SSO_SECRET_PURPOSE = "sso-client-secret";
/** How long a started sign-in waits for the provider to send the browser back. */
const FLOW_TTL_MS = 10 * 60_000;
const flowKey = (browserKey: string): string => `sso-flow:${hashOpaqueToken(browserKey)}`;

type Flow = {
  provider: string;
  state: string;
  nonce: string;
  codeVerifier: string;
  next: string;
  redirectUri: string;
};

export type SsoCallback = {
  state?: string | undefined;
  code?: string | undefined;
  error?: string | undefined;
};
export type SsoOutcome = { result: LoginResult; next: string };

const equalStrings = (a: string, b: string): boolean => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Single sign-on through an OpenID Connect provider. `start` keeps the flow (state, nonce, PKCE
 * verifier, where to go next) in the bus under a random key that only this browser's cookie holds;
 * `finish` takes it once, checks the state, exchanges the code, checks the ID token and finds the
 * account: an identity linked before; else an account of the organization bound to the provider's
 * verified identity (Entra: its tenant `tid`, with the object id `oid`; Google: its Workspace domain
 * `hd`; others: the domain of a verified e-mail), linked now; else a new account provisioned there —
 * never a platform admin, and into the provider organization only with `provisionIntoProvider`.
 * Anything else is refused, with an audit entry.
 */
export class SsoLogin {
  constructor(
    private readonly deps: {
      sso: SsoRepository;
      organizations: OrganizationsRepository;
      users: UsersRepository;
      rp: OidcRelyingParty;
      secretBox: SecretBox;
      bus: Bus;
      auth: AuthService;
      audit: AuditLog;
      rateLimiter: RateLimiter;
      clock: Clock;
      loginRateLimit: number;
      /** BIFROST_PUBLIC_URL: where providers send the browser back; unset, the request's origin. */
      publicUrl: string | undefined;
    },
  ) {}

  redirectUri(origin: string): string {
    return `${(this.deps.publicUrl ?? origin).replace(/\/+$/, "")}/auth/oauth/callback`;
  }

  /** Answers where to send the browser and the key its cookie must hold until it comes back. */
  async start(
    name: string,
    next: string,
    meta: RequestMeta,
    origin: string,
  ): Promise<{ location: string; browserKey: string }> {
    await this.deps.rateLimiter.hit(`sso-start:ip:${meta.ip}`, this.deps.loginRateLimit);
    const provider = await this.deps.sso.findProvider(name);
    if (!provider) throw new NotFoundError("No such sign-in provider");
    const browserKey = randomToken();
    const flow: Flow = {
      provider: name,
      state: randomToken(),
      nonce: randomToken(),
      codeVerifier: randomToken(),
      next,
      redirectUri: this.redirectUri(origin),
    };
    const location = await this.deps.rp.authorizationUrl(this.relyingPartyProvider(provider), flow);
    await this.deps.bus.set(flowKey(browserKey), JSON.stringify(flow), { ttlMs: FLOW_TTL_MS });
    return { location, browserKey };
  }

  /** The provider sent the browser back: a login (or its MFA step), or an SsoRefusal. */
  async finish(query: SsoCallback, browserKey: string | undefined, meta: RequestMeta): Promise<SsoOutcome> {
    let provider: string | undefined;
    try {
      await this.deps.rateLimiter.hit(`sso-finish:ip:${meta.ip}`, this.deps.loginRateLimit);
      const flow = await this.takeFlow(browserKey);
      provider = flow.provider;
      if (!query.state || !equalStrings(query.state, flow.state))
        throw new SsoRefusal("state", "The sign-in's state does not match this browser's");
      if (query.error)
        throw new SsoRefusal("provider", `The provider refused the sign-in (${query.error.slice(0, 100)})`);
      if (!query.code) throw new SsoRefusal("code", "The provider sent no sign-in code");
      const row = await this.deps.sso.findProvider(flow.provider);
      if (!row) throw new SsoRefusal("provider", "The sign-in provider was removed");
      const claims = await this.deps.rp.signIn(this.relyingPartyProvider(row), {
        code: query.code,
        redirectUri: flow.redirectUri,
        codeVerifier: flow.codeVerifier,
        nonce: flow.nonce,
      });
      const user = await this.accountFor(row, claims, meta);
      const mfaAsserted = Array.isArray(claims.amr) && claims.amr.includes("mfa");
      const result = await this.deps.auth.ssoSignIn(
        user,
        meta,
        `sso:${row.name}`,
        row.requireMfa && !mfaAsserted,
      );
      return { result, next: flow.next };
    } catch (error) {
      if (error instanceof SsoRefusal)
        await this.audit(meta, undefined, {
          outcome: "failure",
          details: { provider: provider ?? null, reason: error.reason, message: error.message },
        });
      throw error;
    }
  }

  /** The flow this browser started, taken once: a replayed callback finds nothing. */
  private async takeFlow(browserKey: string | undefined): Promise<Flow> {
    const key = browserKey && browserKey.length <= 128 ? flowKey(browserKey) : undefined;
    const stored = key ? await this.deps.bus.get(key) : null;
    if (!key || stored === null)
      throw new SsoRefusal("state", "This sign-in was not started in this browser, or has expired");
    await this.deps.bus.delete(key);
    return JSON.parse(stored) as Flow;
  }

  private async accountFor(
    provider: SsoProviderRow,
    claims: JWTPayload,
    meta: RequestMeta,
  ): Promise<UserWithOrganization> {
    const identity = this.identityOf(provider, claims);
    const linked = await this.deps.sso.findIdentity(provider.name, identity.subject);
    if (linked) {
      const user = await this.deps.users.findById(linked.userId);
      this.assertCanSignIn(user);
      await this.deps.sso.touchIdentity(linked.id, new Date(this.deps.clock.now()), identity.email);
      return user;
    }
    const organization = await this.boundOrganization(provider, claims, identity);
    if (!organization)
      throw new SsoRefusal("no_organization", "No organization is bound to this account's tenant or domain");
    if (organization.isProvider && !provider.provisionIntoProvider)
      throw new SsoRefusal(
        "provider_organization",
        "This provider does not sign people into the provider organization",
      );
    if (!identity.email) throw new SsoRefusal("email", "The provider gave no e-mail address");
    const existing = await this.deps.users.findByEmail(identity.email);
    let user: UserWithOrganization | undefined;
    if (existing) {
      // The e-mail alone never links (Entra's is not verified): the account must be of the bound organization.
      if (existing.organizationId !== organization.id)
        throw new SsoRefusal(
          "account_mismatch",
          "An account with this e-mail belongs to another organization",
        );
      user = existing;
    } else {
      const created = await this.deps.users.insert({
        email: identity.email,
        name: identity.name ?? identity.email,
        organizationId: organization.id,
        isSuperuser: false,
      });
      user = await this.deps.users.findById(created.id);
      await this.audit(meta, user, {
        action: "user.provision",
        details: { provider: provider.name, organizationId: organization.id },
      });
    }
    this.assertCanSignIn(user);
    const link = await this.deps.sso.link({
      userId: user.id,
      provider: provider.name,
      subject: identity.subject,
      tenantId: identity.tenantId,
      email: identity.email,
    });
    if (!link)
      throw new SsoRefusal("identity_taken", "This identity was linked to another account meanwhile");
    return user;
  }

  private identityOf(
    provider: SsoProviderRow,
    claims: JWTPayload,
  ): {
    subject: string;
    tenantId: string | null;
    email: string | null;
    emailVerified: boolean;
    name: string | null;
  } {
    const text = (value: unknown): string | null =>
      typeof value === "string" && value.trim() !== "" ? value.trim() : null;
    const name = text(claims.name);
    if (provider.kind === "entra") {
      const tenantId = text(claims.tid)?.toLowerCase() ?? null;
      const objectId = text(claims.oid)?.toLowerCase() ?? null;
      if (!tenantId || !GUID.test(tenantId) || !objectId)
        throw new SsoRefusal("claims", "The Entra ID token has no tenant (tid) or object id (oid)");
      const email = (text(claims.email) ?? text(claims.preferred_username))?.toLowerCase() ?? null;
      return { subject: `${tenantId}:${objectId}`, tenantId, email, emailVerified: false, name };
    }
    const subject = text(claims.sub);
    if (!subject) throw new SsoRefusal("claims", "The ID token has no subject");
    return {
      subject,
      tenantId: null,
      email: text(claims.email)?.toLowerCase() ?? null,
      emailVerified: claims.email_verified === true,
      name,
    };
  }

  /** Entra: the organization of its tenant. Google: of its Workspace domain. Others: of the verified e-mail's domain. */
  private async boundOrganization(
    provider: SsoProviderRow,
    claims: JWTPayload,
    identity: { tenantId: string | null; email: string | null; emailVerified: boolean },
  ): Promise<OrganizationRow | undefined> {
    if (provider.kind === "entra")
      return identity.tenantId ? this.deps.organizations.findByTenantId(identity.tenantId) : undefined;
    if (!identity.email || !identity.emailVerified)
      throw new SsoRefusal("email_unverified", "The provider did not verify this account's e-mail address");
    const domain =
      provider.kind === "google"
        ? typeof claims.hd === "string"
          ? claims.hd
          : undefined
        : identity.email.split("@").at(-1);
    return domain ? this.deps.organizations.findByDomain(domain) : undefined;
  }

  private assertCanSignIn(user: UserWithOrganization | undefined): asserts user is UserWithOrganization {
    if (!user || user.isSystem || !user.isActive || !user.organizationActive)
      throw new SsoRefusal("inactive", "This account cannot sign in");
  }

  private relyingPartyProvider(row: SsoProviderRow) {
    return {
      kind: row.kind,
      issuer: row.issuer,
      clientId: row.clientId,
      clientSecret: row.clientSecretSealed
        ? this.deps.secretBox.open(row.clientSecretSealed, SSO_SECRET_PURPOSE)
        : null,
    };
  }

  private audit(
    meta: RequestMeta,
    user: { id: string; email?: string; organizationId?: string } | undefined,
    event: { action?: string; outcome?: "failure"; details: Record<string, unknown> },
  ): Promise<void> {
    return this.deps.audit.record(requestActor(meta, user), {
      action: event.action ?? "auth.sso",
      resourceType: "user",
      resourceId: user?.id,
      ...(event.outcome ? { outcome: event.outcome } : {}),
      details: event.details,
    });
  }
}
