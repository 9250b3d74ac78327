import { z } from "zod";
import { listQuerySchema } from "./organizations.js";

/** Most documents an insert, upsert or delete batch may carry, and most items a query answers. */
export const MAX_TABLE_BATCH = 1000;
export const MAX_QUERY_LIMIT = 1000;
export const DEFAULT_QUERY_LIMIT = 100;

/** A table's name: not UUID-shaped, so `{idOrName}` is never ambiguous. */
export const tableNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.\- ]*$/, "letters, digits, spaces and _ . - only")
  .refine((name) => !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(name), {
    message: "must not look like an id",
  });

/** A document's id: chosen by the caller (≤ 255 characters) or a generated UUID. */
export const documentIdSchema = z.string().min(1).max(255);
export const documentDataSchema = z.record(z.string(), z.unknown());

export const tableSchema = z.object({
  id: z.guid(),
  name: z.string(),
  description: z.string().nullable(),
  schema: z.record(z.string(), z.unknown()).nullable(),
  /** Null: global, readable by every organization's runs. */
  organizationId: z.guid().nullable(),
  createdBy: z.guid().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Table = z.infer<typeof tableSchema>;

export const createTableSchema = z.object({
  name: tableNameSchema,
  /** Platform admins: the organization it belongs to (absent: global). Ignored for runs. */
  organizationId: z.guid().nullable().optional(),
  description: z.string().max(2000).nullable().optional(),
});
export type CreateTable = z.infer<typeof createTableSchema>;

export const updateTableSchema = z.object({
  name: tableNameSchema.optional(),
  description: z.string().max(2000).nullable().optional(),
});
export type UpdateTable = z.infer<typeof updateTableSchema>;

/** `?scope=`: the scope a platform admin acts in (`global` or an organization's id). */
export const tableScopeQuerySchema = z.object({
  scope: z.union([z.literal("global"), z.guid()]).optional(),
});
export const tableListQuerySchema = listQuerySchema.extend(tableScopeQuerySchema.shape);

export const tableParamsSchema = z.object({ idOrName: z.string().min(1).max(255) });
export const documentParamsSchema = tableParamsSchema.extend({ docId: documentIdSchema });

export const documentSchema = z.object({
  id: z.string(),
  data: documentDataSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TableDocument = z.infer<typeof documentSchema>;

export const documentDetailSchema = documentSchema.extend({
  createdBy: z.guid().nullable(),
  updatedBy: z.guid().nullable(),
});
export type TableDocumentDetail = z.infer<typeof documentDetailSchema>;

export const insertDocumentSchema = z.object({ id: documentIdSchema.optional(), data: documentDataSchema });
export const upsertDocumentSchema = z.object({ id: documentIdSchema, data: documentDataSchema });
export const patchDocumentSchema = z.object({ data: documentDataSchema });

/**
 * `where`: `{ field: value }` (equality) or `{ field: { op: value } }`; every condition AND-ed.
 * Operators and field names are checked by the server's compiler (422 with the offending path).
 */
export const queryOperators = [
  "eq",
  "ne",
  "contains",
  "startsWith",
  "endsWith",
  "gt",
  "gte",
  "lt",
  "lte",
  "in",
  "isNull",
  "hasKey",
] as const;
export type QueryOperator = (typeof queryOperators)[number];
export const whereSchema = z.record(z.string(), z.unknown());
export type Where = z.infer<typeof whereSchema>;

export const documentQuerySchema = z.object({
  where: whereSchema.optional(),
  orderBy: z.string().min(1).max(200).optional(),
  orderDir: z.enum(["asc", "desc"]).default("asc"),
  limit: z.number().int().min(1).max(MAX_QUERY_LIMIT).default(DEFAULT_QUERY_LIMIT),
  offset: z.number().int().min(0).default(0),
});
export type DocumentQuery = z.infer<typeof documentQuerySchema>;

export const documentPageSchema = z.object({
  items: z.array(documentSchema),
  /** The offset of the next page; null after the last one. */
  nextOffset: z.number().int().nullable(),
});
export type DocumentPage = z.infer<typeof documentPageSchema>;

export const documentCountSchema = z.object({ where: whereSchema.optional() });
export const countAnswerSchema = z.object({ count: z.number().int() });

export const documentBatchSchema = z.object({
  mode: z.enum(["insert", "upsert"]),
  documents: z.array(insertDocumentSchema).min(1).max(MAX_TABLE_BATCH),
});
export type DocumentBatch = z.infer<typeof documentBatchSchema>;
export const batchAnswerSchema = z.object({ ids: z.array(z.string()) });

export const batchDeleteSchema = z.object({ ids: z.array(documentIdSchema).min(1).max(MAX_TABLE_BATCH) });
export const batchDeleteAnswerSchema = z.object({ deleted: z.number().int() });
