import { createHash, randomUUID } from "node:crypto";
import type { ExecuteRequest } from "@bifrost/contracts";
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  TimeoutError,
  UnavailableError,
  ValidationError,
} from "../../../errors.js";
import { SYSTEM_USER_ID } from "../../../db/schema/triggers.js";
import type { Bus } from "../../../infra/bus/bus.js";
import type { Logger } from "../../../infra/logger.js";
import type { WorkQueue } from "../../../infra/queue/work-queue.js";
import type { AcceptedRun, AcceptRow, ExecutionBatches } from "../../../repositories/execution-batches.js";
import type { ExecutionRow, ExecutionsRepository } from "../../../repositories/executions.js";
import { publishRun, syncAnswerOf, type ExecutionEvents, type SyncAnswer } from "../channels.js";
import type { RunDispatcher } from "../dispatcher.js";
import type { RunnableWorkflows } from "../../workflows/runnable-workflows.js";
import { requestCancellation } from "./cancellation.js";
import type { InputValidator } from "./input-validation.js";
import { MicroBatcher } from "../micro-batch.js";
import type { SyncResults } from "./sync-results.js";
import { callerOf, systemPrincipal, type Principal } from "../../../principal.js";

/** A workflow the caller may run, as the execute path needs it. */
export type RunnableWorkflow = {
  id: string;
  name: string;
  type: "workflow" | "tool" | "data_provider";
  organizationId: string | null;
  parametersSchema: Record<string, unknown>;
  timeoutSeconds: number;
  cacheTtlSeconds: number;
  updatedAt: Date;
};

/** The runnable-workflow service as the engine uses it (services/workflows/runnable-workflows.ts). */
export type WorkflowLookup = Pick<RunnableWorkflows, "find" | "forTrigger" | "organizationFor">;

export type ExecuteOptions = {
  idempotencyKey?: string | undefined;
  triggeredBy?: ExecutionRow["triggeredBy"];
  /** What started the run (an endpoint's key, a schedule…), kept on the row. */
  sourceId?: string | undefined;
  /** The execution this run repeats (`rerun`). */
  rerunOf?: string | undefined;
};

export type ExecuteAnswer =
  | { mode: "async"; body: { executionId: string; status: ExecutionRow["status"] } }
  | { mode: "sync"; body: SyncAnswer };

/** Sync waits: the run's timeout plus this (API.md); no timeout waits a day. */
const SYNC_MARGIN_MS = 60_000;
const NO_TIMEOUT_WAIT_MS = 24 * 3600 * 1000;
const SYNC_POLL_MS = 5_000;
const MAX_ATTEMPTS = 2;

const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );

/**
 * A data provider's answer is kept per (organization, caller, provider, input): a provider sees
 * `ctx.caller` and may answer each person differently (their own tickets, an admin's wider view), so
 * an answer made for one caller is never served to another. Each entry lives `cacheTtlSeconds`, so
 * the cache holds at most the answers of the provider runs of that window.
 */
const dataProviderCacheKey = (
  organizationId: string,
  userId: string,
  workflowId: string,
  inputData: Record<string, unknown>,
): string =>
  `dp-cache:${organizationId}:${userId}:${workflowId}:${createHash("sha256").update(canonicalJson(inputData)).digest("base64url")}`;

const MAX_DEFERRAL_MS = 365 * 24 * 3600 * 1000;

/** When a deferred run is due (`scheduledAt` or now + `delaySeconds`); undefined: run now. */
function deferredUntil(request: {
  scheduledAt?: string | undefined;
  delaySeconds?: number | undefined;
}): Date | undefined {
  if (request.scheduledAt !== undefined && request.delaySeconds !== undefined) {
    throw new ValidationError("Give scheduledAt or delaySeconds, not both", [
      { path: "body.scheduledAt", message: "give scheduledAt or delaySeconds, not both" },
    ]);
  }
  if (request.delaySeconds !== undefined) return new Date(Date.now() + request.delaySeconds * 1000);
  if (request.scheduledAt === undefined) return undefined;
  const at = new Date(request.scheduledAt);
  const ahead = at.getTime() - Date.now();
  if (!(ahead > 0) || ahead > MAX_DEFERRAL_MS) {
    throw new ValidationError("scheduledAt must be in the future and at most a year ahead", [
      { path: "body.scheduledAt", message: "must be in the future and at most one year ahead" },
    ]);
  }
  return at;
}

