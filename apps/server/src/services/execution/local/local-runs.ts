import { randomUUID } from "node:crypto";
import type { LocalRunFinish, LocalRunStart, LocalRunStarted, LogLine } from "@bifrost/contracts";
import { ConflictError, NotFoundError } from "../../../errors.js";
import type { FileStore } from "../../../infra/files/file-store.js";
import { callerOf, type AuditActor, type UserPrincipal } from "../../../principal.js";
import type { ExecutionBatches } from "../../../repositories/execution-batches.js";
import type { ExecutionLogsRepository } from "../../../repositories/execution-logs.js";
import type { ExecutionRow, ExecutionsRepository } from "../../../repositories/executions.js";
import type { OrganizationsRepository } from "../../../repositories/organizations.js";
import type { AuditLog } from "../../audit/audit-log.js";
import type { WorkflowLookup } from "../accept/execution-service.js";
import type { InputValidator } from "../accept/input-validation.js";
import type { ExecutionEvents } from "../channels.js";
import type { RunDispatcher } from "../dispatcher.js";
import type { ExecutionTokens } from "../execution-token.js";
import { finalOutcome } from "../final-outcome.js";
import { boundLine, DEFAULT_OUTPUT_LIMITS, resultBytes, resultTooLargeError } from "../pool/output-limits.js";
import type { LogSink } from "../worker/log-sink.js";

/** The `worker_id` of every local run: no worker holds it, the author's CLI does. */
const LOCAL_WORKER_ID = "local";
/** A local run's token lasts an hour (a debugger session), and ends with the run before that. */
const TOKEN_SECONDS = 3600;

const ACTIVE = new Set<ExecutionRow["status"]>(["Running", "Cancelling"]);

/**
 * Local runs (`bifrost run --local`, issue 24): a workflow of the workspace run on its author's
 * machine, so a debugger works, with the real SDK acting through a short-lived execution token scoped
 * exactly like a worker's run (its organization's config, tables and files; never as a platform
 * admin). Only platform admins — who may write workspace code — start one; every start is audited.
 *
 * The row is a normal execution marked `local`, `Running` from the start under the worker id
 * `local`: it counts in its organization's concurrency like any run, shows in the history, takes
 * cancels (the CLI learns of them from its heartbeat), and when the CLI stops sending heartbeats the
 * sweeper ends it `Failed`/`WorkerLost` (one attempt: it is never re-queued to a worker).
 */
export class LocalRuns {
  constructor(
    private readonly deps: {
      executions: ExecutionsRepository;
      batches: Pick<ExecutionBatches, "finish">;
      dispatcher: Pick<RunDispatcher, "publishLater">;
      workflows: WorkflowLookup;
      organizations: Pick<OrganizationsRepository, "find">;
      validator: InputValidator;
      tokens: ExecutionTokens;
      /** Lines of local runs: numbered after what is stored, streamed live, stored at once. */
      logSink: LogSink;
      logs: Pick<ExecutionLogsRepository, "lastSequence">;
      files: FileStore;
      events: ExecutionEvents;
      audit: AuditLog;
      /** BIFROST_MAX_RESULT_BYTES: a larger result ends the run `Failed`/`ResultTooLarge`. */
      maxResultBytes: number;
      /**
       * BIFROST_EXECUTION_LEASE_SECONDS, as a worker's runs: the CLI sends a heartbeat every third of
       * it; when heartbeats stop (the CLI was killed, the laptop slept) the sweeper ends the run.
       */
      leaseMs: number;
    },
  ) {}

  get maxResultBytes(): number {
    return this.deps.maxResultBytes;
  }

