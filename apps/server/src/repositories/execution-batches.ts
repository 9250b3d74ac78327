import type { RetryPolicy } from "@bifrost/contracts";
import { sql, type SQL } from "drizzle-orm";
import { preparedQueryOf, type Db, type PreparedQuery } from "../db/database.js";
import {
  ACCEPT,
  CLAIM,
  CLAIM_LIMITED,
  FAIR_WINDOW,
  FINISH,
  LINES,
  LOCK_LIMITED,
  RELEASE,
  RETRY,
} from "./execution-batches.sql.js";
import type { ClaimedRun, ExecutionRow, FinalOutcome, NewExecution, StatusSnapshot } from "./executions.js";

type Raw = Record<string, unknown>;

/** Columns come back as strings, numbers, booleans, Dates or JSON: text columns as strings. */
const text = (value: unknown): string =>
  typeof value === "string"
    ? value
    : typeof value === "number" || typeof value === "bigint"
      ? String(value)
      : "";
const textOrNull = (value: unknown): string | null =>
  value === null || value === undefined ? null : text(value);
const date = (value: unknown): Date | null =>
  value === null || value === undefined ? null : value instanceof Date ? value : new Date(text(value));

/** What accepting a run sets; every other column takes its default. */
export type AcceptRow = { id: string } & Required<
  Pick<
    NewExecution,
    | "workflowId"
    | "workflowName"
    | "status"
    | "scheduledAt"
    | "sourceId"
    | "organizationId"
    | "executedBy"
    | "executedByName"
    | "privileged"
    | "triggeredBy"
    | "inputData"
    | "maxAttempts"
    | "idempotencyKey"
    | "replyTo"
    | "rerunOf"
  >
>;

/**
 * An accepted run: `dispatched` when it may be published now, else it waits in its organization's
 * line; `lineMoves` when that line has room to move now (it joined behind others while there was room).
 */
export type AcceptedRun = StatusSnapshot & { dispatched: boolean; lineMoves: boolean };

/** A row's status columns (`returning id, status, result, error, duration_ms, completed_at, ...`). */
const snapshotOf = (r: Raw): StatusSnapshot => ({
  id: text(r.id),
  status: r.status as ExecutionRow["status"],
  result: r.result ?? null,
  error: textOrNull(r.error),
  durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
  completedAt: date(r.completed_at),
  workflowName: text(r.workflow_name),
  organizationId: text(r.organization_id),
  executedBy: textOrNull(r.executed_by),
  replyTo: textOrNull(r.reply_to),
});

const iso = (value: Date | null): string | null => (value === null ? null : value.toISOString());

/** An organization's line as `GET /api/platform/queue` shows it. */
export type OrganizationLine = {
  organizationId: string;
  organizationName: string;
  waiting: number;
  queued: number;
  running: number;
  maxConcurrentRuns: number | null;
  limitSource: "organization" | "platform" | "none";
};

/** A claimed run, with the workspace fingerprint read in the same statement. */
export type BatchClaim = ClaimedRun & { workspaceFingerprint: string };

const claimOf = (r: Raw): BatchClaim => ({
  execution: {
    id: text(r.id),
    workflowId: text(r.workflow_id),
    workflowName: text(r.workflow_name),
    status: "Running",
    organizationId: text(r.organization_id),
    executedBy: textOrNull(r.executed_by),
    executedByName: text(r.executed_by_name),
    privileged: r.privileged === true,
    triggeredBy: r.triggered_by as ExecutionRow["triggeredBy"],
    inputData: (r.input_data ?? {}) as Record<string, unknown>,
    attempt: Number(r.attempt),
    retriesDone: Number(r.retries_done),
    replyTo: textOrNull(r.reply_to),
    createdAt: date(r.created_at) ?? new Date(),
    startedAt: date(r.started_at),
    result: null,
    error: null,
    durationMs: null,
    completedAt: null,
  },
  workflow: {
    path: text(r.path),
    exportName: text(r.export_name),
    type: text(r.type),
    timeoutSeconds: Number(r.timeout_seconds),
    isActive: r.is_active === true,
    retryPolicy: (r.retry_policy ?? null) as RetryPolicy | null,
  },
  organizationName: text(r.organization_name),
  callerEmail: r.caller_email === null ? "" : text(r.caller_email),
  workspaceFingerprint: text(r.fingerprint),
});