/**
 * Accepts runs (DESIGN.md §5 step 1): authorize, resolve the organization, validate the input,
 * insert `Pending`, publish with confirms, then answer 202 — or wait for the result when sync.
 */
export class ExecutionService {
  /** Runs accepted in the same turn of the event loop are inserted with one statement. */
  private readonly inserts: MicroBatcher<AcceptRow, AcceptedRun>;

  constructor(
    private readonly deps: {
      executions: ExecutionsRepository;
      /** The accept path's one-statement insert of the runs accepted together. */
      batches: Pick<ExecutionBatches, "accept">;
      /** Publishes the runs that waited in their organization's line (fairness, DESIGN.md §5). */
      dispatcher: Pick<RunDispatcher, "dispatch" | "dispatchLater">;
      workflows: WorkflowLookup;
      validator: InputValidator;
      queue: WorkQueue;
      bus: Bus;
      events: ExecutionEvents;
      syncResults: SyncResults;
      logger: Logger;
    },
  ) {
    this.inserts = new MicroBatcher(
      async (rows) => new Map((await deps.batches.accept(rows)).map((r) => [r.id, r])),
      (row) => row.id,
    );
  }

  /** Inserts the run; a repeated idempotency key answers the first execution (`created: false`). */
  private async accept(
    row: AcceptRow,
  ): Promise<{ execution: AcceptedRun; created: true } | { execution: ExecutionRow; created: false }> {
    const inserted = await this.inserts.add(row);
    if (inserted) return { execution: inserted, created: true };
    // Its idempotency key is taken: the first run, or (a lost race) this one in its line.
    const { execution, created } = await this.deps.executions.insert(row);
    return created
      ? { execution: { ...execution, dispatched: false, lineMoves: true }, created: true }
      : { execution, created: false };
  }

  async execute(
    principal: Principal,
    request: ExecuteRequest,
    options: ExecuteOptions = {},
  ): Promise<ExecuteAnswer> {
    // A platform admin running for an organization finds that organization's workflows by name first.
    const caller = {
      ...callerOf(principal),
      ...(principal.isSuperuser && request.organizationId ? { organizationId: request.organizationId } : {}),
    };
    const workflow = await this.deps.workflows.find(caller, {
      ...(request.workflowId ? { id: request.workflowId } : {}),
      ...(request.workflowName ? { name: request.workflowName } : {}),
    });
    if (!workflow) throw new NotFoundError("Workflow not found");
    return this.executeAuthorized(principal, workflow, request, options);
  }

