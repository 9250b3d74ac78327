import { randomBytes } from "node:crypto";
import {
  authStatusSchema,
  changePasswordRequestSchema,
  revokeUserRequestSchema,
  authUserSchema,
  errorBodySchema,
  loginRequestSchema,
  loginResultSchema,
  meSchema,
  mfaLoginRequestSchema,
  mfaSetupResponseSchema,
  mfaVerifyRequestSchema,
  mfaVerifyResponseSchema,
  refreshRequestSchema,
  setupRequestSchema,
  tokenPairSchema,
  type TokenPair,
} from "@bifrost/contracts";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { UnauthorizedError } from "../../errors.js";
import type { AuthService, RequestMeta } from "../../services/auth/auth-service.js";
import type { AuthStatusService } from "../../services/auth/auth-status.js";
import type { SessionsService } from "../../services/auth/sessions.js";
import { actorOf, requirePrincipal, requireUserPrincipal } from "../access.js";
import {
  assertCsrf,
  bearerToken,
  clearSessionCookies,
  REFRESH_COOKIE,
  setSessionCookies,
  setTrustedDeviceCookie,
  TRUSTED_DEVICE_COOKIE,
  type CookieOptions,
} from "../plugins/authentication.js";

export type AuthRoutesOptions = {
  authStatus: AuthStatusService;
  auth: AuthService;
  /** Ends logins: this one, all of the caller's, all of a user's. */
  sessions: SessionsService;
  cookies: CookieOptions;
};

const errors = {
  401: errorBodySchema,
  403: errorBodySchema,
  409: errorBodySchema,
  422: errorBodySchema,
  429: errorBodySchema,
};

/** Who is asking, for rate limits and the audit log. */
export const meta = (request: FastifyRequest): RequestMeta => ({
  ip: request.ip,
  userAgent: request.headers["user-agent"],
  requestId: request.id,
  trustedDevice: request.cookies[TRUSTED_DEVICE_COOKIE],
});

/** Tokens go in the body (API clients) and in HttpOnly cookies (the browser). */
export const signedInWith =
  (cookies: CookieOptions) =>
  <T extends TokenPair>(reply: FastifyReply, pair: T): T => {
    setSessionCookies(reply, pair, randomBytes(32).toString("base64url"), cookies);
    return pair;
  };

