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
  /** JSON Schema of the input: parameters with a default are optional. */
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
