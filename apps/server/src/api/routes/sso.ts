import {
  errorBodySchema,
  linkedIdentitySchema,
  putSsoProviderSchema,
  ssoProviderNameSchema,
  ssoProviderSchema,
  ssoProviderTestSchema,
} from "@bifrost/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { SsoRefusal } from "../../services/sso/oidc-relying-party.js";
import type { SsoLogin } from "../../services/sso/sso-login.js";
import type { SsoProviders } from "../../services/sso/sso-providers.js";
import { actorOf, requireUserPrincipal } from "../access.js";
import { setSessionCookies, type CookieOptions } from "../plugins/authentication.js";
import { meta } from "./auth.js";
import { idParams, originOf, platformAdminOnly, protectedErrors } from "./shared.js";
import { randomBytes } from "node:crypto";

const FLOW_COOKIE = "sso_flow";
const FLOW_COOKIE_PATH = "/auth/oauth";
const nameParams = z.object({ name: ssoProviderNameSchema });

/** A path of this site to go to after signing in; anything else goes home (no open redirect). */
function localPath(next: string | undefined): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (!next || !next.startsWith("/") || next.startsWith("//") || /[\\\u0000-\u001f\u007f]/.test(next))
    return "/";
  return new URL(next, "https://bifrost.invalid").origin === "https://bifrost.invalid" ? next : "/";
}

/**
 * Single sign-on: the admins' provider settings (`/api/settings/oauth`), the browser's round trip
 * through a provider (`/auth/oauth/init/{name}` → provider → `/auth/oauth/callback`), and the
 * caller's linked identities. A refused sign-in lands on the sign-in page with `?sso_error=reason`.
 */
export const ssoRoutes: FastifyPluginAsyncZod<{
  providers: SsoProviders;
  login: SsoLogin;
  cookies: CookieOptions;
}> = async (app, { providers, login, cookies }) => {
  app.get(
    "/api/settings/oauth",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["sso"],
        summary: "The sign-in providers (secrets never answered)",
        response: { 200: z.object({ items: z.array(ssoProviderSchema) }), ...protectedErrors },
      },
    },
    (request) => providers.list(originOf(request)),
  );
  app.put(
    "/api/settings/oauth/:name",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["sso"],
        summary: "Create or replace a sign-in provider (the client secret is kept when omitted)",
        params: nameParams,
        body: putSsoProviderSchema,
        response: { 200: ssoProviderSchema, ...protectedErrors },
      },
    },
    (request) => providers.put(request.params.name, request.body, actorOf(request), originOf(request)),
  );
  app.delete(
    "/api/settings/oauth/:name",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["sso"],
        summary: "Remove a sign-in provider and every identity linked through it",
        params: nameParams,
        response: { 204: z.null(), ...protectedErrors },
      },
    },
    async (request, reply) => {
      await providers.delete(request.params.name, actorOf(request));
      return reply.code(204).send(null);
    },
  );
  app.post(
    "/api/settings/oauth/:name/test",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["sso"],
        summary: "Whether the provider's discovery document can be read",
        params: nameParams,
        response: { 200: ssoProviderTestSchema, ...protectedErrors },
      },
    },
    (request) => providers.test(request.params.name),
  );

  app.get(
    "/auth/oauth/init/:name",
    {
      config: { access: "public" },
      schema: {
        tags: ["sso"],
        summary: "Start signing in through a provider: 302 to it, the flow bound to this browser by a cookie",
        params: nameParams,
        querystring: z.object({ next: z.string().max(2000).optional() }),
        response: { 302: z.null(), 404: errorBodySchema, 422: errorBodySchema, 429: errorBodySchema },
      },
    },
    async (request, reply) => {
      try {
        const { location, browserKey } = await login.start(
          request.params.name,
          localPath(request.query.next),
          meta(request),
          originOf(request),
        );
        reply.setCookie(FLOW_COOKIE, browserKey, {
          httpOnly: true,
          // Lax: the provider's redirect back is a top-level navigation from another site.
          sameSite: "lax",
          secure: cookies.secure,
          path: FLOW_COOKIE_PATH,
          maxAge: 600,
        });
        return await reply.redirect(location, 302);
      } catch (error) {
        if (error instanceof SsoRefusal) return reply.redirect(`/login?sso_error=${error.reason}`, 302);
        throw error;
      }
    },
  );
  app.get(
    "/auth/oauth/callback",
    {
      config: { access: "public" },
      schema: {
        tags: ["sso"],
        summary:
          "Where the provider sends the browser back: sets the session cookies and 302 to `next`, or to the sign-in page with `?sso_error=`",
        querystring: z
          .object({
            state: z.string().max(1000).optional(),
            code: z.string().max(4000).optional(),
            error: z.string().max(1000).optional(),
          })
          .passthrough(),
        response: { 302: z.null(), 422: errorBodySchema, 429: errorBodySchema },
      },
    },
    async (request, reply) => {
      const browserKey = request.cookies[FLOW_COOKIE];
      reply.clearCookie(FLOW_COOKIE, { path: FLOW_COOKIE_PATH });
      try {
        const { result, next } = await login.finish(request.query, browserKey, meta(request));
        const query = next === "/" ? "" : `?next=${encodeURIComponent(next)}`;
        // A second factor is due: the web client's MFA pages take the token from the fragment
        // (never sent to a server, so never in a log).
        if ("mfaSetupRequired" in result)
          return await reply.redirect(`/mfa-setup${query}#mfaToken=${result.mfaToken}`, 302);
        if ("mfaRequired" in result)
          return await reply.redirect(`/login/mfa${query}#mfaToken=${result.mfaToken}`, 302);
        setSessionCookies(reply, result, randomBytes(32).toString("base64url"), cookies);
        return await reply.redirect(next, 302);
      } catch (error) {
        if (error instanceof SsoRefusal) return reply.redirect(`/login?sso_error=${error.reason}`, 302);
        throw error;
      }
    },
  );

  app.get(
    "/auth/identities",
    {
      config: { access: "user" },
      schema: {
        tags: ["sso"],
        summary: "The sign-in providers linked to the caller's account",
        response: { 200: z.object({ items: z.array(linkedIdentitySchema) }), ...protectedErrors },
      },
    },
    (request) => providers.identitiesOf(requireUserPrincipal(request).userId),
  );
  app.delete(
    "/auth/identities/:id",
    {
      config: { access: "user" },
      schema: {
        tags: ["sso"],
        summary:
          "Unlink a provider from the caller's account (its next sign-in there links again only by the rules)",
        params: idParams,
        response: { 204: z.null(), ...protectedErrors },
      },
    },
    async (request, reply) => {
      await providers.unlink(requireUserPrincipal(request).userId, request.params.id, actorOf(request));
      return reply.code(204).send(null);
    },
  );
};