export const authRoutes: FastifyPluginAsyncZod<AuthRoutesOptions> = async (
  app,
  { authStatus, auth, sessions, cookies },
) => {
  const signedIn = signedInWith(cookies);
  const mfaBearer = (request: FastifyRequest): string => {
    const token = bearerToken(request);
    if (!token) throw new UnauthorizedError("Send the MFA token as a bearer token");
    return token;
  };

  app.get(
    "/auth/status",
    {
      config: { access: "public" },
      schema: {
        tags: ["auth"],
        summary: "Whether the platform needs its first admin, and how users sign in",
        response: { 200: authStatusSchema, 503: errorBodySchema },
      },
    },
    () => authStatus.status(),
  );

  app.post(
    "/auth/setup",
    {
      config: { access: "public" },
      schema: {
        tags: ["auth"],
        summary: "Create the first platform admin (only while no user exists)",
        body: setupRequestSchema,
        response: { 201: z.object({ user: authUserSchema }), ...errors },
      },
    },
    async (request, reply) => reply.code(201).send({ user: await auth.setup(request.body, meta(request)) }),
  );

  app.post(
    "/auth/login",
    {
      config: { access: "public" },
      schema: {
        tags: ["auth"],
        summary: "Sign in with e-mail and password",
        body: loginRequestSchema,
        response: { 200: loginResultSchema, ...errors },
      },
    },
    async (request, reply) => {
      const result = await auth.login(request.body, meta(request));
      return "accessToken" in result ? signedIn(reply, result) : result;
    },
  );

  app.post(
    "/auth/mfa/setup",
    {
      config: { access: "public" },
      schema: {
        tags: ["auth"],
        summary: "Start TOTP enrolment (bearer: the mfaToken of a login that must enrol)",
        response: { 200: mfaSetupResponseSchema, ...errors },
      },
    },
    (request) => auth.startMfaSetup(mfaBearer(request), meta(request)),
  );

  app.post(
    "/auth/mfa/verify",
    {
      config: { access: "public" },
      schema: {
        tags: ["auth"],
        summary: "Finish TOTP enrolment with a code; answers tokens and 10 recovery codes",
        body: mfaVerifyRequestSchema,
        response: { 200: mfaVerifyResponseSchema, ...errors },
      },
    },
    async (request, reply) =>
      signedIn(reply, await auth.completeMfaSetup(mfaBearer(request), request.body.code, meta(request))),
  );

  app.post(
    "/auth/mfa/login",
    {
      config: { access: "public" },
      schema: {
        tags: ["auth"],
        summary:
          "Second step of a login: a TOTP code or a recovery code; `rememberDevice` skips this step in this browser for 30 days",
        body: mfaLoginRequestSchema,
        response: { 200: tokenPairSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { trustedDevice, ...tokens } = await auth.mfaLogin(request.body, meta(request));
      if (trustedDevice) setTrustedDeviceCookie(reply, trustedDevice, cookies);
      return signedIn(reply, tokens);
    },
  );

  app.post(
    "/auth/refresh",
    {
      config: { access: "public" },
      schema: {
        tags: ["auth"],
        summary: "Exchange a refresh token (body or cookie) for a new pair; each works once",
        body: refreshRequestSchema.optional(),
        response: { 200: tokenPairSchema, ...errors },
      },
    },
    async (request, reply) => {
      let token = request.body?.refreshToken;
      if (!token) {
        token = request.cookies[REFRESH_COOKIE];
        // The cookie travels by itself: like any cookie-authenticated unsafe request, it needs CSRF.
        if (token) assertCsrf(request);
      }
      if (!token) throw new UnauthorizedError("No refresh token");
      return signedIn(reply, await auth.refresh(token, meta(request)));
    },
  );

  app.post(
    "/auth/logout",
    {
      config: { access: "user" },
      schema: { tags: ["auth"], summary: "End this login", response: { 204: z.null(), ...errors } },
    },
    async (request, reply) => {
      await sessions.logout(requireUserPrincipal(request).sessionId, actorOf(request));
      clearSessionCookies(reply, cookies);
      return reply.code(204).send(null);
    },
  );

  app.post(
    "/auth/revoke-all",
    {
      config: { access: "user" },
      schema: {
        tags: ["auth"],
        summary: "End every login of the caller, this one included",
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await sessions.revokeAll(requirePrincipal(request).userId, actorOf(request));
      clearSessionCookies(reply, cookies);
      return reply.code(204).send(null);
    },
  );

  app.post(
    "/auth/admin/revoke-user",
    {
      config: { access: "platformAdmin" },
      schema: {
        tags: ["auth"],
        summary: "End every login of a user (platform admin)",
        body: revokeUserRequestSchema,
        response: { 204: z.null(), 404: errorBodySchema, ...errors },
      },
    },
    async (request, reply) => {
      await sessions.revokeUser(request.body.userId, actorOf(request));
      return reply.code(204).send(null);
    },
  );

  app.post(
    "/api/profile/password",
    {
      config: { access: "user" },
      schema: {
        tags: ["profile"],
        summary: "Change the caller's password; their other logins end",
        body: changePasswordRequestSchema,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await auth.changePassword(requireUserPrincipal(request), request.body, actorOf(request));
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/auth/me",
    {
      config: { access: "user" },
      schema: { tags: ["auth"], summary: "The signed-in user", response: { 200: meSchema, ...errors } },
    },
    // Answered from the login's cached state: no database round trip per call.
    (request) => {
      const { userId: id, email, name, isSuperuser, organizationId, roles } = requirePrincipal(request);
      return { id, email, name, isSuperuser, organizationId, roles };
    },
  );
};
