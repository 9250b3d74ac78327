import { z } from "zod";

// Ids are `z.guid()`, not `z.uuid()`: the well-known ids (provider organization, system user) are
// 8-4-4-4-12 hex strings without an RFC 4122 version digit.

export const authStatusSchema = z.object({
  needsSetup: z.boolean(),
  passwordLogin: z.boolean(),
  mfaRequired: z.boolean(),
  ssoProviders: z.array(z.object({ name: z.string(), displayName: z.string() })),
});
export type AuthStatus = z.infer<typeof authStatusSchema>;

export const authUserSchema = z.object({
  id: z.guid(),
  email: z.string(),
  name: z.string(),
  isSuperuser: z.boolean(),
  organizationId: z.guid(),
  isActive: z.boolean(),
  mfaEnabled: z.boolean(),
  createdAt: z.string(),
});
export type AuthUser = z.infer<typeof authUserSchema>;

export const meSchema = z.object({
  id: z.guid(),
  email: z.string(),
  name: z.string(),
  isSuperuser: z.boolean(),
  organizationId: z.guid(),
  roles: z.array(z.string()),
});
export type Me = z.infer<typeof meSchema>;

export const tokenPairSchema = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  expiresIn: z.number().int(),
  user: authUserSchema,
});
export type TokenPair = z.infer<typeof tokenPairSchema>;

export const mfaChallengeSchema = z.object({ mfaRequired: z.literal(true), mfaToken: z.string() });
export const mfaSetupChallengeSchema = z.object({ mfaSetupRequired: z.literal(true), mfaToken: z.string() });

export const loginResultSchema = z.union([tokenPairSchema, mfaChallengeSchema, mfaSetupChallengeSchema]);
export type LoginResult = z.infer<typeof loginResultSchema>;

// Bounded lengths: a body can never make the server hash megabytes.
export const setupRequestSchema = z.object({
  email: z.email().max(254),
  password: z.string().max(1024),
  name: z.string().trim().min(1).max(200),
});
export const loginRequestSchema = z.object({ email: z.string().max(254), password: z.string().max(1024) });
export const mfaSetupResponseSchema = z.object({ secret: z.string(), otpauthUri: z.string() });
export const mfaVerifyRequestSchema = z.object({ code: z.string().max(64) });
export const mfaVerifyResponseSchema = tokenPairSchema.extend({ recoveryCodes: z.array(z.string()) });
export const mfaLoginRequestSchema = z.object({
  mfaToken: z.string().max(4096),
  code: z.string().max(64),
  /** "Remember this browser for 30 days": the next sign-ins from it skip the MFA prompt. */
  rememberDevice: z.boolean().optional(),
});
export const refreshRequestSchema = z.object({ refreshToken: z.string().max(512).optional() });
export const revokeUserRequestSchema = z.object({ userId: z.guid() });
export const changePasswordRequestSchema = z.object({
  currentPassword: z.string().max(1024),
  newPassword: z.string().max(1024),
});
export const mfaStatusSchema = z.object({ enabled: z.boolean(), recoveryCodesRemaining: z.number().int() });
export const mfaCodeRequestSchema = z.object({ code: z.string().max(64) });
export const recoveryCodesSchema = z.object({ recoveryCodes: z.array(z.string()) });

/** One login of a user (`GET /auth/sessions`, `GET /api/users/{id}/sessions`). */
export const sessionSchema = z.object({
  id: z.guid(),
  createdAt: z.string(),
  lastUsedAt: z.string(),
  userAgent: z.string().nullable(),
  ip: z.string().nullable(),
  /** The login this request was made with. */
  current: z.boolean(),
});
export type Session = z.infer<typeof sessionSchema>;

/** `PATCH /api/profile`: the caller's own details. */
export const updateProfileSchema = z.object({ name: z.string().trim().min(1).max(200) });

/** `POST /auth/mfa/enrol`: a signed-in user sets up (or replaces) their authenticator. */
export const mfaEnrolRequestSchema = z.object({
  /** A current code of the authenticator in use: required to replace it. */
  code: z.string().max(64).optional(),
});

/** A browser remembered at the MFA prompt (`GET /auth/trusted-devices`). */
export const trustedDeviceSchema = z.object({
  id: z.guid(),
  createdAt: z.string(),
  lastUsedAt: z.string(),
  expiresAt: z.string(),
  userAgent: z.string().nullable(),
  ip: z.string().nullable(),
  /** The browser this request came from. */
  current: z.boolean(),
});
export type TrustedDevice = z.infer<typeof trustedDeviceSchema>;

/** Device login (RFC 8628, camelCase): what a CLI asks for and polls with. */
export const deviceCodeRequestSchema = z.object({ clientName: z.string().trim().min(1).max(100).optional() });
export const deviceCodeResponseSchema = z.object({
  deviceCode: z.string(),
  userCode: z.string(),
  verificationUri: z.string(),
  verificationUriComplete: z.string(),
  expiresIn: z.number().int(),
  interval: z.number().int(),
});
export type DeviceCodeResponse = z.infer<typeof deviceCodeResponseSchema>;
export const deviceTokenRequestSchema = z.object({ deviceCode: z.string().min(1).max(128) });
export const deviceTokenErrors = [
  "authorization_pending",
  "slow_down",
  "access_denied",
  "expired_token",
] as const;
export const deviceTokenErrorSchema = z.object({
  error: z.enum(deviceTokenErrors),
  message: z.string(),
  interval: z.number().int().optional(),
});
/** The code the user types or follows, for the signed-in user's approval page. */
export const deviceUserCodeSchema = z.object({ userCode: z.string().trim().min(1).max(32) });
export const deviceRequestSchema = z.object({
  userCode: z.string(),
  clientName: z.string().nullable(),
  ip: z.string().nullable(),
  createdAt: z.string(),
  expiresAt: z.string(),
});
export type DeviceRequest = z.infer<typeof deviceRequestSchema>;
