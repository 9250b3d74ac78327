import { z } from "zod";

/** Error kinds of API.md "Conventions", each with its one HTTP status. */
export const errorStatusByKind = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation_error: 422,
  rate_limited: 429,
  internal_error: 500,
  unavailable: 503,
  timeout: 504,
} as const;

export type ErrorKind = keyof typeof errorStatusByKind;

export const errorKindSchema = z.enum(Object.keys(errorStatusByKind) as [ErrorKind, ...ErrorKind[]]);

export const fieldErrorSchema = z.object({
  path: z.string().describe("Dotted path of the field, e.g. `body.email`"),
  message: z.string(),
});
export type FieldError = z.infer<typeof fieldErrorSchema>;

export const errorBodySchema = z.object({
  error: errorKindSchema,
  message: z.string(),
  details: z.unknown().optional(),
  requestId: z.string(),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;
