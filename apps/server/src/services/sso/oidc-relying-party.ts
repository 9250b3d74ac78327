import { createHash, randomBytes } from "node:crypto";
import {
  createLocalJWKSet,
  decodeJwt,
  errors as joseErrors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
} from "jose";
import type { Clock } from "../../infra/clock.js";
import type { OutboundClient } from "../../infra/net/outbound.js";
import { requestToken } from "../oauth/token-endpoint.js";

/** What a provider must publish (OpenID Connect Discovery 1.0), as far as a relying party needs it. */
type Discovery = {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
};

/** The provider a sign-in goes through (its secret already opened). */
export type RelyingPartyProvider = {
  kind: "oidc" | "entra" | "google";
  issuer: string;
  clientId: string;
  clientSecret: string | null;
};

/** Why a sign-in was refused: `reason` is a short code for the audit log and the sign-in page. */
export class SsoRefusal extends Error {
  override readonly name = "SsoRefusal";
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** Signature algorithms an ID token may use: asymmetric only (never `none`, never a shared secret). */
const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];
const DISCOVERY_TTL_MS = 10 * 60_000;
/** A key not in the cached set makes the set be fetched again, at most this often (rotation). */
const JWKS_REFETCH_MS = 30_000;
const JWKS_TTL_MS = 60 * 60_000;
const CLOCK_TOLERANCE_SECONDS = 60;
const ENTRA_TENANT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const pkceChallenge = (verifier: string): string => createHash("sha256").update(verifier).digest("base64url");
export const randomToken = (): string => randomBytes(32).toString("base64url");

/**
 * The OpenID Connect relying party: discovery, the authorization URL (code flow with PKCE S256,
 * state and nonce), the code exchange, and the ID token's checks — signature through the provider's
 * JWKS (fetched again when an unknown key id appears: key rotation), issuer (for Microsoft Entra's
 * multi-tenant issuer `…/{tenantid}/v2.0`, the one of the token's own `tid`), audience (and `azp`),
 * expiry, issued-at and nonce. Every call goes through the platform's outbound client.
 */
export class OidcRelyingParty {
  private readonly discoveries = new Map<string, { at: number; value: Discovery }>();
  private readonly keySets = new Map<
    string,
    { at: number; keys: ReturnType<typeof createLocalJWKSet>; forcedAt: number | undefined }
  >();

  constructor(private readonly deps: { outbound: OutboundClient; clock: Clock }) {}

