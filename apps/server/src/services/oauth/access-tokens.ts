import { setTimeout as sleep } from "node:timers/promises";
import { ConflictError, UnavailableError } from "../../errors.js";
import type { Bus } from "../../infra/bus/bus.js";
import type { Clock } from "../../infra/clock.js";
import type { SecretBox } from "../../infra/crypto/secret-box.js";
import type { OAuthProviderRow, OAuthRepository, OAuthTokenRow } from "../../repositories/oauth.js";
import { OutboundClient } from "../../infra/net/outbound.js";
import { OAuthGrantError, requestToken, type TokenGrant } from "./token-endpoint.js";

/** SecretBox purposes: each kind of sealed value has its own derived key. */
export const OAUTH_CLIENT_SECRET_PURPOSE = "oauth-client-secret";
export const OAUTH_TOKEN_PURPOSE = "oauth-token";

/** A token expiring within this margin is refreshed before it is handed to a run. */
const REFRESH_MARGIN_MS = 5 * 60_000;
/** The refresh lock outlives a slow token endpoint (15 s timeout) with room to spare. */
const LOCK_TTL_MS = 30_000;
const WAIT_LIMIT_MS = 35_000;
const POLL_MS = 50;

export type AccessToken = { accessToken: string; expiresAt: Date | null; scopes: string[] };

/**
 * Hands out access tokens, refreshing them on demand. A refresh is single-flight across every API
 * process: one bus lock per (provider, organization); whoever holds it calls the token endpoint,
 * the others poll the row until the lock is free and read the holder's result. Twenty runs reading
 * an expired token therefore cause one refresh call, and a refresh token that providers rotate on
 * use is never spent twice.
 */
export class AccessTokens {
  /** Token URLs are called through the platform's outbound client (infra/net/outbound.ts). */
  readonly outbound: OutboundClient;

  constructor(
    private readonly deps: {
      oauth: OAuthRepository;
      secretBox: SecretBox;
      bus: Bus;
      clock: Clock;
      /** Default: one with the default policies (no BIFROST_OUTBOUND_DENY). */
      outbound?: OutboundClient;
    },
  ) {
    this.outbound = deps.outbound ?? new OutboundClient();
  }

  seal(value: string): string {
    return this.deps.secretBox.seal(value, OAUTH_TOKEN_PURPOSE);
  }

  /** The form parameters that authenticate the client (client_secret_post). */
  clientParams(provider: OAuthProviderRow): Record<string, string> {
    const secret = provider.clientSecretSealed
      ? this.deps.secretBox.open(provider.clientSecretSealed, OAUTH_CLIENT_SECRET_PURPOSE)
      : undefined;
    return { client_id: provider.clientId, ...(secret ? { client_secret: secret } : {}) };
  }

  /** Stores a grant sealed; a grant without a refresh token keeps the previous one. */
  async saveGrant(
    provider: OAuthProviderRow,
    organizationId: string | null,
    grant: TokenGrant,
    previous?: OAuthTokenRow,
  ): Promise<OAuthTokenRow> {
    return await this.deps.oauth.saveToken(provider.id, organizationId, {
      accessTokenSealed: this.seal(grant.accessToken),
      refreshTokenSealed: grant.refreshToken
        ? this.seal(grant.refreshToken)
        : (previous?.refreshTokenSealed ?? null),
      expiresAt: grant.expiresAt,
      scopes: grant.scopes ?? previous?.scopes ?? provider.scopes,
      status: "connected",
      lastError: null,
    });
  }

  /**
   * A usable token of the provider for the organization (its own, else the global one; a
   * client_credentials provider has one global token, obtained on demand).
   */
  async tokenFor(provider: OAuthProviderRow, organizationId: string | null): Promise<AccessToken> {
    let scope: string | null = null;
    if (provider.flow === "authorization_code" && organizationId !== null) {
      const own = await this.deps.oauth.findToken(provider.id, organizationId);
      scope = own ? organizationId : null;
    }
    const row = await this.usableRow(provider, scope);
    return {
      accessToken: this.deps.secretBox.open(row.accessTokenSealed ?? "", OAUTH_TOKEN_PURPOSE),
      expiresAt: row.expiresAt,
      scopes: row.scopes,
    };
  }

  /**
   * The maintenance job's pass: refreshes, one at a time and through the same single-flight lock as
   * runs, every connected token that expires within `marginMs`, so runs rarely wait for a refresh.
   * Answers how many were refreshed and how many failed (each failure is recorded on its row).
   */
  async refreshExpiring(marginMs: number): Promise<{ refreshed: number; failed: number }> {
    let refreshed = 0;
    let failed = 0;
    const deadline = this.deps.clock.now() + marginMs;
    for (const provider of await this.deps.oauth.listProviders()) {
      for (const token of await this.deps.oauth.tokensOf(provider.id)) {
        if (token.status !== "connected" || token.expiresAt === null) continue;
        if (token.expiresAt.getTime() > deadline) continue;
        try {
          await this.usableRow(provider, token.organizationId, marginMs);
          refreshed += 1;
        } catch {
          failed += 1;
        }
      }
    }
    return { refreshed, failed };
  }

