import { z } from "zod";
import { listQuerySchema } from "./organizations.js";

/** What a secret's value is shown as everywhere outside a run: the clear value never leaves the API. */
export const SECRET_PLACEHOLDER = "[SECRET]";

export const configTypeSchema = z.enum(["string", "int", "bool", "json", "secret"]);
export type ConfigValueType = z.infer<typeof configTypeSchema>;

const configKeySchema = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .regex(/^[^\s\p{Cc}]+$/u, "must not contain spaces or control characters");

// Any JSON value; checked against the entry's type by the service (422 with `body.value`).
const configValueSchema = z
  .unknown()
  .refine((value) => value !== undefined, "is required")
  .meta({ description: "int: an integer; bool: a boolean; json: any JSON; string and secret: a string" });

/** A config entry as the REST API shows it: a secret's value is always "[SECRET]". */
export const configEntrySchema = z.object({
  id: z.guid(),
  key: z.string(),
  value: z.unknown(),
  type: configTypeSchema,
  description: z.string().nullable(),
  /** null: global, shared by every organization. */
  organizationId: z.guid().nullable(),
  updatedBy: z.guid().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ConfigEntry = z.infer<typeof configEntrySchema>;

export const createConfigSchema = z.object({
  key: configKeySchema,
  value: configValueSchema,
  type: configTypeSchema,
  organizationId: z.guid().nullish(),
  description: z.string().max(2000).nullish(),
});
export type CreateConfig = z.infer<typeof createConfigSchema>;

export const updateConfigSchema = z.object({
  value: z.unknown().optional(),
  type: configTypeSchema.optional(),
  description: z.string().max(2000).nullish(),
});
export type UpdateConfig = z.infer<typeof updateConfigSchema>;

/** `?scope=global` or `?scope=<organizationId>` narrows the list (platform admins see every scope). */
export const configListQuerySchema = listQuerySchema.extend({
  scope: z.union([z.literal("global"), z.guid()]).optional(),
});

// The SDK's routes (`/api/sdk/config/*`): a run acts inside its own organization, never another's.

export const sdkConfigKeySchema = z.object({ key: configKeySchema });

export const sdkConfigGetResultSchema = z.object({
  found: z.boolean(),
  /** The value in clear (a secret decrypted: the SDK registers it for redaction); null when not found. */
  value: z.unknown(),
  secret: z.boolean(),
});
export type SdkConfigGetResult = z.infer<typeof sdkConfigGetResultSchema>;

export const sdkConfigSetSchema = z.object({
  key: configKeySchema,
  value: configValueSchema,
  secret: z.boolean().optional(),
});

export const sdkConfigItemSchema = z.object({
  key: z.string(),
  /** "[SECRET]" for a secret. */
  value: z.unknown(),
  type: configTypeSchema,
  /** Where the value the run sees comes from: its organization, or global. */
  scope: z.enum(["organization", "global"]),
});
export type SdkConfigItem = z.infer<typeof sdkConfigItemSchema>;

export const sdkConfigListResultSchema = z.object({ items: z.array(sdkConfigItemSchema) });

export const sdkConfigDeleteResultSchema = z.object({ deleted: z.boolean() });
