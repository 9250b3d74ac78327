import {
  errorBodySchema,
  invitePasskeyOptionsSchema,
  invitePasskeyVerifySchema,
  passkeyAssertionSchema,
  passkeyCreationOptionsSchema,
  passkeyRegisterVerifySchema,
  passkeyRequestOptionsSchema,
  passkeySchema,
  renamePasskeySchema,
  setupPasskeyOptionsSchema,
  setupPasskeyVerifySchema,
  tokenPairSchema,
} from "@bifrost/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { PasskeySignIn } from "../../services/passkeys/passkey-sign-in.js";
import type { PasskeysService } from "../../services/passkeys/passkeys-service.js";
import { actorOf, requireUserPrincipal } from "../access.js";
import type { CookieOptions } from "../plugins/authentication.js";
import { meta, signedInWith } from "./auth.js";
import { idParams, originOf, protectedErrors } from "./shared.js";

const publicErrors = {
  400: errorBodySchema,
  401: errorBodySchema,
  409: errorBodySchema,
  422: errorBodySchema,
  429: errorBodySchema,
};
const signedInErrors = { ...protectedErrors, 400: errorBodySchema };
const user = { access: "user" as const };
const open = { access: "public" as const };
const RP_NOTE =
  " The relying party is BIFROST_PUBLIC_URL's host name, else the request's (never an IP address: 400).";

/**
 * Passkeys (WebAuthn, issue 23): a signed-in user's own (the `user` rule: never a run's token), the
 * passwordless sign-in, and first-run setup and invitations with a passkey instead of a password.
 * Options answer WebAuthn JSON as `@simplewebauthn/server` makes it; verify bodies are the
 * credential's `toJSON()`.
 */
export const passkeyRoutes: FastifyPluginAsyncZod<{
  passkeys: PasskeysService;
  signIn: PasskeySignIn;
  cookies: CookieOptions;
}> = async (app, { passkeys, signIn, cookies }) => {
  const signedIn = signedInWith(cookies);

  app.post(
    "/auth/passkeys/register/options",
    {
      config: user,
      schema: {
        tags: ["auth"],
        summary: `Start adding a passkey: a discoverable credential, user verification required.${RP_NOTE}`,
        response: { 200: passkeyCreationOptionsSchema, ...signedInErrors },
      },
    },
    (request) => passkeys.registrationOptions(requireUserPrincipal(request).userId, originOf(request)),
  );
  app.post(
    "/auth/passkeys/register/verify",
    {
      config: user,
      schema: {
        tags: ["auth"],
        summary: "Finish adding a passkey (the new credential's toJSON(), and an optional name)",
        body: passkeyRegisterVerifySchema,
        response: { 201: passkeySchema, ...signedInErrors },
      },
    },
    async (request, reply) => {
      const { name, ...credential } = request.body;
      const created = await passkeys.register(
        requireUserPrincipal(request).userId,
        credential,
        name,
        originOf(request),
        actorOf(request),
      );
      return reply.code(201).send(created);
    },
  );
  app.get(
    "/auth/passkeys",
    {
      config: user,
      schema: {
        tags: ["auth"],
        summary: "The caller's passkeys, oldest first",
        response: { 200: z.object({ items: z.array(passkeySchema) }), ...protectedErrors },
      },
    },
    (request) => passkeys.list(requireUserPrincipal(request).userId),
  );
  app.patch(
    "/auth/passkeys/:id",
    {
      config: user,
      schema: {
        tags: ["auth"],
        summary: "Rename one of the caller's passkeys",
        params: idParams,
        body: renamePasskeySchema,
        response: { 200: passkeySchema, ...protectedErrors },
      },
    },
    (request) =>
      passkeys.rename(
        requireUserPrincipal(request).userId,
        request.params.id,
        request.body.name,
        actorOf(request),
      ),
  );
  app.delete(
    "/auth/passkeys/:id",
    {
      config: user,
      schema: {
        tags: ["auth"],
        summary: "Remove one of the caller's passkeys (not the last one of an account without a password)",
        params: idParams,
        response: { 204: z.null(), ...protectedErrors },
      },
    },
    async (request, reply) => {
      await passkeys.delete(requireUserPrincipal(request).userId, request.params.id, actorOf(request));
      return reply.code(204).send(null);
    },
  );

  app.post(
    "/auth/passkeys/authenticate/options",
    {
      config: open,
      schema: {
        tags: ["auth"],
        summary: `Start a passwordless sign-in: no credential named, the authenticator offers its own.${RP_NOTE}`,
        response: { 200: passkeyRequestOptionsSchema, ...publicErrors },
      },
    },
    (request) => signIn.authenticationOptions(originOf(request), meta(request)),
  );
  app.post(
    "/auth/passkeys/authenticate/verify",
    {
      config: open,
      schema: {
        tags: ["auth"],
        summary:
          "Sign in with a passkey (the assertion's toJSON()): tokens as for login, never an MFA prompt (a passkey is both factors)",
        body: passkeyAssertionSchema,
        response: { 200: tokenPairSchema, ...publicErrors },
      },
    },
    async (request, reply) =>
      signedIn(reply, await signIn.authenticate(request.body, originOf(request), meta(request))),
  );

  app.post(
    "/auth/setup/passkey/options",
    {
      config: open,
      schema: {
        tags: ["auth"],
        summary: `First-run setup with a passkey: options for the first platform admin's (only while no user exists).${RP_NOTE}`,
        body: setupPasskeyOptionsSchema,
        response: { 200: passkeyCreationOptionsSchema, ...publicErrors },
      },
    },
    (request) => signIn.setupOptions(request.body, originOf(request), meta(request)),
  );
  app.post(
    "/auth/setup/passkey/verify",
    {
      config: open,
      schema: {
        tags: ["auth"],
        summary: "Create the first platform admin with a passkey and no password, signed in; afterwards 409",
        body: setupPasskeyVerifySchema,
        response: { 201: tokenPairSchema, ...publicErrors },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(signedIn(reply, await signIn.setup(request.body, originOf(request), meta(request)))),
  );

  app.post(
    "/auth/register-from-invite/passkey/options",
    {
      config: open,
      schema: {
        tags: ["auth"],
        summary: `Accept an invitation with a passkey: options (the link is checked, not spent).${RP_NOTE}`,
        body: invitePasskeyOptionsSchema,
        response: { 200: passkeyCreationOptionsSchema, ...publicErrors },
      },
    },
    (request) => signIn.invitationOptions(request.body.token, originOf(request), meta(request)),
  );
  app.post(
    "/auth/register-from-invite/passkey/verify",
    {
      config: open,
      schema: {
        tags: ["auth"],
        summary:
          "Accept an invitation with a passkey instead of a password: the link is spent, the user signed in",
        body: invitePasskeyVerifySchema,
        response: { 200: tokenPairSchema, ...publicErrors },
      },
    },
    async (request, reply) =>
      signedIn(reply, await signIn.acceptInvitation(request.body, originOf(request), meta(request))),
  );
};
