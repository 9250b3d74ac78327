import { createHash, randomBytes } from "node:crypto";
import type { CreateWorkflowKey, WorkflowKey } from "@bifrost/contracts";
import { NotFoundError, ValidationError } from "../../errors.js";
import type { WorkflowKeyListRow, WorkflowKeysRepository } from "../../repositories/workflow-keys.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { AuditActor } from "../../principal.js";
import type { RunnableWorkflows } from "../workflows/runnable-workflows.js";

export const WORKFLOW_KEY_PREFIX = "bfk_";
/** Characters of a key kept in clear to tell keys apart in lists (`bfk_` and 8 more). */
const SHOWN_CHARS = 12;

/** The SHA-256 (hex) a key is stored and looked up by. */
export const hashWorkflowKey = (key: string): string => createHash("sha256").update(key).digest("hex");

const toKey = (row: WorkflowKeyListRow): WorkflowKey => ({
  id: row.id,
  workflowId: row.workflowId,
  workflowName: row.workflowName,
  prefix: row.prefix,
  expiresAt: row.expiresAt?.toISOString() ?? null,
  lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  createdAt: row.createdAt.toISOString(),
});

/** API keys of workflow endpoints (platform admins): the raw key is shown once, at creation. */
export class WorkflowKeysService {
  constructor(
    private readonly deps: {
      keys: WorkflowKeysRepository;
      runnable: Pick<RunnableWorkflows, "byId">;
      audit: AuditLog;
    },
  ) {}

  async create(
    actor: AuditActor & { userId: string; organizationId: string },
    request: CreateWorkflowKey,
  ): Promise<{ id: string; workflowId: string; key: string; expiresAt: string | null }> {
    // Platform admins only (the route's access rule): any workflow.
    const workflow = await this.deps.runnable.byId(request.workflowId);
    if (!workflow) throw new NotFoundError("Workflow not found");
    const expiresAt = request.expiresAt === undefined ? null : new Date(request.expiresAt);
    if (expiresAt && expiresAt.getTime() <= Date.now()) {
      throw new ValidationError("expiresAt must be in the future", [
        { path: "body.expiresAt", message: "must be in the future" },
      ]);
    }
    const key = `${WORKFLOW_KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
    const row = await this.deps.keys.insert({
      workflowId: workflow.id,
      keyHash: hashWorkflowKey(key),
      prefix: key.slice(0, SHOWN_CHARS),
      expiresAt,
      createdBy: actor.userId,
    });
    await this.deps.audit.record(actor, {
      action: "workflow_key.create",
      resourceType: "workflow_key",
      resourceId: row.id,
      details: { workflowId: workflow.id, workflowName: workflow.name, prefix: row.prefix },
    });
    return { id: row.id, workflowId: row.workflowId, key, expiresAt: row.expiresAt?.toISOString() ?? null };
  }

  async list(workflowId: string | undefined): Promise<WorkflowKey[]> {
    return (await this.deps.keys.list(workflowId)).map(toKey);
  }

  async delete(actor: AuditActor, id: string): Promise<void> {
    const row = await this.deps.keys.delete(id);
    if (!row) throw new NotFoundError("Workflow key not found");
    await this.deps.audit.record(actor, {
      action: "workflow_key.delete",
      resourceType: "workflow_key",
      resourceId: row.id,
      details: { workflowId: row.workflowId, prefix: row.prefix },
    });
  }
}
