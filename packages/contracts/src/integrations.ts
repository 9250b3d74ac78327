import { z } from "zod";

// OAuth connections (provider configs) and integrations: API.md / bifrost-features.md §1.7.

const nameSchema = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._-]+$/, "letters, digits, '.', '_' and '-' only");

export const oauthFlowSchema = z.enum(["authorization_code", "client_credentials"]);
export const oauthTokenStatusSchema = z.enum(["connected", "expired", "error"]);

/**
 * The browser is sent to the authorize URL and the server posts to the token URL: http(s) only, so
 * a stored `javascript:` or `data:` URL can never run in the Connect button's page.
 */
const webUrlSchema = z.url({ protocol: /^https?$/, error: "must be an http or https URL" });

export const createOAuthProviderSchema = z.object({
  name: nameSchema,
  flow: oauthFlowSchema,
  clientId: z.string().min(1).max(500),
  /** Stored sealed; never returned. */
  clientSecret: z.string().min(1).max(4000).nullish(),
  authorizeUrl: webUrlSchema.nullish(),
  tokenUrl: webUrlSchema,
  scopes: z.array(z.string().min(1).max(500)).max(100).default([]),
  audience: z.string().max(500).nullish(),
  extraTokenParams: z.record(z.string(), z.string()).default({}),
});
export type CreateOAuthProvider = z.infer<typeof createOAuthProviderSchema>;

/** Every field optional; `clientSecret: null` removes the secret. */
export const updateOAuthProviderSchema = createOAuthProviderSchema
  .omit({ name: true })
  .partial()
  .extend({
    scopes: z.array(z.string()).optional(),
    extraTokenParams: z.record(z.string(), z.string()).optional(),
  });
export type UpdateOAuthProvider = z.infer<typeof updateOAuthProviderSchema>;

/** One token's state, never the token itself. */
export const oauthConnectionStatusSchema = z.object({
  organizationId: z.guid().nullable(),
  status: oauthTokenStatusSchema,
  expiresAt: z.string().nullable(),
  scopes: z.array(z.string()),
  lastError: z.string().nullable(),
  updatedAt: z.string(),
});

