import {
  errorBodySchema,
  mfaCodeRequestSchema,
  mfaEnrolRequestSchema,
  mfaSetupResponseSchema,
  mfaStatusSchema,
  recoveryCodesSchema,
} from "@bifrost/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { MfaManagement } from "../../services/auth/mfa-management.js";
import { actorOf, requirePrincipal } from "../access.js";

const errors = { 401: errorBodySchema, 403: errorBodySchema, 409: errorBodySchema, 422: errorBodySchema };

export const mfaRoutes: FastifyPluginAsyncZod<{ mfa: MfaManagement }> = async (app, { mfa }) => {
  app.get(
    "/auth/mfa/status",
    {
      config: { access: "user" },
      schema: {
        tags: ["mfa"],
        summary: "Whether MFA is on, and how many recovery codes are left",
        response: { 200: mfaStatusSchema, ...errors },
      },
    },
    (request) => mfa.status(requirePrincipal(request).userId),
  );

  app.post(
    "/auth/mfa/enrol",
    {
      config: { access: "user" },
      schema: {
        tags: ["mfa"],
        summary:
          "Set up an authenticator from the account page: answers its seed. Replacing the one in use needs a current code of it",
        body: mfaEnrolRequestSchema,
        response: { 200: mfaSetupResponseSchema, ...errors },
      },
    },
    (request) => mfa.startEnrolment(requirePrincipal(request).userId, request.body.code),
  );

  app.post(
    "/auth/mfa/enrol/verify",
    {
      config: { access: "user" },
      schema: {
        tags: ["mfa"],
        summary:
          "Confirm the new authenticator with one of its codes: it takes over, with 10 new recovery codes; remembered browsers are forgotten",
        body: mfaCodeRequestSchema,
        response: { 200: recoveryCodesSchema, ...errors },
      },
    },
    async (request) => ({
      recoveryCodes: await mfa.completeEnrolment(
        requirePrincipal(request).userId,
        request.body.code,
        actorOf(request),
      ),
    }),
  );

  app.delete(
    "/auth/mfa",
    {
      config: { access: "user" },
      schema: {
        tags: ["mfa"],
        summary: "Turn MFA off (needs a current code); while MFA is required, the next login enrols again",
        body: mfaCodeRequestSchema,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await mfa.disable(requirePrincipal(request).userId, request.body.code, actorOf(request));
      return reply.code(204).send(null);
    },
  );

  app.post(
    "/auth/mfa/recovery-codes/regenerate",
    {
      config: { access: "user" },
      schema: {
        tags: ["mfa"],
        summary: "Replace the recovery codes (needs a current code); the old ones stop working",
        body: mfaCodeRequestSchema,
        response: { 200: recoveryCodesSchema, ...errors },
      },
    },
    async (request) => ({
      recoveryCodes: await mfa.regenerateRecoveryCodes(
        requirePrincipal(request).userId,
        request.body.code,
        actorOf(request),
      ),
    }),
  );

  app.delete(
    "/api/users/:id/mfa",
    {
      config: { access: "platformAdmin" },
      schema: {
        tags: ["mfa"],
        summary:
          "Reset a user's MFA (platform admin): they enrol again at their next login; their logins end",
        params: z.object({ id: z.guid() }),
        response: { 204: z.null(), 404: errorBodySchema, ...errors },
      },
    },
    async (request, reply) => {
      await mfa.adminReset(request.params.id, actorOf(request));
      return reply.code(204).send(null);
    },
  );
};
