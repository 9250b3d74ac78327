import { z } from "zod";

// Passkeys (WebAuthn, issue 23): the JSON `@simplewebauthn/browser` and `@simplewebauthn/server`
// exchange. Options go to the browser as the server made them; a verify body is the credential's
// `toJSON()`. Every string is bounded: a body can never make the server decode megabytes.

const base64url = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+$/, "must be base64url");

const credentialId = base64url(1024);
const transports = z.array(z.string().max(32)).max(10);
const extensions = z.record(z.string(), z.unknown());
/** The extensions the server asks for: `credProps` (was a discoverable credential made?). */
const requestedExtensions = z.object({ credProps: z.boolean().optional() });
const credentialDescriptor = z.object({
  id: credentialId,
  type: z.string(),
  transports: transports.optional(),
});
const userVerification = z.enum(["required", "preferred", "discouraged"]);

/** What `navigator.credentials.create()` takes, as JSON (`startRegistration({ optionsJSON })`). */
export const passkeyCreationOptionsSchema = z.object({
  rp: z.object({ id: z.string().optional(), name: z.string() }),
  user: z.object({ id: z.string(), name: z.string(), displayName: z.string() }),
  challenge: z.string(),
  pubKeyCredParams: z.array(z.object({ type: z.literal("public-key"), alg: z.number().int() })),
  timeout: z.number().int().optional(),
  excludeCredentials: z.array(credentialDescriptor).optional(),
  authenticatorSelection: z
    .object({
      authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
      residentKey: z.enum(["required", "preferred", "discouraged"]).optional(),
      requireResidentKey: z.boolean().optional(),
      userVerification: userVerification.optional(),
    })
    .optional(),
  hints: z.array(z.string()).optional(),
  attestation: z.string().optional(),
  extensions: requestedExtensions.optional(),
});
export type PasskeyCreationOptions = z.infer<typeof passkeyCreationOptionsSchema>;

/** What `navigator.credentials.get()` takes, as JSON (`startAuthentication({ optionsJSON })`). */
export const passkeyRequestOptionsSchema = z.object({
  challenge: z.string(),
  timeout: z.number().int().optional(),
  rpId: z.string().optional(),
  allowCredentials: z.array(credentialDescriptor).optional(),
  userVerification: userVerification.optional(),
  hints: z.array(z.string()).optional(),
  extensions: requestedExtensions.optional(),
});
export type PasskeyRequestOptions = z.infer<typeof passkeyRequestOptionsSchema>;

const credentialFields = {
  id: credentialId,
  rawId: credentialId,
  type: z.literal("public-key"),
  authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
  clientExtensionResults: extensions,
};

/** A new credential: `startRegistration()`'s answer (the credential's `toJSON()`). */
export const passkeyRegistrationSchema = z.object({
  ...credentialFields,
  response: z.object({
    clientDataJSON: base64url(4096),
    attestationObject: base64url(16_384),
    authenticatorData: base64url(16_384).optional(),
    transports: transports.optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: base64url(8192).optional(),
  }),
});
export type PasskeyRegistration = z.infer<typeof passkeyRegistrationSchema>;

/** A signature with an existing credential: `startAuthentication()`'s answer. */
export const passkeyAssertionSchema = z.object({
  ...credentialFields,
  response: z.object({
    clientDataJSON: base64url(4096),
    authenticatorData: base64url(4096),
    // ML-DSA (post-quantum, offered first where the runtime has it) signs with up to 4.6 kB.
    signature: base64url(8192),
    userHandle: base64url(256).optional(),
  }),
});
export type PasskeyAssertion = z.infer<typeof passkeyAssertionSchema>;

const passkeyName = z.string().trim().min(1).max(100);

/** `POST /auth/passkeys/register/verify`: the new credential, and optionally what to call it. */
export const passkeyRegisterVerifySchema = passkeyRegistrationSchema.extend({ name: passkeyName.optional() });

/** `PATCH /auth/passkeys/{id}`. */
export const renamePasskeySchema = z.object({ name: passkeyName });

/** One of the caller's passkeys (`GET /auth/passkeys`); never its key material. */
export const passkeySchema = z.object({
  id: z.guid(),
  name: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  /** `multiDevice`: synced by its provider (a password manager, a platform account). */
  deviceType: z.enum(["singleDevice", "multiDevice"]),
  backedUp: z.boolean(),
});
export type Passkey = z.infer<typeof passkeySchema>;

/** `POST /auth/setup/passkey/options`: who the first platform admin is. */
export const setupPasskeyOptionsSchema = z.object({
  email: z.email().max(254),
  name: z.string().trim().min(1).max(200),
});
/** `POST /auth/setup/passkey/verify`: the same person, with the new credential. */
export const setupPasskeyVerifySchema = setupPasskeyOptionsSchema.extend({
  credential: passkeyRegistrationSchema,
});

const invitationToken = z.string().min(16).max(256);
/** `POST /auth/register-from-invite/passkey/options`. */
export const invitePasskeyOptionsSchema = z.object({ token: invitationToken });
/** `POST /auth/register-from-invite/passkey/verify`. */
export const invitePasskeyVerifySchema = z.object({
  token: invitationToken,
  credential: passkeyRegistrationSchema,
});
