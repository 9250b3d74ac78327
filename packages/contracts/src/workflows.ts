import { z } from "zod";
import { listQuerySchema } from "./organizations.js";

export const workflowTypeSchema = z.enum(["workflow", "tool", "data_provider"]);
export const accessLevelSchema = z.enum(["authenticated", "role_based"]);
export const executionModeSchema = z.enum(["sync", "async"]);
export const httpMethodSchema = z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]);

/**
 * How a failed run is tried again (`PATCH /api/workflows/{id}`): after `initialDelaySeconds`, then
 * each delay `backoffMultiplier` times the last, never more than `maxDelaySeconds`. `retryOn` lists
 * the error types that retry (`Timeout` among them if wanted); absent, every error type but
 * `UserError` retries. A cancelled run is never retried.
 */
export const retryPolicySchema = z.object({
  /** 0: none. */
  retries: z.number().int().min(0).max(25),
  initialDelaySeconds: z.number().min(0).max(86_400).default(1),
  backoffMultiplier: z.number().min(1).max(10).default(2),
  maxDelaySeconds: z.number().min(0).max(86_400).default(3_600),
  retryOn: z
    .array(z.string().trim().min(1).max(100))
    .max(50)
    .refine((types) => new Set(types).size === types.length, "must not repeat an error type")
    .optional(),
});
export type RetryPolicy = z.infer<typeof retryPolicySchema>;

/** A registered definition of the workspace (one export of one file) and its settings. */
export const workflowSchema = z.object({
  id: z.guid(),
  name: z.string(),
  description: z.string().nullable(),
  category: z.string().nullable(),
  tags: z.array(z.string()),
  type: workflowTypeSchema,
  path: z.string(),
  exportName: z.string(),
  /**
   * JSON Schema of the input: parameters with a default are optional. Each object schema carries
   * `x-order` (`PROPERTY_ORDER_KEY`), its properties in declared order.
   */
  parametersSchema: z.record(z.string(), z.unknown()),
  /** Null: global, runnable by every organization. */
  organizationId: z.guid().nullable(),
  accessLevel: accessLevelSchema,
  /** 0: no timeout. */
  timeoutSeconds: z.number().int(),
  /** False once its export is gone from the workspace; executions keep pointing at it. */
  isActive: z.boolean(),
  endpointEnabled: z.boolean(),
  executionMode: executionModeSchema,
  allowedMethods: z.array(httpMethodSchema),
  cacheTtlSeconds: z.number().int(),
  /** Null: a failed run is not retried (a lost worker's run is re-queued regardless, DESIGN.md §5). */
  retryPolicy: retryPolicySchema.nullable(),
  roleIds: z.array(z.guid()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Workflow = z.infer<typeof workflowSchema>;

const booleanQuery = z.enum(["true", "false"]).transform((value) => value === "true");

/** `GET /api/workflows`; `type` narrows any list, `scope` and `isActive` a platform admin's only. */
export const workflowListQuerySchema = listQuerySchema.extend({
  scope: z.union([z.literal("global"), z.guid()]).optional(),
  type: workflowTypeSchema.optional(),
  isActive: booleanQuery.optional(),
});

const seconds = z.number().int().min(0).max(86_400);

/** `PATCH /api/workflows/{id}`: the settings a platform admin may change. */
export const updateWorkflowSchema = z.object({
  timeoutSeconds: seconds.optional(),
  accessLevel: accessLevelSchema.optional(),
  /** Replaces the set of roles. */
  roleIds: z.array(z.guid()).max(1000).optional(),
  /** Null: global. */
  organizationId: z.guid().nullable().optional(),
  endpointEnabled: z.boolean().optional(),
  executionMode: executionModeSchema.optional(),
  allowedMethods: z
    .array(httpMethodSchema)
    .min(1)
    .refine((methods) => new Set(methods).size === methods.length, "must not repeat a method")
    .optional(),
  cacheTtlSeconds: seconds.optional(),
  /** Null or `retries: 0`: no retries. */
  retryPolicy: retryPolicySchema.nullable().optional(),
});
export type UpdateWorkflow = z.infer<typeof updateWorkflowSchema>;

/**
 * The key, on every object schema of a workflow's `parametersSchema`, whose value lists the object's
 * property names in the order the workflow declared them. `parameters_schema` is a jsonb column and
 * jsonb sorts object keys (shorter first, then by bytes), so the order of `properties` does not
 * survive storage; an array does. An `x-` name: JSON Schema and OpenAPI tools ignore it.
 */
export const PROPERTY_ORDER_KEY = "x-order";

type SchemaNode = Record<string, unknown>;

const isNode = (value: unknown): value is SchemaNode =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** Keywords whose value is one subschema, an array of them, or a map of name → subschema. */
const ONE_SCHEMA = [
  "items",
  "additionalProperties",
  "unevaluatedProperties",
  "unevaluatedItems",
  "contains",
  "propertyNames",
  "not",
  "if",
  "then",
  "else",
] as const;
const SCHEMA_ARRAYS = ["items", "prefixItems", "allOf", "anyOf", "oneOf"] as const;
const SCHEMA_MAPS = ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"] as const;

/**
 * A copy of `schema` where each object schema with `properties` (nested ones too: in properties,
 * items, unions, `$defs`) carries `PROPERTY_ORDER_KEY` = its property names in their current key
 * order. Only schema positions are visited: a parameter named `properties`, or a default value
 * shaped like a schema, is left alone.
 */
export function withPropertyOrder<T extends SchemaNode>(schema: T): T {
  const out: SchemaNode = { ...schema };
  for (const key of ONE_SCHEMA) if (isNode(out[key])) out[key] = withPropertyOrder(out[key]);
  for (const key of SCHEMA_ARRAYS) {
    const list: unknown = out[key];
    if (Array.isArray(list))
      out[key] = (list as unknown[]).map((item) => (isNode(item) ? withPropertyOrder(item) : item));
  }
  for (const key of SCHEMA_MAPS) {
    const map = out[key];
    if (!isNode(map)) continue;
    out[key] = Object.fromEntries(
      Object.entries(map).map(([name, child]) => [name, isNode(child) ? withPropertyOrder(child) : child]),
    );
  }
  if (isNode(out.properties)) out[PROPERTY_ORDER_KEY] = Object.keys(out.properties);
  return out as T;
}

/**
 * The `properties` of an object schema in declared order: `PROPERTY_ORDER_KEY` first (names it
 * lists that exist), then any property it does not list, in key order (a schema stored before the
 * key existed keeps jsonb's order).
 */
export function propertiesInOrder<T>(schema: {
  properties?: Record<string, T> | undefined;
  [PROPERTY_ORDER_KEY]?: unknown;
}): Array<[string, T]> {
  const properties = schema.properties ?? {};
  const declared = schema[PROPERTY_ORDER_KEY];
  const names = new Set<string>(
    Array.isArray(declared)
      ? declared.filter((name): name is string => typeof name === "string" && Object.hasOwn(properties, name))
      : [],
  );
  for (const name of Object.keys(properties)) names.add(name);
  return [...names].map((name) => [name, properties[name] as T]);
}