  /**
   * Runs `workflow` without checking that the caller may run it: for callers that authorized the
   * run themselves (forms: access to a form is enough to run its workflow and data providers, API.md
   * "Forms"). Everything else is `execute`'s: organization, input validation, caching, sync wait.
   * The caller must pass an active workflow it looked up and checked; never a user-chosen id as is.
   */
  async executeAuthorized(
    principal: Principal,
    workflow: RunnableWorkflow,
    request: Omit<ExecuteRequest, "workflowId" | "workflowName">,
    options: ExecuteOptions = {},
  ): Promise<ExecuteAnswer> {
    const organizationId = await this.organizationFor(principal, workflow, request.organizationId);
    this.deps.validator.check(workflow, request.inputData);
    const scheduledAt = deferredUntil(request);

    // Data providers always run sync, and their answers are cached (dataProviderCacheKey).
    const sync = request.sync || workflow.type === "data_provider";
    if (scheduledAt && sync) {
      throw new ValidationError("A deferred run cannot be waited for", [
        { path: "body.sync", message: "a run with scheduledAt or delaySeconds runs async" },
      ]);
    }
    const cacheKey =
      workflow.type === "data_provider" && workflow.cacheTtlSeconds > 0
        ? dataProviderCacheKey(organizationId, principal.userId, workflow.id, request.inputData)
        : undefined;
    if (cacheKey) {
      const cached = await this.deps.bus.get(cacheKey);
      if (cached) return { mode: "sync", body: JSON.parse(cached) as SyncAnswer };
    }

    const { execution, created } = await this.accept({
      id: randomUUID(),
      workflowId: workflow.id,
      workflowName: workflow.name,
      status: scheduledAt ? "Scheduled" : "Pending",
      scheduledAt: scheduledAt ?? null,
      sourceId: options.sourceId ?? null,
      organizationId,
      executedBy: principal.userId,
      executedByName: principal.name,
      privileged: principal.isSuperuser,
      triggeredBy: options.triggeredBy ?? "user",
      inputData: request.inputData,
      maxAttempts: MAX_ATTEMPTS,
      idempotencyKey: options.idempotencyKey ?? null,
      replyTo: sync ? this.deps.syncResults.instanceId : null,
      rerunOf: options.rerunOf ?? null,
    });
    if (!created) return this.answerForRepeat(execution, sync);
    // A deferred run waits in the database: the scheduler's promoter publishes it when due.
    if (scheduledAt) {
      void this.deps.events.statusChanged(execution);
      return { mode: "async", body: { executionId: execution.id, status: execution.status } };
    }

    const waiting = sync
      ? this.deps.syncResults.wait(
          execution.id,
          workflow.timeoutSeconds > 0 ? workflow.timeoutSeconds * 1000 + SYNC_MARGIN_MS : NO_TIMEOUT_WAIT_MS,
          { everyMs: SYNC_POLL_MS, check: () => this.finalAnswer(execution.id) },
        )
      : undefined;
    try {
      await this.publish(execution);
    } catch (error) {
      waiting?.cancel();
      throw error;
    }
    if (!waiting) return { mode: "async", body: { executionId: execution.id, status: execution.status } };

    const answer = (await waiting.answer) ?? (await this.finalAnswer(execution.id));
    if (!answer) {
      throw new TimeoutError(`The execution did not finish in time; it is still running as ${execution.id}`);
    }
    if (cacheKey && answer.status === "Success") {
      await this.deps.bus
        .set(cacheKey, JSON.stringify(answer), { ttlMs: workflow.cacheTtlSeconds * 1000 })
        .catch(() => undefined);
    }
    return { mode: "sync", body: answer };
  }

  /**
   * Starts a run as the system user (`system@bifrost.local`, API.md "Runs started by the platform")
   * in `organizationId`, for a trigger that authorized it itself (schedules; `sourceId` is the
   * schedule's id, so its runs can be found). Validates the input, then inserts `Pending` and
   * publishes exactly like `execute` (async only); NotFoundError when the workflow is not active.
   */
  async startSystemRun(run: {
    workflowId: string;
    organizationId: string;
    inputData: Record<string, unknown>;
    triggeredBy: ExecutionRow["triggeredBy"];
    sourceId: string;
  }): Promise<ExecutionRow> {
    const workflow = await this.deps.workflows.forTrigger(run.organizationId, run.workflowId);
    if (!workflow) throw new NotFoundError("Workflow not found");
    this.deps.validator.check(workflow, run.inputData);
    // One row at a time (schedules and event deliveries start their runs one by one), read back whole.
    const { execution } = await this.deps.executions.insert({
      id: randomUUID(),
      workflowId: workflow.id,
      workflowName: workflow.name,
      status: "Pending",
      organizationId: run.organizationId,
      executedBy: SYSTEM_USER_ID,
      executedByName: "System",
      privileged: false,
      triggeredBy: run.triggeredBy,
      sourceId: run.sourceId,
      inputData: run.inputData,
      maxAttempts: MAX_ATTEMPTS,
    });
    // It joins its organization's line like every run, and leaves it at once when there is room.
    await this.deps.dispatcher.dispatch([run.organizationId]);
    void this.deps.events.statusChanged(execution);
    return execution;
  }

