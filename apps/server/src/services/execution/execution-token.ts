import { createHmac, createSecretKey, type KeyObject } from "node:crypto";
import { jwtVerify } from "jose";
import type { Bus } from "../../infra/bus/bus.js";
import type { Clock } from "../../infra/clock.js";

/** What an execution token asserts: one run, acting as its caller inside its organization. */
export type ExecutionClaims = {
  executionId: string;
  userId: string;
  email: string;
  name: string;
  organizationId: string;
  roles: string[];
};

const ISSUER = "bifrost";
const AUDIENCE = "bifrost:execution";
/** Margin over the run's timeout: the token must outlive the run, never by much. */
const MARGIN_SECONDS = 120;
const NO_TIMEOUT_TTL_SECONDS = 24 * 3600;

const base64url = (text: string): string => Buffer.from(text, "utf8").toString("base64url");

const liveKey = (executionId: string): string => `exec-token:${executionId}`;

/**
 * Per-run tokens for the SDK inside a child (DESIGN.md §5 step 3). Signed with their own derived key
 * and audience, so an execution token is never an access token and the reverse. Short-lived (the
 * run's timeout plus a margin) and, beyond that, alive only while the run is: the worker marks the
 * run live on the bus when it starts and removes the mark when it ends.
 */
export class ExecutionTokens {
  private readonly key: KeyObject;

  constructor(
    key: Uint8Array,
    private readonly bus: Bus,
    private readonly clock: Clock,
  ) {
    this.key = createSecretKey(key);
  }

  /** Mints the token and marks the run live; `timeoutSeconds` 0 means no timeout. */
  async mint(claims: ExecutionClaims, timeoutSeconds: number): Promise<string> {
    const ttl = (timeoutSeconds > 0 ? timeoutSeconds : NO_TIMEOUT_TTL_SECONDS) + MARGIN_SECONDS;
    const now = Math.floor(this.clock.now() / 1000);
    // A compact HS256 JWT signed in this thread: the same token jose's SignJWT makes, without its
    // WebCrypto round trip to the thread pool on every run. `verify` (jose) checks it as before.
    const header = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
    const payload = base64url(
      JSON.stringify({
        exe: claims.executionId,
        email: claims.email,
        name: claims.name,
        orgId: claims.organizationId,
        roles: claims.roles,
        sub: claims.userId,
        iss: ISSUER,
        aud: AUDIENCE,
        iat: now,
        exp: now + ttl,
      }),
    );
    const signature = createHmac("sha256", this.key).update(`${header}.${payload}`).digest("base64url");
    const token = `${header}.${payload}.${signature}`;
    await this.bus.set(liveKey(claims.executionId), "1", { ttlMs: ttl * 1000 });
    return token;
  }

  /** Ends the token's life with its run. */
  async revoke(executionId: string): Promise<void> {
    await this.bus.delete(liveKey(executionId));
  }

  /** The claims of a valid token of a run still in progress, else null. */
  async verify(token: string): Promise<ExecutionClaims | null> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.key, {
        algorithms: ["HS256"],
        issuer: ISSUER,
        audience: AUDIENCE,
        currentDate: new Date(this.clock.now()),
      }));
    } catch {
      return null;
    }
    const { sub, exe, email, name, orgId, roles } = payload;
    if (
      typeof sub !== "string" ||
      typeof exe !== "string" ||
      typeof email !== "string" ||
      typeof name !== "string" ||
      typeof orgId !== "string" ||
      !Array.isArray(roles) ||
      !roles.every((r): r is string => typeof r === "string")
    )
      return null;
    if ((await this.bus.get(liveKey(exe))) === null) return null;
    return { executionId: exe, userId: sub, email, name, organizationId: orgId, roles };
  }
}
