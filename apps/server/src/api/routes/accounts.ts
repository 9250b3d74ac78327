import {
  accountLinkAnswerSchema,
  errorBodySchema,
  forgotPasswordSchema,
  listOf,
  listQuerySchema,
  loginResultSchema,
  mailMessageSchema,
  registerFromInviteSchema,
  resetPasswordSchema,
} from "@bifrost/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AccountLinks } from "../../services/accounts/account-links.js";
import type { MailOutbox } from "../../services/mail/mail-outbox.js";
import { actorOf } from "../access.js";
import type { CookieOptions } from "../plugins/authentication.js";
import { meta, signedInWith } from "./auth.js";
import { idParams, originOf, platformAdminOnly, protectedErrors } from "./shared.js";

const publicErrors = { 400: errorBodySchema, 422: errorBodySchema, 429: errorBodySchema };

/**
 * Invitations, password resets and the mail log (issue 21). The public routes answer the same
 * whether an account exists or not, and never say more about a link than that it is not valid.
 */
export const accountRoutes: FastifyPluginAsyncZod<{
  links: AccountLinks;
  outbox: MailOutbox;
  cookies: CookieOptions;
}> = async (app, { links, outbox, cookies }) => {
  const signedIn = signedInWith(cookies);

  app.post(
    "/auth/password/forgot",
    {
      config: { access: "public" },
      schema: {
        tags: ["auth"],
        summary: "Ask for a password reset link by e-mail; 202 whether the account exists or not",
        body: forgotPasswordSchema,
        response: { 202: z.null(), ...publicErrors },
      },
    },
    async (request, reply) => {
      await links.forgot(request.body.email, meta(request));
      return reply.code(202).send(null);
    },
  );
  app.post(
    "/auth/password/reset",
    {
      config: { access: "public" },
      schema: {
        tags: ["auth"],
        summary: "Set a new password with a reset link's token; every login of the user ends",
        body: resetPasswordSchema,
        response: { 204: z.null(), ...publicErrors },
      },
    },
    async (request, reply) => {
      await links.reset(request.body.token, request.body.password, meta(request));
      return reply.code(204).send(null);
    },
  );
  app.post(
    "/auth/register-from-invite",
    {
      config: { access: "public" },
      schema: {
        tags: ["auth"],
        summary:
          "Accept an invitation: set a password, then sign in as at login (MFA enrolment first when required)",
        body: registerFromInviteSchema,
        response: { 200: loginResultSchema, ...publicErrors },
      },
    },
    async (request, reply) => {
      const result = await links.registerFromInvite(request.body.token, request.body.password, meta(request));
      return "accessToken" in result ? signedIn(reply, result) : result;
    },
  );

  app.post(
    "/api/users/:id/invite",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["users"],
        summary:
          "Send (or send again) an invitation to set a password; without a mail server the link is answered, once",
        params: idParams,
        response: { 200: accountLinkAnswerSchema, ...protectedErrors },
      },
    },
    (request) => links.invite(request.params.id, actorOf(request), originOf(request)),
  );
  app.delete(
    "/api/users/:id/invite",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["users"],
        summary: "Revoke the user's pending invitation",
        params: idParams,
        response: { 204: z.null(), ...protectedErrors },
      },
    },
    async (request, reply) => {
      await links.revokeInvitation(request.params.id, actorOf(request));
      return reply.code(204).send(null);
    },
  );
  app.post(
    "/api/users/:id/password-reset",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["users"],
        summary: "Send the user a password reset link; without a mail server the link is answered, once",
        params: idParams,
        response: { 200: accountLinkAnswerSchema, ...protectedErrors },
      },
    },
    (request) => links.sendReset(request.params.id, actorOf(request), originOf(request)),
  );
  app.get(
    "/api/platform/mail",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["platform"],
        summary: "The mail log: recipient, template, status and attempts (never the content), newest first",
        querystring: listQuerySchema,
        response: { 200: listOf(mailMessageSchema), ...protectedErrors },
      },
    },
    (request) => outbox.list(request.query),
  );
};