  async start(principal: UserPrincipal, request: LocalRunStart, actor: AuditActor): Promise<LocalRunStarted> {
    const { workflows } = this.deps;
    const caller = {
      ...callerOf(principal),
      ...(request.organizationId ? { organizationId: request.organizationId } : {}),
    };
    const workflow = await workflows.find(caller, {
      ...(request.workflowId ? { id: request.workflowId } : {}),
      ...(request.workflowName ? { name: request.workflowName } : {}),
    });
    if (!workflow) throw new NotFoundError("Workflow not found");
    const organizationId = await workflows.organizationFor(
      workflow,
      request.organizationId,
      principal.organizationId,
    );
    this.deps.validator.check(workflow, request.inputData);
    const organization = await this.deps.organizations.find(organizationId);
    if (!organization) throw new NotFoundError("Organization not found");

    const id = randomUUID();
    const { execution } = await this.deps.executions.insert({
      id,
      workflowId: workflow.id,
      workflowName: workflow.name,
      status: "Running",
      organizationId,
      executedBy: principal.userId,
      executedByName: principal.name,
      privileged: true,
      triggeredBy: "user",
      inputData: request.inputData,
      maxAttempts: 1,
      local: true,
      workerId: LOCAL_WORKER_ID,
      // The application's clock, not the database's: the heartbeat renews the lease by the database's.
      startedAt: new Date(),
      leaseExpiresAt: new Date(Date.now() + this.deps.leaseMs),
    });
    const runCaller = { id: principal.userId, email: principal.email, name: principal.name };
    const token = await this.deps.tokens.mint(
      {
        executionId: id,
        userId: runCaller.id,
        email: runCaller.email,
        name: runCaller.name,
        organizationId,
        roles: [],
      },
      TOKEN_SECONDS,
    );
    await this.deps.audit.record(actor, {
      action: "execution.local_run",
      resourceType: "execution",
      resourceId: id,
      details: { workflowName: workflow.name, workflowId: workflow.id, organizationId },
    });
    void this.deps.events.statusChanged(execution);
    return {
      executionId: id,
      token,
      expiresAt: new Date(Date.now() + TOKEN_SECONDS * 1000).toISOString(),
      workflow: {
        id: workflow.id,
        name: workflow.name,
        path: workflow.path,
        exportName: workflow.exportName,
      },
      context: {
        executionId: id,
        organization: { id: organizationId, name: organization.name },
        caller: runCaller,
        triggeredBy: "user",
        attempt: 1,
      },
      heartbeatSeconds: Math.max(1, Math.floor(this.deps.leaseMs / 3000)),
    };
  }

  /** Keeps the run's lease; answers its status (`Cancelling`: someone cancelled it, stop). */
  async heartbeat(principal: UserPrincipal, id: string): Promise<{ status: string }> {
    const row = await this.own(principal, id);
    if (ACTIVE.has(row.status))
      await this.deps.executions.renewLeases(LOCAL_WORKER_ID, [id], this.deps.leaseMs);
    return { status: row.status };
  }

  /**
   * Lines of the run, in the order sent: numbered after what is stored (whichever API process took
   * the previous batch), bounded like a worker's, streamed live and stored before the answer. The
   * CLI sends one batch at a time.
   */
  async appendLogs(principal: UserPrincipal, id: string, lines: LogLine[]): Promise<void> {
    await this.active(principal, id);
    const { logSink } = this.deps;
    await logSink.resume(id);
    try {
      logSink.append(
        id,
        lines.map((line) => boundLine(line, DEFAULT_OUTPUT_LIMITS.lineBytes).line),
      );
      await logSink.flush();
    } finally {
      logSink.forget(id);
    }
  }

  async finish(principal: UserPrincipal, id: string, outcome: LocalRunFinish): Promise<{ status: string }> {
    await this.active(principal, id);
    const size = resultBytes(outcome.result);
    const tooLarge = size > this.deps.maxResultBytes;
    const stored = await finalOutcome(
      this.deps.files,
      id,
      {
        status: tooLarge ? "Failed" : outcome.status,
        result: tooLarge ? null : (outcome.result ?? null),
        error: tooLarge ? resultTooLargeError(size, this.deps.maxResultBytes) : outcome.error,
        errorType: tooLarge ? "ResultTooLarge" : outcome.errorType,
        durationMs: outcome.durationMs,
        peakMemoryBytes: null,
        cpuMs: null,
      },
      await this.deps.logs.lastSequence(id),
    );
    const { finished, released } = await this.deps.batches.finish(LOCAL_WORKER_ID, [{ id, outcome: stored }]);
    this.deps.dispatcher.publishLater(released);
    await this.deps.tokens.revoke(id).catch(() => undefined);
    const row = finished[0];
    if (!row) throw new ConflictError("The run has already ended");
    await this.deps.events.statusChanged(row);
    return { status: row.status };
  }

  /** The caller's own local run; anyone else's (or a worker's run) is not found. */
  private async own(principal: UserPrincipal, id: string): Promise<ExecutionRow> {
    const row = await this.deps.executions.findById(id);
    if (!row?.local || row.executedBy !== principal.userId) throw new NotFoundError("Local run not found");
    return row;
  }

  private async active(principal: UserPrincipal, id: string): Promise<ExecutionRow> {
    const row = await this.own(principal, id);
    if (!ACTIVE.has(row.status)) throw new ConflictError(`The run has already ended (${row.status})`);
    return row;
  }
}
