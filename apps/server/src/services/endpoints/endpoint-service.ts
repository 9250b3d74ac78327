import { MethodNotAllowedError, NotFoundError, UnauthorizedError, ValidationError } from "../../errors.js";
import type { Logger } from "../../infra/logger.js";
import type { WorkflowKeysRepository } from "../../repositories/workflow-keys.js";
import type { WorkflowsRepository } from "../../repositories/workflows.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { AuditActor } from "../../principal.js";
import type { ExecuteAnswer, ExecutionService } from "../execution/accept/execution-service.js";
import { coerceQuery } from "./coercion.js";
import { endpointOperations, type EndpointsDocument } from "./openapi-operations.js";
import { hashWorkflowKey, WORKFLOW_KEY_PREFIX } from "./workflow-keys-service.js";
import { type Caller } from "../../principal.js";

export const ENDPOINT_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/** `lastUsedAt` is written at most this often per key (it is shown in lists, not used for access). */
const TOUCH_EVERY_MS = 60_000;

export type EndpointCall = {
  workflowName: string;
  method: string;
  key: string | undefined;
  query: Record<string, unknown>;
  body: unknown;
  actor: AuditActor;
};

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Workflow endpoints (`ANY /api/endpoints/{workflowName}`): authenticated by a workflow key
 * (`X-Bifrost-Key`), run as the system user in the workflow's organization (else the provider
 * organization), `triggeredBy` "endpoint", `sourceId` the key's id. Every call with a known key is
 * audited (`workflow_key.use`, written without waiting for it).
 */
export class EndpointService {
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly deps: {
      keys: WorkflowKeysRepository;
      workflows: WorkflowsRepository;
      executions: ExecutionService;
      audit: AuditLog;
      logger: Logger;
    },
  ) {}

  async call(call: EndpointCall): Promise<ExecuteAnswer> {
    if (!call.key?.startsWith(WORKFLOW_KEY_PREFIX))
      throw new UnauthorizedError("Missing or invalid X-Bifrost-Key");
    const target = await this.deps.keys.findByHash(hashWorkflowKey(call.key));
    if (!target) throw new UnauthorizedError("Missing or invalid X-Bifrost-Key");
    const { key, workflow } = target;
    const audit = (outcome: "success" | "failure", reason?: string): void => {
      void this.deps.audit
        .record(call.actor, {
          action: "workflow_key.use",
          resourceType: "workflow_key",
          resourceId: key.id,
          outcome,
          details: { workflowId: workflow.id, method: call.method, ...(reason ? { reason } : {}) },
        })
        .catch((error: unknown) => this.deps.logger.warn({ err: error }, "workflow key use not audited"));
    };
    if (key.expiresAt && key.expiresAt.getTime() <= Date.now()) {
      audit("failure", "expired");
      throw new UnauthorizedError("The workflow key has expired");
    }
    if (workflow.name !== call.workflowName) {
      audit("failure", "other workflow");
      throw new UnauthorizedError("Missing or invalid X-Bifrost-Key");
    }
    if (!workflow.isActive || !workflow.endpointEnabled) {
      audit("failure", "endpoint not enabled");
      throw new NotFoundError("Endpoint not found");
    }
    if (!workflow.allowedMethods.includes(call.method)) {
      audit("failure", "method not allowed");
      throw new MethodNotAllowedError(
        `${call.method} is not allowed on this endpoint`,
        workflow.allowedMethods,
      );
    }
    if (call.body !== undefined && call.body !== null && !isPlainObject(call.body)) {
      audit("failure", "body not an object");
      throw new ValidationError("The body must be a JSON object", [
        { path: "body", message: "expected an object" },
      ]);
    }
    audit("success");
    this.touch(key.id, key.lastUsedAt);
    // Body values win over query values of the same name.
    const inputData = { ...coerceQuery(call.query, workflow.parametersSchema), ...(call.body ?? {}) };
    return await this.deps.executions.executeAsSystem(
      workflow,
      { inputData, sync: workflow.executionMode === "sync" },
      { triggeredBy: "endpoint", sourceId: key.id },
    );
  }

  /**
   * OpenAPI paths of the enabled endpoints `caller` may see, with each workflow's parameter schema
   * and the components those refer to; none for an anonymous caller (the document itself is public).
   */
  async openApiAdditions(caller: Caller | undefined): Promise<EndpointsDocument> {
    const additions: EndpointsDocument = { paths: {}, schemas: {} };
    if (!caller) return additions;
    for (const endpoint of await this.deps.workflows.enabledEndpoints(caller)) {
      const path = `/api/endpoints/${encodeURIComponent(endpoint.name)}`;
      if (additions.paths[path]) continue;
      const { operations, schemas } = endpointOperations(endpoint);
      additions.paths[path] = operations;
      Object.assign(additions.schemas, schemas);
    }
    return additions;
  }

  private touch(id: string, lastUsedAt: Date | null): void {
    const now = Date.now();
    const last = Math.max(lastUsedAt?.getTime() ?? 0, this.touched.get(id) ?? 0);
    if (now - last < TOUCH_EVERY_MS) return;
    if (this.touched.size > 10_000) this.touched.clear();
    this.touched.set(id, now);
    void this.deps.keys
      .touch(id)
      .catch((error: unknown) => this.deps.logger.warn({ err: error }, "lastUsedAt not saved"));
  }
}
