import { z } from "zod";

/** API keys of workflow endpoints (API.md `POST /api/workflow-keys`). */
export const createWorkflowKeySchema = z.object({
  workflowId: z.guid(),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});
export type CreateWorkflowKey = z.infer<typeof createWorkflowKeySchema>;

/** The answer of the creation: the raw key appears only here. */
export const createdWorkflowKeySchema = z.object({
  id: z.guid(),
  workflowId: z.guid(),
  key: z.string(),
  expiresAt: z.string().nullable(),
});

/** A key as listed: never the raw key, only its first characters. */
export const workflowKeySchema = z.object({
  id: z.guid(),
  workflowId: z.guid(),
  workflowName: z.string(),
  prefix: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  createdAt: z.string(),
});
export type WorkflowKey = z.infer<typeof workflowKeySchema>;

export const workflowKeyListQuerySchema = z.object({ workflowId: z.guid().optional() });

/** The header a workflow endpoint authenticates with. */
export const WORKFLOW_KEY_HEADER = "x-bifrost-key";
