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
export const mfaLoginRequestSchema = z.object({ mfaToken: z.string().max(4096), code: z.string().max(64) });
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