/** A uuid[] column: node-postgres parses it into strings; PGlite may answer the text form `{a,b}`. */
const idsOf = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.map(text)
    : typeof value === "string" && value.length > 2
      ? value.slice(1, -1).split(",")
      : [];

/** A fixed text with `$n` placeholders as a drizzle statement (inside a transaction). */
const bound = (text: string, params: unknown[]): SQL =>
  sql.join(
    text
      .split(/\$(\d+)/)
      .map((part, index) => (index % 2 === 0 ? sql.raw(part) : sql`${params[Number(part) - 1]}`)),
  );

/**
 * The worker's hot path in as few statements as possible: one statement claims every message that
 * arrived together (and reads what the runs need plus the workspace fingerprint), one statement
 * stores every outcome that finished together; the API's accept path inserts the runs accepted
 * together with a third. Each is a fixed text with JSON or array parameters, run as a prepared
 * statement (`preparedQueryOf`): nothing is built per call, and PostgreSQL plans each once per
 * connection.
 */
export class ExecutionBatches {
  private readonly query: PreparedQuery;

  /** `defaultLimit`: the platform's concurrency limit of an organization without its own (null: none). */
  constructor(
    private readonly db: Db,
    private readonly defaultLimit: number | null,
  ) {
    this.query = preparedQueryOf(db);
  }

  /**
   * Inserts the runs accepted together (API requests in the same turn of the event loop) with one
   * statement whose text never changes: the rows go in as one JSON parameter. A row whose
   * idempotency key is taken is skipped (absent from the answer). Built with drizzle's query builder
   * this statement cost ~110 µs of CPU per row to build (35 columns).
   */
  async accept(rows: AcceptRow[]): Promise<AcceptedRun[]> {
    if (rows.length === 0) return [];
    const values = JSON.stringify(
      rows.map((row, ord) => ({
        ord,
        id: row.id,
        workflow_id: row.workflowId,
        workflow_name: row.workflowName,
        status: row.status,
        scheduled_at: iso(row.scheduledAt),
        source_id: row.sourceId,
        organization_id: row.organizationId,
        executed_by: row.executedBy,
        executed_by_name: row.executedByName,
        privileged: row.privileged,
        triggered_by: row.triggeredBy,
        input_data: row.inputData,
        max_attempts: row.maxAttempts,
        idempotency_key: row.idempotencyKey,
        reply_to: row.replyTo,
        rerun_of: row.rerunOf,
      })),
    );
    const accepted = await this.query("bifrost_accept_runs", ACCEPT, [values, this.defaultLimit]);
    return accepted.map((r) => ({
      ...snapshotOf(r),
      dispatched: r.dispatched === true,
      lineMoves: r.line_moves === true,
    }));
  }

  /**
   * Dispatches waiting runs that now fit their organization's window, oldest first: of these
   * organizations, or of every organization with a line. Answers the runs to publish.
   */
  async release(organizationIds?: readonly string[]): Promise<string[]> {
    const ids = organizationIds === undefined ? null : `{${[...new Set(organizationIds)].join(",")}}`;
    if (ids === "{}") return [];
    const rows = await this.query("bifrost_release_runs", RELEASE, [this.defaultLimit, ids]);
    return rows.map((r) => text(r.id));
  }

  /**
   * Claims the runs of these messages that are still `Pending`: one statement for organizations
   * without a concurrency limit; for those with one, a transaction that locks the organizations
   * first, so two workers never both take the last place (a statement's snapshot is taken before
   * it would wait for a lock: the count must be read after it). Runs over the limit go back to
   * their line.
   */
  async claim(ids: string[], workerId: string, leaseMs: number): Promise<BatchClaim[]> {
    if (ids.length === 0) return [];
    const lease = `${leaseMs} milliseconds`;
    const idArray = `{${ids.join(",")}}`;
    const rows = await this.query("bifrost_claim_runs", CLAIM, [workerId, lease, idArray, this.defaultLimit]);
    if (rows.length < ids.length) {
      const claimed = new Set(rows.map((r) => text(r.id)));
      const rest = `{${ids.filter((id) => !claimed.has(id)).join(",")}}`;
      rows.push(...(await this.claimLimited(workerId, lease, rest)));
    }
    return rows.map(claimOf);
  }

