import { z } from "zod";

export const ssoProviderKinds = ["oidc", "entra", "google"] as const;
export type SsoProviderKind = (typeof ssoProviderKinds)[number];

/** A provider's name: part of its URLs (`/auth/oauth/init/{name}`). */
export const ssoProviderNameSchema = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/, "must be 1-40 lowercase letters, digits or -");

/**
 * `PUT /api/settings/oauth/{name}`. `issuer` is required for `oidc`; for `entra` and `google` it
 * defaults to Microsoft's multi-tenant (`organizations`) and Google's issuer, and may point elsewhere
 * (a sovereign cloud, a single tenant, a test provider).
 */
export const putSsoProviderSchema = z
  .object({
    kind: z.enum(ssoProviderKinds),
    displayName: z.string().trim().min(1).max(100),
    issuer: z
      .url({ protocol: /^https?$/ })
      .max(500)
      .optional(),
    clientId: z.string().trim().min(1).max(500),
    /** Kept when omitted. */
    clientSecret: z.string().min(1).max(2000).optional(),
    requireMfa: z.boolean().optional(),
    provisionIntoProvider: z.boolean().optional(),
  })
  .refine((p) => p.kind !== "oidc" || p.issuer !== undefined, {
    path: ["issuer"],
    message: "an OpenID Connect provider needs its issuer URL",
  });
export type PutSsoProvider = z.infer<typeof putSsoProviderSchema>;

/** A provider as admins see it: never its secret. */
export const ssoProviderSchema = z.object({
  name: z.string(),
  kind: z.enum(ssoProviderKinds),
  displayName: z.string(),
  issuer: z.string(),
  clientId: z.string(),
  hasClientSecret: z.boolean(),
  requireMfa: z.boolean(),
  provisionIntoProvider: z.boolean(),
  /** Where the provider must send users back (register it at the provider). */
  redirectUri: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type SsoProvider = z.infer<typeof ssoProviderSchema>;

/** `POST /api/settings/oauth/{name}/test`: whether its discovery document and keys can be read. */
export const ssoProviderTestSchema = z.object({
  ok: z.boolean(),
  issuer: z.string().nullable(),
  message: z.string(),
});

/** A sign-in provider linked to the caller's account (`GET /auth/identities`). */
export const linkedIdentitySchema = z.object({
  id: z.guid(),
  provider: z.string(),
  providerDisplayName: z.string(),
  email: z.string().nullable(),
  createdAt: z.string(),
  lastUsedAt: z.string(),
});
export type LinkedIdentity = z.infer<typeof linkedIdentitySchema>;
