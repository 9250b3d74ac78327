import { createHash, randomBytes } from "node:crypto";
import type { CreateOAuthProvider, OAuthProvider, UpdateOAuthProvider } from "@bifrost/contracts";
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from "../../errors.js";
import type { Bus } from "../../infra/bus/bus.js";
import type { Clock } from "../../infra/clock.js";
import type { SecretBox } from "../../infra/crypto/secret-box.js";
import type { OAuthProviderRow, OAuthRepository, OAuthTokenRow } from "../../repositories/oauth.js";
import type { OrganizationsRepository } from "../../repositories/organizations.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { AuditActor } from "../../principal.js";
import type { AuthStateCache } from "../auth/auth-state.js";
import { OAUTH_CLIENT_SECRET_PURPOSE, type AccessTokens } from "./access-tokens.js";
import { OAuthGrantError, requestToken } from "./token-endpoint.js";

/** An authorization in progress lives on the bus this long, and is consumed by its callback. */
const STATE_TTL_MS = 10 * 60_000;
const stateKey = (state: string): string => `oauth-state:${state}`;
const usedKey = (state: string): string => `oauth-state-used:${state}`;

type PendingAuthorization = {
  provider: string;
  organizationId: string | null;
  verifier: string;
  redirectUri: string;
  /** The login that started it, which must still stand at the callback. */
  userId: string;
  sessionId: string;
  /** SHA-256 of the secret the starting browser holds in a cookie (OAUTH_BINDING_COOKIE). */
  bindingHash: string;
};

/** The cookie that binds an authorization to the browser that started it (path: its callback). */
export const OAUTH_BINDING_COOKIE = "bifrost_oauth_binding";

const hashOf = (secret: string): string => createHash("sha256").update(secret).digest("base64url");

const toConnection = (row: OAuthTokenRow): OAuthProvider["connections"][number] => ({
  organizationId: row.organizationId,
  status: row.status,
  expiresAt: row.expiresAt?.toISOString() ?? null,
  scopes: row.scopes,
  lastError: row.lastError,
  updatedAt: row.updatedAt.toISOString(),
});

/**
 * OAuth connections (provider configs) for platform admins, and the authorization-code flow with
 * PKCE (S256): `authorize` parks the state on the bus, the public callback consumes it once and
 * stores the tokens sealed. The client secret and tokens never leave the API, except an access
 * token towards a run (AccessTokens).
 */
export class OAuthService {
  constructor(
    private readonly deps: {
      oauth: OAuthRepository;
      organizations: OrganizationsRepository;
      tokens: AccessTokens;
      secretBox: SecretBox;
      bus: Bus;
      clock: Clock;
      audit: AuditLog;
      authState: AuthStateCache;
      /**
       * The API's public origin (`BIFROST_PUBLIC_URL`): the redirect URI is
       * `${publicUrl}/api/oauth/callback/{name}`; unset, the origin the browser used for the request.
       */
      publicUrl?: string | undefined;
    },
  ) {}

