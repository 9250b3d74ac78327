import {
  createOAuthProviderSchema,
  errorBodySchema,
  oauthAuthorizeResultSchema,
  oauthAuthorizeSchema,
  oauthCallbackQuerySchema,
  oauthCallbackResultSchema,
  oauthNameParams,
  oauthProviderSchema,
  updateOAuthProviderSchema,
} from "@bifrost/contracts";
import { escapeHtml } from "../../infra/html.js";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { FastifyRequest } from "fastify";
import { OAUTH_BINDING_COOKIE, type OAuthService } from "../../services/oauth/oauth-service.js";
import { actorOf, requireUserPrincipal } from "../access.js";
import { originOf, platformAdminOnly, protectedErrors } from "./shared.js";

const publicRoute = { access: "public" as const };

const callbackPath = (name: string): string => `/api/oauth/callback/${encodeURIComponent(name)}`;
const bindingOf = (request: FastifyRequest): string | undefined => request.cookies[OAUTH_BINDING_COOKIE];

export const oauthRoutes: FastifyPluginAsyncZod<{ oauth: OAuthService }> = async (app, { oauth }) => {
  app.post(
    "/api/oauth/connections",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["oauth"],
        summary: "Create an OAuth connection (provider config); the client secret is stored sealed",
        body: createOAuthProviderSchema,
        response: { 201: oauthProviderSchema, ...protectedErrors },
      },
    },
    async (request, reply) => reply.code(201).send(await oauth.create(request.body, actorOf(request))),
  );
  app.get(
    "/api/oauth/connections",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["oauth"],
        summary: "OAuth connections with the state of their tokens (never a secret or a token)",
        response: { 200: z.object({ items: z.array(oauthProviderSchema) }), ...protectedErrors },
      },
    },
    async () => ({ items: await oauth.list() }),
  );
  app.get(
    "/api/oauth/connections/:name",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["oauth"],
        params: oauthNameParams,
        response: { 200: oauthProviderSchema, ...protectedErrors },
      },
    },
    (request) => oauth.get(request.params.name),
  );
  app.put(
    "/api/oauth/connections/:name",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["oauth"],
        summary: "Update an OAuth connection; clientSecret null removes the secret",
        params: oauthNameParams,
        body: updateOAuthProviderSchema,
        response: { 200: oauthProviderSchema, ...protectedErrors },
      },
    },
    (request) => oauth.update(request.params.name, request.body, actorOf(request)),
  );
  app.delete(
    "/api/oauth/connections/:name",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["oauth"],
        params: oauthNameParams,
        response: { 204: z.null(), ...protectedErrors },
      },
    },
    async (request, reply) => {
      await oauth.remove(request.params.name, actorOf(request));
      return reply.code(204).send(null);
    },
  );
  app.post(
    "/api/oauth/connections/:name/authorize",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["oauth"],
        summary:
          "The provider URL to send a browser to (state valid 10 minutes, single use; PKCE S256), for an organization or global",
        params: oauthNameParams,
        body: oauthAuthorizeSchema,
        response: { 200: oauthAuthorizeResultSchema, 400: errorBodySchema, ...protectedErrors },
      },
    },
    async (request, reply) => {
      const principal = requireUserPrincipal(request);
      const { url, binding } = await oauth.authorize(
        request.params.name,
        request.body.organizationId ?? null,
        actorOf(request),
        originOf(request),
        principal,
      );
      // Lax: the provider's redirect back is a top-level navigation, which carries it.
      reply.setCookie(OAUTH_BINDING_COOKIE, binding, {
        httpOnly: true,
        sameSite: "lax",
        secure: request.protocol === "https",
        path: callbackPath(request.params.name),
        maxAge: 10 * 60,
      });
      return { url };
    },
  );

  // The provider's redirect: public, authenticated by the single-use state.
  app.get(
    "/api/oauth/callback/:name",
    {
      config: publicRoute,
      schema: {
        tags: ["oauth"],
        summary: "The browser lands here from the provider: exchanges the code and answers a small page",
        params: oauthNameParams,
        querystring: oauthCallbackQuerySchema,
        response: {
          200: z.string().meta({ description: "text/html" }),
          400: errorBodySchema,
          404: errorBodySchema,
        },
      },
    },
    async (request, reply) => {
      await oauth.callback(request.params.name, request.query, actorOf(request), bindingOf(request));
      reply.clearCookie(OAUTH_BINDING_COOKIE, { path: callbackPath(request.params.name) });
      const name = escapeHtml(request.params.name);
      return reply
        .type("text/html; charset=utf-8")
        .send(
          `<!doctype html><title>Connected</title><p>The OAuth connection <b>${name}</b> is connected. You may close this window.</p>`,
        );
    },
  );
  app.post(
    "/api/oauth/callback/:name",
    {
      config: publicRoute,
      schema: {
        tags: ["oauth"],
        summary: "Exchange the code of an authorization (the client posts what the provider sent back)",
        params: oauthNameParams,
        body: oauthCallbackQuerySchema,
        response: { 200: oauthCallbackResultSchema, 400: errorBodySchema, 404: errorBodySchema },
      },
    },
    async (request, reply) => {
      const row = await oauth.callback(
        request.params.name,
        request.body,
        actorOf(request),
        bindingOf(request),
      );
      reply.clearCookie(OAUTH_BINDING_COOKIE, { path: callbackPath(request.params.name) });
      return { provider: request.params.name, organizationId: row.organizationId, status: row.status };
    },
  );
};