export const oauthProviderSchema = z.object({
  id: z.guid(),
  name: z.string(),
  flow: oauthFlowSchema,
  clientId: z.string(),
  hasClientSecret: z.boolean(),
  authorizeUrl: z.string().nullable(),
  tokenUrl: z.string(),
  scopes: z.array(z.string()),
  audience: z.string().nullable(),
  extraTokenParams: z.record(z.string(), z.string()),
  connections: z.array(oauthConnectionStatusSchema),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type OAuthProvider = z.infer<typeof oauthProviderSchema>;

export const oauthNameParams = z.object({ name: nameSchema });
export const oauthAuthorizeSchema = z.object({ organizationId: z.guid().nullish() });
export const oauthAuthorizeResultSchema = z.object({ url: z.string() });
export const oauthCallbackQuerySchema = z.object({
  code: z.string().max(4000).optional(),
  state: z.string().max(200).optional(),
  error: z.string().max(500).optional(),
  error_description: z.string().max(2000).optional(),
});
export const oauthCallbackResultSchema = z.object({
  provider: z.string(),
  organizationId: z.guid().nullable(),
  status: oauthTokenStatusSchema,
});

// Integrations.

export const integrationConfigFieldSchema = z.object({
  key: z
    .string()
    .min(1)
    .max(255)
    .regex(/^[^\s\p{Cc}]+$/u),
  type: z.enum(["string", "int", "bool", "json"]),
  required: z.boolean().default(false),
  default: z.unknown().optional(),
  secret: z.boolean().default(false),
});
export type IntegrationConfigField = z.infer<typeof integrationConfigFieldSchema>;

export const createIntegrationSchema = z.object({
  name: nameSchema,
  description: z.string().max(2000).nullish(),
  configSchema: z.array(integrationConfigFieldSchema).max(200).default([]),
  /** The name of an OAuth connection whose tokens the mappings use. */
  oauthProvider: z.string().nullish(),
});
export type CreateIntegration = z.infer<typeof createIntegrationSchema>;
export const updateIntegrationSchema = createIntegrationSchema.partial();
export type UpdateIntegration = z.infer<typeof updateIntegrationSchema>;

/** Config values as REST shows them: a secret's value is always "[SECRET]". */
const configValuesSchema = z.record(z.string(), z.unknown());

export const integrationSchema = z.object({
  id: z.guid(),
  name: z.string(),
  description: z.string().nullable(),
  configSchema: z.array(integrationConfigFieldSchema),
  defaults: configValuesSchema,
  oauthProvider: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Integration = z.infer<typeof integrationSchema>;

export const integrationConfigSchema = z.object({ config: configValuesSchema });

export const upsertMappingSchema = z.object({
  /** null or absent: the global mapping. */
  organizationId: z.guid().nullish(),
  entityId: z.string().max(500).nullish(),
  entityName: z.string().max(500).nullish(),
  config: configValuesSchema.default({}),
});
export type UpsertMapping = z.infer<typeof upsertMappingSchema>;
export const updateMappingSchema = upsertMappingSchema.omit({ organizationId: true }).partial();
export type UpdateMapping = z.infer<typeof updateMappingSchema>;
export const batchMappingsSchema = z.object({ mappings: z.array(upsertMappingSchema).min(1).max(500) });

export const integrationMappingSchema = z.object({
  id: z.guid(),
  integrationId: z.guid(),
  organizationId: z.guid().nullable(),
  entityId: z.string().nullable(),
  entityName: z.string().nullable(),
  config: configValuesSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type IntegrationMapping = z.infer<typeof integrationMappingSchema>;

export const integrationMappingParams = z.object({ id: z.guid(), mappingId: z.guid() });
export const integrationNameParams = z.object({ name: nameSchema });

export const integrationTestResultSchema = z.object({
  ok: z.boolean(),
  problems: z.array(z.string()),
});

// The SDK's routes (`/api/sdk/integrations/*`): always the run's organization (then global).

export const sdkIntegrationNameSchema = z.object({ name: z.string().min(1).max(100) });

export const sdkOAuthTokenSchema = z.object({
  accessToken: z.string(),
  expiresAt: z.string().nullable(),
  scopes: z.array(z.string()),
});

export type SdkOAuthToken = z.infer<typeof sdkOAuthTokenSchema>;

export const sdkIntegrationSchema = z.object({
  entityId: z.string().nullable(),
  entityName: z.string().nullable(),
  /** Defaults merged with the mapping's overrides; secrets in clear (the SDK registers them). */
  config: configValuesSchema,
  /** The names of the secret keys of `config`. */
  secretKeys: z.array(z.string()),
  oauth: sdkOAuthTokenSchema.nullable(),
});
export type SdkIntegration = z.infer<typeof sdkIntegrationSchema>;
export const sdkIntegrationGetResultSchema = z.object({ integration: sdkIntegrationSchema.nullable() });

export const sdkMappingSchema = z.object({
  organizationId: z.guid().nullable(),
  entityId: z.string().nullable(),
  entityName: z.string().nullable(),
  /** Secrets as "[SECRET]". */
  config: configValuesSchema,
});
export type SdkMapping = z.infer<typeof sdkMappingSchema>;
export const sdkMappingListResultSchema = z.object({ items: z.array(sdkMappingSchema) });
export const sdkMappingResultSchema = z.object({ mapping: sdkMappingSchema.nullable() });
export const sdkUpsertMappingSchema = z.object({
  name: z.string().min(1).max(100),
  entityId: z.string().max(500).nullish(),
  entityName: z.string().max(500).nullish(),
  config: configValuesSchema.default({}),
});
export const sdkDeleteMappingResultSchema = z.object({ deleted: z.boolean() });