  private async view(row: OAuthProviderRow): Promise<OAuthProvider> {
    return {
      id: row.id,
      name: row.name,
      flow: row.flow,
      clientId: row.clientId,
      hasClientSecret: row.clientSecretSealed !== null,
      authorizeUrl: row.authorizeUrl,
      tokenUrl: row.tokenUrl,
      scopes: row.scopes,
      audience: row.audience,
      extraTokenParams: row.extraTokenParams,
      connections: (await this.deps.oauth.tokensOf(row.id)).map(toConnection),
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  }

  async provider(name: string): Promise<OAuthProviderRow> {
    const row = await this.deps.oauth.findProvider(name);
    if (!row) throw new NotFoundError("OAuth connection not found");
    return row;
  }

  async list(): Promise<OAuthProvider[]> {
    return await Promise.all((await this.deps.oauth.listProviders()).map((row) => this.view(row)));
  }

  async get(name: string): Promise<OAuthProvider> {
    return await this.view(await this.provider(name));
  }

  async create(input: CreateOAuthProvider, actor: AuditActor): Promise<OAuthProvider> {
    if (input.flow === "authorization_code" && !input.authorizeUrl) {
      throw new ValidationError("An authorization_code connection needs an authorize URL", [
        { path: "body.authorizeUrl", message: "is required for authorization_code" },
      ]);
    }
    const row = await this.deps.oauth.insertProvider({
      name: input.name,
      flow: input.flow,
      clientId: input.clientId,
      clientSecretSealed: input.clientSecret ? this.sealSecret(input.clientSecret) : null,
      authorizeUrl: input.authorizeUrl ?? null,
      tokenUrl: input.tokenUrl,
      scopes: input.scopes,
      audience: input.audience ?? null,
      extraTokenParams: input.extraTokenParams,
    });
    if (!row) throw new ConflictError(`The OAuth connection ${input.name} already exists`);
    await this.record(actor, "oauth_connection.create", row);
    return await this.view(row);
  }

  async update(name: string, patch: UpdateOAuthProvider, actor: AuditActor): Promise<OAuthProvider> {
    const existing = await this.provider(name);
    const { clientSecret, ...rest } = patch;
    const fields = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
    const row = await this.deps.oauth.updateProvider(existing.id, {
      ...fields,
      ...(clientSecret === undefined
        ? {}
        : { clientSecretSealed: clientSecret ? this.sealSecret(clientSecret) : null }),
    });
    if (!row) throw new NotFoundError("OAuth connection not found");
    await this.record(actor, "oauth_connection.update", row, { secretChanged: clientSecret !== undefined });
    return await this.view(row);
  }

  async remove(name: string, actor: AuditActor): Promise<void> {
    const existing = await this.provider(name);
    if (!(await this.deps.oauth.deleteProvider(existing.id)))
      throw new NotFoundError("OAuth connection not found");
    await this.record(actor, "oauth_connection.delete", existing);
  }

  /**
   * The provider's authorize URL for a browser, with a single-use state and a PKCE challenge; and
   * the binding secret the caller's browser keeps in a cookie: only that browser, while the login
   * that started it stands, can finish the authorization (anyone else holding the URL cannot).
   */
  async authorize(
    name: string,
    organizationId: string | null,
    actor: AuditActor,
    requestOrigin: string,
    initiator: { userId: string; sessionId: string },
  ): Promise<{ url: string; binding: string }> {
    const provider = await this.provider(name);
    if (provider.flow !== "authorization_code" || !provider.authorizeUrl) {
      throw new BadRequestError(
        `The OAuth connection ${name} uses ${provider.flow}: no browser authorization`,
      );
    }
    if (organizationId !== null && !(await this.deps.organizations.find(organizationId))) {
      throw new ValidationError("Unknown organization", [
        { path: "body.organizationId", message: "no such organization" },
      ]);
    }
    const state = randomBytes(24).toString("base64url");
    const verifier = randomBytes(32).toString("base64url");
    const origin = (this.deps.publicUrl ?? requestOrigin).replace(/\/+$/, "");
    const redirectUri = `${origin}/api/oauth/callback/${encodeURIComponent(name)}`;
    const binding = randomBytes(24).toString("base64url");
    const pending: PendingAuthorization = {
      provider: name,
      organizationId,
      verifier,
      redirectUri,
      userId: initiator.userId,
      sessionId: initiator.sessionId,
      bindingHash: hashOf(binding),
    };
    await this.deps.bus.set(stateKey(state), JSON.stringify(pending), { ttlMs: STATE_TTL_MS });
    const url = new URL(provider.authorizeUrl);
    url.searchParams.set("response_type", "code");
    url.searchParams.set("client_id", provider.clientId);
    url.searchParams.set("redirect_uri", redirectUri);
    url.searchParams.set("state", state);
    url.searchParams.set("code_challenge", createHash("sha256").update(verifier).digest("base64url"));
    url.searchParams.set("code_challenge_method", "S256");
    if (provider.scopes.length) url.searchParams.set("scope", provider.scopes.join(" "));
    if (provider.audience) url.searchParams.set("audience", provider.audience);
    await this.record(actor, "oauth_connection.authorize", provider, { organizationId });
    return { url: url.toString(), binding };
  }

  /** The provider sent the browser back: the state is consumed (once) and the code exchanged. */
  async callback(
    name: string,
    query: { code?: string | undefined; state?: string | undefined; error?: string | undefined },
    actor: AuditActor,
    binding: string | undefined,
  ): Promise<OAuthTokenRow> {
    if (!query.state) throw new BadRequestError("The callback has no state");
    // Checked before the state is consumed: a stranger's attempt leaves it to its owner.
    await this.checkBinding(query.state, binding);
    const pending = await this.consumeState(query.state);
    if (pending.provider !== name) throw new BadRequestError("The state belongs to another OAuth connection");
    if (query.error) throw new BadRequestError(`The provider refused the authorization: ${query.error}`);
    if (!query.code) throw new BadRequestError("The callback has no code");
    const provider = await this.provider(name);
    try {
      const grant = await requestToken(
        this.deps.tokens.outbound,
        provider.tokenUrl,
        {
          ...provider.extraTokenParams,
          grant_type: "authorization_code",
          code: query.code,
          redirect_uri: pending.redirectUri,
          code_verifier: pending.verifier,
          ...this.deps.tokens.clientParams(provider),
        },
        this.deps.clock.now(),
      );
      const row = await this.deps.tokens.saveGrant(provider, pending.organizationId, grant);
      await this.record(actor, "oauth_connection.connect", provider, {
        organizationId: pending.organizationId,
      });
      return row;
    } catch (error) {
      if (error instanceof OAuthGrantError)
        throw new BadRequestError(`The code exchange failed: ${error.message}`);
      throw error;
    }
  }

  private async checkBinding(state: string, binding: string | undefined): Promise<void> {
    const stored = await this.deps.bus.get(stateKey(state));
    if (stored === null) return; // consumeState says why
    const pending = JSON.parse(stored) as PendingAuthorization;
    if (binding === undefined || hashOf(binding) !== pending.bindingHash)
      throw new ForbiddenError(
        "This authorization was started in another browser: start it again from Bifrost, in this one",
      );
    if (!(await this.deps.authState.current(pending.userId, pending.sessionId)))
      throw new ForbiddenError(
        "The login that started this authorization has ended: sign in and start again",
      );
  }

  /** Single use: a marker set-if-absent decides which of two concurrent callbacks wins. */
  private async consumeState(state: string): Promise<PendingAuthorization> {
    const stored = await this.deps.bus.get(stateKey(state));
    if (stored === null) {
      const used = (await this.deps.bus.get(usedKey(state))) !== null;
      throw new BadRequestError(
        used
          ? "This authorization was already used: start again"
          : "Unknown or expired OAuth state: start again",
      );
    }
    if (!(await this.deps.bus.set(usedKey(state), "1", { ttlMs: STATE_TTL_MS, onlyIfAbsent: true }))) {
      throw new BadRequestError("This authorization was already used: start again");
    }
    await this.deps.bus.delete(stateKey(state));
    return JSON.parse(stored) as PendingAuthorization;
  }

  private sealSecret(secret: string): string {
    return this.deps.secretBox.seal(secret, OAUTH_CLIENT_SECRET_PURPOSE);
  }

  private async record(
    actor: AuditActor,
    action: string,
    row: OAuthProviderRow,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    await this.deps.audit.record(actor, {
      action,
      resourceType: "oauth_connection",
      resourceId: row.id,
      details: { name: row.name, flow: row.flow, ...details },
    });
  }
}