  async discover(issuer: string, options: { fresh?: boolean } = {}): Promise<Discovery> {
    const cached = this.discoveries.get(issuer);
    const now = this.deps.clock.now();
    if (cached && !options.fresh && now - cached.at < DISCOVERY_TTL_MS) return cached.value;
    const url = `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
    const document = await this.getJson(url, "discovery");
    const value: Discovery = {
      issuer: stringField(document, "issuer"),
      authorizationEndpoint: stringField(document, "authorization_endpoint"),
      tokenEndpoint: stringField(document, "token_endpoint"),
      jwksUri: stringField(document, "jwks_uri"),
    };
    for (const endpoint of [value.authorizationEndpoint, value.tokenEndpoint, value.jwksUri])
      if (!isSecureProviderUrl(endpoint))
        throw new SsoRefusal(
          "discovery",
          `The provider's endpoints must use https (${new URL(endpoint).origin})`,
        );
    // The document must speak for the issuer it was asked for (Entra's multi-tenant template aside).
    if (!sameIssuer(value.issuer, issuer))
      throw new SsoRefusal(
        "discovery",
        `The provider's discovery document names another issuer (${value.issuer})`,
      );
    this.discoveries.set(issuer, { at: now, value });
    return value;
  }

  async authorizationUrl(
    provider: RelyingPartyProvider,
    request: { redirectUri: string; state: string; nonce: string; codeVerifier: string },
  ): Promise<string> {
    const discovery = await this.discover(provider.issuer);
    const url = new URL(discovery.authorizationEndpoint);
    const params = {
      response_type: "code",
      client_id: provider.clientId,
      redirect_uri: request.redirectUri,
      scope: "openid email profile",
      state: request.state,
      nonce: request.nonce,
      code_challenge: pkceChallenge(request.codeVerifier),
      code_challenge_method: "S256",
    };
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    return url.href;
  }

  /** Exchanges the code and checks the ID token; answers its claims. */
  async signIn(
    provider: RelyingPartyProvider,
    request: { code: string; redirectUri: string; codeVerifier: string; nonce: string },
  ): Promise<JWTPayload> {
    const discovery = await this.discover(provider.issuer);
    let idToken: string | null;
    try {
      const grant = await requestToken(
        this.deps.outbound,
        discovery.tokenEndpoint,
        {
          grant_type: "authorization_code",
          code: request.code,
          redirect_uri: request.redirectUri,
          code_verifier: request.codeVerifier,
          client_id: provider.clientId,
          ...(provider.clientSecret ? { client_secret: provider.clientSecret } : {}),
        },
        this.deps.clock.now(),
      );
      idToken = grant.idToken;
    } catch (error) {
      throw new SsoRefusal(
        "code_exchange",
        `The provider refused the sign-in code: ${(error as Error).message}`,
      );
    }
    if (!idToken) throw new SsoRefusal("no_id_token", "The provider answered no ID token");
    return this.verifyIdToken(provider, discovery, idToken, request.nonce);
  }

  private async verifyIdToken(
    provider: RelyingPartyProvider,
    discovery: Discovery,
    idToken: string,
    nonce: string,
  ): Promise<JWTPayload> {
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(idToken);
    } catch {
      throw new SsoRefusal("id_token", "The ID token is not a JWT");
    }
    const issuer = expectedIssuer(provider, discovery, unverified);
    const verify = (keys: ReturnType<typeof createLocalJWKSet>) =>
      jwtVerify(idToken, keys, {
        issuer,
        audience: provider.clientId,
        algorithms: ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        currentDate: new Date(this.deps.clock.now()),
        requiredClaims: ["iss", "sub", "aud", "exp", "iat"],
      });
    let payload: JWTPayload;
    try {
      try {
        payload = (await verify(await this.keys(discovery))).payload;
      } catch (error) {
        // A key id the cached set does not have: the provider may have rotated its keys.
        if (!(error instanceof joseErrors.JWKSNoMatchingKey)) throw error;
        payload = (await verify(await this.keys(discovery, true))).payload;
      }
    } catch (error) {
      throw idTokenRefusal(error);
    }
    if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== provider.clientId)
      throw new SsoRefusal("audience", "The ID token was issued to another party (azp)");
    if (typeof payload.nonce !== "string" || payload.nonce !== nonce)
      throw new SsoRefusal("nonce", "The ID token's nonce does not match this sign-in");
    return payload;
  }

  /**
   * The provider's keys, cached for an hour. `fresh` (a token named a key id the cache lacks) fetches
   * them again at once — but a forced fetch at most every 30 s, so tokens with made-up key ids cannot
   * make the platform hammer the provider.
   */
  private async keys(discovery: Discovery, fresh = false): Promise<ReturnType<typeof createLocalJWKSet>> {
    const now = this.deps.clock.now();
    const cached = this.keySets.get(discovery.jwksUri);
    const stale = !cached || now - cached.at > JWKS_TTL_MS;
    const mayForce = !cached?.forcedAt || now - cached.forcedAt >= JWKS_REFETCH_MS;
    if (cached && !stale && (!fresh || !mayForce)) return cached.keys;
    const document = await this.getJson(discovery.jwksUri, "keys");
    if (!Array.isArray(document.keys)) throw new SsoRefusal("keys", "The provider's key set is not a JWKS");
    const keys = createLocalJWKSet(document as unknown as JSONWebKeySet);
    this.keySets.set(discovery.jwksUri, { at: now, keys, forcedAt: fresh ? now : cached?.forcedAt });
    return keys;
  }

  private async getJson(url: string, what: string): Promise<Record<string, unknown>> {
    let response: { status: number; body: Buffer };
    try {
      response = await this.deps.outbound.request(url, {
        headers: { accept: "application/json" },
        trust: "admin",
        maxBodyBytes: 512 * 1024,
        timeoutMs: 10_000,
      });
    } catch (error) {
      throw new SsoRefusal(what, `The provider's ${what} could not be read: ${(error as Error).message}`);
    }
    if (response.status !== 200)
      throw new SsoRefusal(what, `The provider's ${what} answered HTTP ${response.status}`);
    try {
      const parsed: unknown = JSON.parse(response.body.toString("utf8"));
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
        return parsed as Record<string, unknown>;
    } catch {
      // refused below
    }
    throw new SsoRefusal(what, `The provider's ${what} is not a JSON object`);
  }
}