  private usable(row: OAuthTokenRow | undefined, marginMs = REFRESH_MARGIN_MS): row is OAuthTokenRow {
    if (!row?.accessTokenSealed || row.status === "expired") return false;
    return row.expiresAt === null || row.expiresAt.getTime() - this.deps.clock.now() > marginMs;
  }

  private async usableRow(
    provider: OAuthProviderRow,
    organizationId: string | null,
    marginMs = REFRESH_MARGIN_MS,
  ): Promise<OAuthTokenRow> {
    const started = this.deps.clock.now();
    const lockName = `oauth-refresh:${provider.id}:${organizationId ?? "global"}`;
    let waited = false;
    for (;;) {
      const row = await this.deps.oauth.findToken(provider.id, organizationId);
      if (this.usable(row, marginMs)) return row;
      this.refuseUnusable(provider, row, waited ? started : undefined);
      const lock = await this.deps.bus.acquireLock(lockName, LOCK_TTL_MS);
      if (lock) {
        try {
          // Re-read under the lock: the previous holder may have refreshed it just now.
          const current = await this.deps.oauth.findToken(provider.id, organizationId);
          if (this.usable(current, marginMs)) return current;
          this.refuseUnusable(provider, current, waited ? started : undefined);
          return await this.renew(provider, organizationId, current);
        } finally {
          await lock.release();
        }
      }
      if (this.deps.clock.now() - started > WAIT_LIMIT_MS) {
        throw new UnavailableError(
          "oauth",
          `The refresh of the OAuth connection "${provider.name}" takes too long`,
        );
      }
      waited = true;
      await sleep(POLL_MS);
    }
  }

  /**
   * Throws when waiting or refreshing cannot help: no token at all (authorization_code), a
   * connection marked expired, or (after waiting for another holder) a refresh that just failed.
   */
  private refuseUnusable(provider: OAuthProviderRow, row: OAuthTokenRow | undefined, since?: number): void {
    if (!row) {
      if (provider.flow === "client_credentials") return;
      throw new ConflictError(`The OAuth connection "${provider.name}" is not connected: authorize it first`);
    }
    if (row.status === "expired") {
      throw new ConflictError(
        `The OAuth connection "${provider.name}" has expired and must be authorized again: ${row.lastError ?? ""}`.trim(),
      );
    }
    if (row.status === "error" && since !== undefined && row.updatedAt.getTime() >= since - 1000) {
      throw new ConflictError(
        `The OAuth connection "${provider.name}" failed to refresh: ${row.lastError ?? ""}`,
      );
    }
  }

  /** Calls the token endpoint (the lock is held) and records the outcome on the row. */
  private async renew(
    provider: OAuthProviderRow,
    organizationId: string | null,
    current: OAuthTokenRow | undefined,
  ): Promise<OAuthTokenRow> {
    const extra = provider.extraTokenParams;
    let params: Record<string, string>;
    if (provider.flow === "client_credentials") {
      params = {
        ...extra,
        grant_type: "client_credentials",
        ...(provider.scopes.length ? { scope: provider.scopes.join(" ") } : {}),
        ...(provider.audience ? { audience: provider.audience } : {}),
      };
    } else {
      const refresh = current?.refreshTokenSealed
        ? this.deps.secretBox.open(current.refreshTokenSealed, OAUTH_TOKEN_PURPOSE)
        : undefined;
      if (!current || !refresh) {
        await this.markFailed(current, "expired", "The token expired and there is no refresh token");
        throw new ConflictError(
          `The OAuth connection "${provider.name}" has expired and must be authorized again (no refresh token)`,
        );
      }
      params = { ...extra, grant_type: "refresh_token", refresh_token: refresh };
    }
    try {
      const grant = await requestToken(
        this.outbound,
        provider.tokenUrl,
        { ...params, ...this.clientParams(provider) },
        this.deps.clock.now(),
      );
      return await this.saveGrant(provider, organizationId, grant, current);
    } catch (error) {
      if (!(error instanceof OAuthGrantError)) throw error;
      const revoked = error.code === "invalid_grant" && provider.flow === "authorization_code";
      await this.markFailed(current, revoked ? "expired" : "error", error.message);
      throw new ConflictError(
        revoked
          ? `The OAuth connection "${provider.name}" has expired and must be authorized again: ${error.message}`
          : `The OAuth connection "${provider.name}" failed to refresh: ${error.message}`,
      );
    }
  }

  private async markFailed(
    row: OAuthTokenRow | undefined,
    status: "expired" | "error",
    lastError: string,
  ): Promise<void> {
    if (row) await this.deps.oauth.updateToken(row.id, { status, lastError });
  }
}
