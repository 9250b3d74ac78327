import { sessionSchema, trustedDeviceSchema } from "@bifrost/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { SessionsService } from "../../services/auth/sessions.js";
import type { TrustedDevices } from "../../services/auth/trusted-devices.js";
import { TRUSTED_DEVICE_COOKIE } from "../plugins/authentication.js";
import { actorOf, requireUserPrincipal } from "../access.js";
import { idParams, platformAdminOnly, protectedErrors } from "./shared.js";

const sessionList = z.object({ items: z.array(sessionSchema) });

/**
 * A user's own logins and remembered browsers (the `user` rule: never a run's token), and a platform
 * admin's view of anyone's logins.
 */
export const sessionRoutes: FastifyPluginAsyncZod<{
  sessions: SessionsService;
  trustedDevices: TrustedDevices;
}> = async (app, { sessions, trustedDevices }) => {
  app.get(
    "/auth/trusted-devices",
    {
      config: { access: "user" },
      schema: {
        tags: ["auth"],
        summary: "The browsers the caller asked to remember at the MFA prompt; `current` is this one",
        response: { 200: z.object({ items: z.array(trustedDeviceSchema) }), ...protectedErrors },
      },
    },
    (request) =>
      trustedDevices.list(requireUserPrincipal(request).userId, request.cookies[TRUSTED_DEVICE_COOKIE]),
  );
  app.delete(
    "/auth/trusted-devices/:id",
    {
      config: { access: "user" },
      schema: {
        tags: ["auth"],
        summary: "Forget a remembered browser: its next sign-in asks for the second factor again",
        params: idParams,
        response: { 204: z.null(), ...protectedErrors },
      },
    },
    async (request, reply) => {
      await trustedDevices.revoke(requireUserPrincipal(request).userId, request.params.id, actorOf(request));
      return reply.code(204).send(null);
    },
  );
  app.get(
    "/auth/sessions",
    {
      config: { access: "user" },
      schema: {
        tags: ["auth"],
        summary: "The caller's logins, most recently used first; `current` is this one",
        response: { 200: sessionList, ...protectedErrors },
      },
    },
    (request) => {
      const principal = requireUserPrincipal(request);
      return sessions.list(principal.userId, principal.sessionId);
    },
  );
  app.delete(
    "/auth/sessions/:id",
    {
      config: { access: "user" },
      schema: {
        tags: ["auth"],
        summary: "End one of the caller's logins (this one too, if named)",
        params: idParams,
        response: { 204: z.null(), ...protectedErrors },
      },
    },
    async (request, reply) => {
      await sessions.revoke(requireUserPrincipal(request).userId, request.params.id, actorOf(request));
      return reply.code(204).send(null);
    },
  );
  app.get(
    "/api/users/:id/sessions",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["users"],
        summary: "A user's logins",
        params: idParams,
        response: { 200: sessionList, ...protectedErrors },
      },
    },
    (request) => sessions.listOf(request.params.id),
  );
  app.delete(
    "/api/users/:id/sessions/:sessionId",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["users"],
        summary: "End one login of a user",
        params: idParams.extend({ sessionId: z.guid() }),
        response: { 204: z.null(), ...protectedErrors },
      },
    },
    async (request, reply) => {
      await sessions.revoke(request.params.id, request.params.sessionId, actorOf(request));
      return reply.code(204).send(null);
    },
  );
};
