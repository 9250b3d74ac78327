import { timingSafeEqual } from "node:crypto";
import fastifyCookie from "@fastify/cookie";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ForbiddenError, UnauthorizedError } from "../../errors.js";
import type { AuthStateCache } from "../../services/auth/auth-state.js";
import type { ExecutionTokens } from "../../services/execution/execution-token.js";
import {
  ACCESS_TOKEN_TTL_SECONDS,
  REFRESH_TOKEN_TTL_SECONDS,
  type TokenService,
} from "../../services/auth/tokens.js";
import { runsMayUse, usersMayUse } from "../access.js";
import { type Principal } from "../../principal.js";

const ACCESS_COOKIE = "access_token";
export const REFRESH_COOKIE = "refresh_token";
const CSRF_COOKIE = "csrf_token";
const CSRF_HEADER = "x-csrf-token";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

const isUnsafeMethod = (method: string): boolean => !SAFE_METHODS.has(method);

/** Double-submit check: the header must equal the cookie (compared in constant time). */
export function assertCsrf(request: FastifyRequest): void {
  const cookie = request.cookies[CSRF_COOKIE];
  const header = request.headers[CSRF_HEADER];
  const ok =
    typeof cookie === "string" &&
    typeof header === "string" &&
    cookie.length > 0 &&
    cookie.length === header.length &&
    timingSafeEqual(Buffer.from(cookie), Buffer.from(header));
  if (!ok) throw new ForbiddenError("Missing or wrong X-CSRF-Token header");
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== "string") return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

function queryToken(request: FastifyRequest): string | undefined {
  const value = (request.query as Record<string, unknown> | undefined)?.token;
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

export type CookieOptions = { secure: boolean };

export function setSessionCookies(
  reply: FastifyReply,
  tokens: { accessToken: string; refreshToken: string },
  csrfToken: string,
  options: CookieOptions,
): void {
  const base = { httpOnly: true, sameSite: "lax" as const, secure: options.secure, path: "/" };
  reply.setCookie(ACCESS_COOKIE, tokens.accessToken, { ...base, maxAge: ACCESS_TOKEN_TTL_SECONDS });
  reply.setCookie(REFRESH_COOKIE, tokens.refreshToken, {
    ...base,
    path: "/auth",
    maxAge: REFRESH_TOKEN_TTL_SECONDS,
  });
  // Readable by the web client, which echoes it in X-CSRF-Token.
  reply.setCookie(CSRF_COOKIE, csrfToken, { ...base, httpOnly: false, maxAge: REFRESH_TOKEN_TTL_SECONDS });
}

/** "Remember this browser": read only by the sign-in routes, never by script. */
export const TRUSTED_DEVICE_COOKIE = "trusted_device";

export function setTrustedDeviceCookie(
  reply: FastifyReply,
  device: { token: string; maxAgeSeconds: number },
  options: CookieOptions,
): void {
  reply.setCookie(TRUSTED_DEVICE_COOKIE, device.token, {
    httpOnly: true,
    sameSite: "strict",
    secure: options.secure,
    path: "/auth",
    maxAge: device.maxAgeSeconds,
  });
}

export function clearSessionCookies(reply: FastifyReply, options: CookieOptions): void {
  const base = { httpOnly: true, sameSite: "lax" as const, secure: options.secure };
  reply.clearCookie(ACCESS_COOKIE, { ...base, path: "/" });
  reply.clearCookie(REFRESH_COOKIE, { ...base, path: "/auth" });
  reply.clearCookie(CSRF_COOKIE, { ...base, httpOnly: false, path: "/" });
}

/**
 * Resolves the caller from a bearer token or the access cookie and enforces each route's access
 * rule, in onRequest: an unauthenticated request is refused before its body is read.
 */
export async function registerAuthentication(
  app: FastifyInstance,
  deps: { tokens: TokenService; authState: AuthStateCache; executionTokens?: ExecutionTokens },
): Promise<void> {
  await app.register(fastifyCookie);
  app.decorateRequest("principal", null);
  app.addHook("onRequest", async (request) => {
    if (request.is404) return;
    const access = request.routeOptions.config.access;
    if (access === undefined || access === "public") return;
    const bearer = bearerToken(request);
    const cookie = request.cookies[ACCESS_COOKIE];
    const query = request.routeOptions.config.queryToken ? queryToken(request) : undefined;
    const token = bearer ?? query ?? cookie;
    if (!token && access === "publicOrSignedIn") return;
    if (!token) throw new UnauthorizedError("Sign in first");
    const claims = await deps.tokens.verifyAccess(token);
    if (!claims) {
      const run = bearer && deps.executionTokens ? await deps.executionTokens.verify(bearer) : null;
      if (!run) throw new UnauthorizedError("The access token is invalid or expired");
      if (!runsMayUse(access)) throw new ForbiddenError("Not available to workflow runs");
      request.principal = {
        userId: run.userId,
        email: run.email,
        name: run.name,
        organizationId: run.organizationId,
        isSuperuser: false,
        roles: run.roles,
        via: "execution",
        executionId: run.executionId,
      };
      return;
    }
    const current = await deps.authState.current(claims.sub, claims.sid);
    if (!current) throw new UnauthorizedError("This login has ended");
    const via: Principal["via"] = bearer ? "bearer" : query ? "query" : "cookie";
    if (via === "cookie" && isUnsafeMethod(request.method)) assertCsrf(request);
    // The current state, not the token's claims: a demotion or a move takes effect at once.
    if (!usersMayUse(access, current.isSuperuser)) {
      throw new ForbiddenError(
        access === "run" ? "Only workflow runs may call this" : "Platform admins only",
      );
    }
    request.principal = {
      userId: current.id,
      email: current.email,
      name: current.name,
      organizationId: current.organizationId,
      isSuperuser: current.isSuperuser,
      roles: current.roles,
      sessionId: claims.sid,
      via,
      expiresAt: claims.exp * 1000,
    };
  });
}
