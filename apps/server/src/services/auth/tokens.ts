import { createHash, createSecretKey, randomBytes, randomUUID, type KeyObject } from "node:crypto";
import { jwtVerify, SignJWT } from "jose";
import type { Clock } from "../../infra/clock.js";

/** What an access token asserts. `sid` names the login (session) so it can be revoked. */
export type AccessClaims = {
  sub: string;
  email: string;
  orgId: string;
  isSuperuser: boolean;
  roles: string[];
  sid: string;
};

export type MfaPurpose = "mfa_login" | "mfa_setup";
export type MfaClaims = { sub: string; purpose: MfaPurpose; jti: string };

export const ACCESS_TOKEN_TTL_SECONDS = 30 * 60;
export const REFRESH_TOKEN_TTL_SECONDS = 7 * 24 * 3600;
export const MFA_TOKEN_TTL_SECONDS = 5 * 60;

const ISSUER = "bifrost";
const ACCESS_AUDIENCE = "bifrost:access";
const MFA_AUDIENCE = "bifrost:mfa";

/** SHA-256 of an opaque token: what the database keeps instead of the token. */
export const hashOpaqueToken = (token: string): string => createHash("sha256").update(token).digest("hex");

/**
 * Signs and checks the platform's tokens (HS256 with a key derived from BIFROST_SECRET_KEY). Access
 * and MFA tokens carry different audiences, so one can never be used as the other.
 */
export class TokenService {
  /** Imported once: handing jose raw bytes would import the key again on every verification. */
  private readonly key: KeyObject;

  constructor(
    key: Uint8Array,
    private readonly clock: Clock,
  ) {
    this.key = createSecretKey(key);
  }

  signAccess(claims: AccessClaims): Promise<string> {
    const now = Math.floor(this.clock.now() / 1000);
    return new SignJWT({
      email: claims.email,
      orgId: claims.orgId,
      isSuperuser: claims.isSuperuser,
      roles: claims.roles,
      sid: claims.sid,
    })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(claims.sub)
      .setIssuer(ISSUER)
      .setAudience(ACCESS_AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + ACCESS_TOKEN_TTL_SECONDS)
      .setJti(randomUUID())
      .sign(this.key);
  }

  /** The claims of a valid access token, or null for anything else (expired, forged, malformed). */
  async verifyAccess(token: string): Promise<(AccessClaims & { exp: number }) | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ["HS256"],
        issuer: ISSUER,
        audience: ACCESS_AUDIENCE,
        currentDate: new Date(this.clock.now()),
      });
      const { sub, email, orgId, isSuperuser, roles, sid, exp } = payload;
      if (
        typeof sub !== "string" ||
        typeof exp !== "number" ||
        typeof email !== "string" ||
        typeof orgId !== "string" ||
        typeof isSuperuser !== "boolean" ||
        typeof sid !== "string" ||
        !Array.isArray(roles) ||
        !roles.every((r): r is string => typeof r === "string")
      ) {
        return null;
      }
      return { sub, email, orgId, isSuperuser, roles, sid, exp };
    } catch {
      return null;
    }
  }

  async signMfa(sub: string, purpose: MfaPurpose): Promise<{ token: string; jti: string }> {
    const now = Math.floor(this.clock.now() / 1000);
    const jti = randomUUID();
    const token = await new SignJWT({ purpose })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(sub)
      .setIssuer(ISSUER)
      .setAudience(MFA_AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + MFA_TOKEN_TTL_SECONDS)
      .setJti(jti)
      .sign(this.key);
    return { token, jti };
  }

  async verifyMfa(token: string, purpose: MfaPurpose): Promise<MfaClaims | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ["HS256"],
        issuer: ISSUER,
        audience: MFA_AUDIENCE,
        currentDate: new Date(this.clock.now()),
      });
      if (payload.purpose !== purpose || typeof payload.sub !== "string" || typeof payload.jti !== "string")
        return null;
      return { sub: payload.sub, purpose, jti: payload.jti };
    } catch {
      return null;
    }
  }

  /** A new opaque refresh token and the hash to store. */
  newRefreshToken(): { token: string; hash: string } {
    const token = randomBytes(32).toString("base64url");
    return { token, hash: hashOpaqueToken(token) };
  }
}