function stringField(document: Record<string, unknown>, name: string): string {
  const value = document[name];
  if (typeof value !== "string" || value === "")
    throw new SsoRefusal("discovery", `The provider's discovery document has no ${name}`);
  return value;
}

const trimSlash = (url: string): string => url.replace(/\/+$/, "");

/**
 * A provider's URLs must be https: over plain http anyone on the path could swap its keys. Loopback
 * hosts are the exception (a provider on the same machine, the test suite's).
 */
export function isSecureProviderUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol === "https:") return true;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  return (
    url.protocol === "http:" && (host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host))
  );
}

/** The document's issuer is the one asked for; for Entra's `common`/`organizations`, the template. */
function sameIssuer(documentIssuer: string, configured: string): boolean {
  if (trimSlash(documentIssuer) === trimSlash(configured)) return true;
  if (!documentIssuer.includes("{tenantid}")) return false;
  const [before = "", after = ""] = documentIssuer.split("{tenantid}");
  const tenantSegment = trimSlash(configured).slice(
    before.length,
    trimSlash(configured).length - trimSlash(after).length,
  );
  return (
    configured.startsWith(before) &&
    trimSlash(configured).endsWith(trimSlash(after)) &&
    ["common", "organizations"].includes(tenantSegment)
  );
}

/** The issuer the token must name: the discovery's, or for Entra's template, that of its own `tid`. */
function expectedIssuer(
  provider: RelyingPartyProvider,
  discovery: Discovery,
  unverified: JWTPayload,
): string {
  if (!discovery.issuer.includes("{tenantid}")) return discovery.issuer;
  if (provider.kind !== "entra")
    throw new SsoRefusal("issuer", "Only a Microsoft Entra ID provider may use a multi-tenant issuer");
  const tid = unverified.tid;
  if (typeof tid !== "string" || !ENTRA_TENANT.test(tid))
    throw new SsoRefusal("issuer", "The ID token names no tenant (tid)");
  return discovery.issuer.replace("{tenantid}", tid);
}

function idTokenRefusal(error: unknown): SsoRefusal {
  if (error instanceof SsoRefusal) return error;
  if (error instanceof joseErrors.JWTExpired) return new SsoRefusal("expired", "The ID token has expired");
  if (
    error instanceof joseErrors.JWSSignatureVerificationFailed ||
    error instanceof joseErrors.JWKSNoMatchingKey
  )
    return new SsoRefusal("signature", "The ID token's signature is not the provider's");
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    const reason = error.claim === "aud" ? "audience" : error.claim === "iss" ? "issuer" : "claims";
    return new SsoRefusal(reason, `The ID token's ${error.claim} claim is not valid: ${error.reason}`);
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed)
    return new SsoRefusal("signature", "The ID token's algorithm is not allowed");
  return new SsoRefusal("id_token", `The ID token is not valid: ${(error as Error).message}`);
}