  /**
   * Runs an endpoint's workflow as the system user (`system@bifrost.local`) in the workflow's
   * organization, else the provider organization: the caller authorized the run with the workflow's
   * key. Input validation, insert, publish and sync wait are `executeAuthorized`'s.
   */
  async executeAsSystem(
    workflow: RunnableWorkflow,
    request: { inputData: Record<string, unknown>; sync: boolean },
    options: ExecuteOptions,
  ): Promise<ExecuteAnswer> {
    return this.executeAuthorized(systemPrincipal(workflow.organizationId), workflow, request, options);
  }

  /**
   * Runs a visible execution's workflow again with the same input in the same organization, as a new
   * execution linked to it (async). Whoever may run the workflow may re-run: the same `execute` path,
   * so an execution one sees but a workflow one may not run (or no longer active) is 404.
   */
  async rerun(principal: Principal, id: string): Promise<ExecuteAnswer> {
    const original = await this.deps.executions.findVisible(callerOf(principal), id);
    if (!original) throw new NotFoundError("Execution not found");
    const request = {
      workflowId: original.workflowId,
      inputData: original.inputData,
      sync: false,
      ...(principal.isSuperuser ? { organizationId: original.organizationId } : {}),
    };
    const triggeredBy = principal.via === "execution" ? "workflow" : "user";
    return await this.execute(principal, request, { triggeredBy, rerunOf: original.id });
  }

  async cancel(principal: Principal, id: string): Promise<ExecutionRow> {
    const visible = await this.deps.executions.findVisible(callerOf(principal), id);
    if (!visible) throw new NotFoundError("Execution not found");
    const outcome = await requestCancellation(this.deps, id);
    if (!outcome) throw new NotFoundError("Execution not found");
    if (!outcome.changed && outcome.row.status !== "Cancelling")
      throw new ConflictError(`The execution has already ended (${outcome.row.status})`);
    return outcome.row;
  }

  /**
   * Publishes the run's message with confirms. When the broker does not take it, the row is removed:
   * the run was not accepted after all and must never run behind the caller's back. A run that joined
   * its organization's line is published by the dispatcher when there is room.
   */
  private async publish(execution: AcceptedRun): Promise<void> {
    if (!execution.dispatched) {
      // Its line moves when a run of the organization ends; now only if there is room already.
      if (execution.lineMoves) this.deps.dispatcher.dispatchLater([execution.organizationId]);
      void this.deps.events.statusChanged(execution);
      return;
    }
    try {
      await publishRun(this.deps.queue, execution.id);
    } catch (error) {
      await this.deps.executions.delete(execution.id).catch(() => undefined);
      throw error instanceof UnavailableError
        ? error
        : new UnavailableError("queue", "The queue is unavailable");
    }
    void this.deps.events.statusChanged(execution);
  }

  /** Only platform admins choose the organization; the rest is the runnable-workflow service's. */
  private async organizationFor(
    principal: Principal,
    workflow: RunnableWorkflow,
    requested: string | undefined,
  ): Promise<string> {
    if (requested !== undefined && !principal.isSuperuser)
      throw new ForbiddenError("Only platform admins may choose the organization");
    return this.deps.workflows.organizationFor(workflow, requested, principal.organizationId);
  }

  private async finalAnswer(id: string): Promise<SyncAnswer | undefined> {
    const row = await this.deps.executions.findById(id);
    return row?.completedAt ? syncAnswerOf(row) : undefined;
  }

  /** A repeated idempotency key: the first execution, its result if it has one and sync was asked. */
  private async answerForRepeat(execution: ExecutionRow, sync: boolean): Promise<ExecuteAnswer> {
    if (sync && execution.completedAt) return { mode: "sync", body: syncAnswerOf(execution) };
    if (sync) {
      const answer = await this.finalAnswer(execution.id);
      if (answer) return { mode: "sync", body: answer };
    }
    return { mode: "async", body: { executionId: execution.id, status: execution.status } };
  }
}
