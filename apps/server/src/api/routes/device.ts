import {
  deviceCodeRequestSchema,
  deviceCodeResponseSchema,
  deviceRequestSchema,
  deviceTokenErrorSchema,
  deviceTokenRequestSchema,
  deviceUserCodeSchema,
  errorBodySchema,
  tokenPairSchema,
} from "@bifrost/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { DeviceLogin } from "../../services/auth/device-login.js";
import { actorOf, requireUserPrincipal } from "../access.js";
import { meta } from "./auth.js";
import { originOf, protectedErrors } from "./shared.js";

const publicErrors = { 422: errorBodySchema, 429: errorBodySchema };

/**
 * Device login for the CLI (RFC 8628 in camelCase): the public code and token routes the CLI uses,
 * and the signed-in user's look-up, approval and denial behind the `/device` page.
 */
export const deviceRoutes: FastifyPluginAsyncZod<{ deviceLogin: DeviceLogin }> = async (
  app,
  { deviceLogin },
) => {
  app.post(
    "/auth/device/code",
    {
      config: { access: "public" },
      schema: {
        tags: ["auth"],
        summary: "Start a device login: a device code to poll with and a user code to approve in the browser",
        body: deviceCodeRequestSchema.optional(),
        response: { 200: deviceCodeResponseSchema, ...publicErrors },
      },
    },
    (request) => deviceLogin.start(request.body?.clientName, meta(request), originOf(request)),
  );
  app.post(
    "/auth/device/token",
    {
      config: { access: "public" },
      schema: {
        tags: ["auth"],
        summary:
          "Poll a device login: tokens once approved; 400 authorization_pending, slow_down, access_denied or expired_token otherwise",
        body: deviceTokenRequestSchema,
        response: { 200: tokenPairSchema, 400: deviceTokenErrorSchema, ...publicErrors },
      },
    },
    async (request, reply) => {
      const answer = await deviceLogin.poll(request.body.deviceCode, meta(request));
      if ("tokens" in answer) return answer.tokens;
      return reply.code(400).send(answer);
    },
  );
  app.post(
    "/auth/device/lookup",
    {
      config: { access: "user" },
      schema: {
        tags: ["auth"],
        summary: "The device login waiting for this user code (for the approval page)",
        body: deviceUserCodeSchema,
        response: { 200: deviceRequestSchema, 429: errorBodySchema, ...protectedErrors },
      },
    },
    (request) => deviceLogin.describe(request.body.userCode, requireUserPrincipal(request).userId),
  );
  for (const [path, decision] of [
    ["/auth/device/approve", "approved"],
    ["/auth/device/deny", "denied"],
  ] as const) {
    app.post(
      path,
      {
        config: { access: "user" },
        schema: {
          tags: ["auth"],
          summary:
            decision === "approved"
              ? "Approve a device login: the device signs in as the caller"
              : "Deny a device login: the device gets nothing",
          body: deviceUserCodeSchema,
          response: { 204: z.null(), 429: errorBodySchema, ...protectedErrors },
        },
      },
      async (request, reply) => {
        const userId = requireUserPrincipal(request).userId;
        await deviceLogin.decide(request.body.userCode, decision, userId, actorOf(request));
        return reply.code(204).send(null);
      },
    );
  }
};