  private async claimLimited(workerId: string, lease: string, ids: string): Promise<Raw[]> {
    return await this.db.transaction(async (tx) => {
      const rowsOf = async (text: string, params: unknown[]): Promise<Raw[]> => {
        // Both drivers answer `{ rows }`; the handle's generic result type does not say so.
        const result: unknown = await tx.execute(bound(text, params));
        return (result as { rows: Raw[] }).rows;
      };
      const locked = await rowsOf(LOCK_LIMITED, [ids, this.defaultLimit]);
      if (locked.length === 0) return [];
      return await rowsOf(CLAIM_LIMITED, [workerId, lease, ids, this.defaultLimit]);
    });
  }

  /**
   * Stores the outcomes of runs this worker still holds: answers the rows it changed, and the runs
   * of their organizations' lines dispatched into the room they made (to publish).
   */
  async finish(
    workerId: string,
    outcomes: Array<{ id: string; outcome: FinalOutcome }>,
  ): Promise<{ finished: StatusSnapshot[]; released: string[] }> {
    if (outcomes.length === 0) return { finished: [], released: [] };
    const values = JSON.stringify(
      outcomes.map(({ id, outcome }) => ({
        id,
        status: outcome.status,
        // jsonb_to_recordset reads a JSON null as SQL null: wrap the result so a null result stays JSON.
        result: { value: outcome.result ?? null },
        result_size: outcome.resultSize,
        result_key: outcome.resultKey,
        error: outcome.error,
        error_type: outcome.errorType,
        duration_ms: outcome.durationMs,
        peak_memory_bytes: outcome.peakMemoryBytes,
        cpu_ms: outcome.cpuMs,
        network_bytes_in: outcome.network?.bytesIn ?? null,
        network_bytes_out: outcome.network?.bytesOut ?? null,
        network_connections: outcome.network?.connections ?? null,
        network_denied: outcome.network?.denied ?? null,
        log_count: outcome.logCount,
      })),
    );
    const rows = await this.query("bifrost_finish_runs", FINISH, [values, workerId, this.defaultLimit]);
    return { finished: rows.map(snapshotOf), released: rows.length > 0 ? idsOf(rows[0]?.released) : [] };
  }

  /** The organizations with runs not ended, busiest first, and the fair window in force. */
  async lines(): Promise<{ dispatchWindow: number; items: OrganizationLine[] }> {
    const rows = await this.query("bifrost_run_lines", LINES, [this.defaultLimit]);
    const [window] = await this.query("bifrost_fair_window", `select ${FAIR_WINDOW} as fair_window`, []);
    return {
      dispatchWindow: Number(window?.fair_window ?? 4),
      items: rows.map((r) => ({
        organizationId: text(r.id),
        organizationName: text(r.name),
        waiting: Number(r.waiting),
        queued: Number(r.queued),
        running: Number(r.running),
        maxConcurrentRuns: r.max_concurrent === null ? null : Number(r.max_concurrent),
        limitSource:
          r.max_concurrent_runs !== null ? "organization" : r.max_concurrent !== null ? "platform" : "none",
      })),
    };
  }

  /**
   * Failed attempts that will be tried again after `delaySeconds` (the workflow's retry policy):
   * `Scheduled` as their next attempt. Answers the rows it changed (a cancelled run is not among them).
   */
  async retry(
    workerId: string,
    retries: Array<{ id: string; outcome: FinalOutcome; delaySeconds: number }>,
  ): Promise<StatusSnapshot[]> {
    if (retries.length === 0) return [];
    const values = JSON.stringify(
      retries.map(({ id, outcome, delaySeconds }) => ({
        id,
        status: outcome.status,
        error: outcome.error,
        error_type: outcome.errorType,
        duration_ms: outcome.durationMs,
        log_count: outcome.logCount,
        delay_seconds: delaySeconds,
      })),
    );
    return (await this.query("bifrost_retry_runs", RETRY, [values, workerId])).map(snapshotOf);
  }
}
