import type { RetryPolicy } from "@bifrost/contracts";
import { sql, type SQL } from "drizzle-orm";
import { preparedQueryOf, type Db, type PreparedQuery } from "../db/database.js";
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

// Fairness (DESIGN.md §5): an organization's runs are dispatched — given a queue message — only while
// fewer than its window are dispatched (queued or running); the rest wait in its line (`Pending`
// without `queued_at`) until the dispatcher publishes them, oldest first. The window is twice the live
// pool capacity (the `capacity` of every worker whose heartbeat is younger than 30 s; at least 4), or the
// organization's concurrency limit when that is smaller. A line therefore holds at most one window
// of an organization in the shared queue, and another organization's run waits behind that at most.

/** Live pool capacity, twice, at least 4 (one value per statement). */
const FAIR_WINDOW = `(select greatest(4, 2 * coalesce(sum(w.capacity), 0))
    from platform_workers w where w.last_seen_at > now() - interval '30 seconds')`;

/** The concurrency limit of organization `o` (`$limit`: the platform default, may be null). */
const limitOf = (defaultLimit: string): string => `coalesce(o.max_concurrent_runs, ${defaultLimit}::int)`;

/** The window of organization `o`: its limit when smaller than the fair window. */
const windowOf = (defaultLimit: string): string => `least(${limitOf(defaultLimit)}, ${FAIR_WINDOW})`;

/** How many runs of organization `o` are dispatched (the predicate of `executions_dispatched_idx`). */
const DISPATCHED = `(select count(*) from executions d where d.organization_id = o.id
    and (d.status in ('Running', 'Cancelling') or (d.status = 'Pending' and d.queued_at is not null)))`;

/** Whether organization `o` has runs waiting in its line (`executions_waiting_idx`). */
const WAITING = `exists (select 1 from executions h
    where h.organization_id = o.id and h.status = 'Pending' and h.queued_at is null)`;

// The statements every run goes through, as fixed texts: prepared once per connection.

/**
 * A `Pending` row is dispatched at once (`queued_at` set) when its organization has nobody in its
 * line and room in its window (rows of one organization in one batch count in order); otherwise it
 * joins the line. `$2`: the platform's default concurrency limit.
 */
const ACCEPT = `
  with v as (
    select v.*, row_number() over (partition by v.organization_id, v.status order by v.ord) as n
      from jsonb_to_recordset($1::jsonb) as v(
             ord integer, id uuid, workflow_id uuid, workflow_name text, status text,
             scheduled_at timestamptz, source_id uuid, organization_id uuid, executed_by uuid,
             executed_by_name text, privileged boolean, triggered_by text, input_data jsonb,
             max_attempts integer, idempotency_key text, reply_to text, rerun_of uuid)
  ),
  room as (
    select o.id, ${windowOf("$2")} - ${DISPATCHED} as free, ${WAITING} as waiting
      from organizations o where o.id in (select organization_id from v)
  )
  insert into executions (id, workflow_id, workflow_name, status, scheduled_at, source_id,
                          organization_id, executed_by, executed_by_name, privileged, triggered_by,
                          input_data, max_attempts, idempotency_key, reply_to, rerun_of, queued_at)
  select v.id, v.workflow_id, v.workflow_name, v.status, v.scheduled_at, v.source_id, v.organization_id,
         v.executed_by, v.executed_by_name, v.privileged, v.triggered_by, v.input_data, v.max_attempts,
         v.idempotency_key, v.reply_to, v.rerun_of,
         case when v.status = 'Pending' and not room.waiting and v.n <= room.free then now() end
    from v join room on room.id = v.organization_id
  on conflict do nothing
  returning id, status, result, error, duration_ms, completed_at, workflow_name, organization_id,
            executed_by, reply_to, queued_at is not null as dispatched,
            (status = 'Pending' and queued_at is null
             and (select room.waiting and room.free > 0 from room where room.id = organization_id)) as line_moves`;

/**
 * Dispatches waiting runs, oldest first, as far as each organization's window has room: of the
 * organizations in `$2` (all with a line when null). Rows another dispatcher is taking are skipped,
 * not waited for: dispatchers running at once never block or deadlock each other (they may
 * together dispatch a little more than the window; the limit itself is enforced at the claim).
 */
/**
 * Picks the oldest waiting runs of each organization of `room` (id, free) and dispatches them
 * (`released`). Rows another dispatcher is taking are skipped, not waited for (`SKIP LOCKED`, in a
 * materialized CTE: inlined into the update, releases waited on each other and deadlocked with the
 * claim).
 */
const RELEASE_FROM_ROOM = `
  picked as materialized (
    select h.id from room cross join lateral (
      select h.id from executions h
       where h.organization_id = room.id and h.status = 'Pending' and h.queued_at is null
       order by h.created_at limit greatest(room.free, 0)
         for update skip locked) h
  ),
  released as (
    update executions e set queued_at = now()
      from picked where e.id = picked.id and e.status = 'Pending' and e.queued_at is null
    returning e.id, e.organization_id
  )`;

const RELEASE = `
  with room as (
    select o.id, ${windowOf("$1")} - ${DISPATCHED} as free
      from organizations o
     where ($2::uuid[] is null or o.id = any($2::uuid[])) and ${WAITING}
  ),
  ${RELEASE_FROM_ROOM}
  select id, organization_id from released`;

/** What a claimed run needs, read with the claim (`claimed`: the rows the claim changed). */
const CLAIMED_RUNS = `
  select c.*, w.path, w.export_name, w.type, w.timeout_seconds, w.is_active, w.retry_policy,
         o.name as organization_name, u.email as caller_email,
         (select count(*) || '|' || coalesce(max(updated_at)::text, '') from workspace_files) as fingerprint
    from claimed c
    join workflows w on w.id = c.workflow_id
    join organizations o on o.id = c.organization_id
    left join users u on u.id = c.executed_by`;

/** What a claim returns of the row `e` (`retries_done`: attempts the retry policy already made). */
const CLAIMED_COLUMNS = `e.id, e.workflow_id, e.workflow_name, e.status, e.organization_id, e.executed_by,
         e.executed_by_name, e.privileged, e.triggered_by, e.input_data, e.attempt, e.reply_to,
         e.created_at, e.started_at,
         (select count(*) from jsonb_array_elements(e.attempts) a
           where a ->> 'errorType' is distinct from 'WorkerLost') as retries_done`;

/** Claims the runs of organizations without a concurrency limit (`$4`: the platform default). */
const CLAIM = `
  with claimed as (
    update executions e
       set status = 'Running', worker_id = $1::text,
           lease_expires_at = now() + $2::interval, started_at = now()
      from organizations o
     where e.id = any($3::uuid[]) and e.status = 'Pending'
       and o.id = e.organization_id and ${limitOf("$4")} is null
     returning ${CLAIMED_COLUMNS}
  )
  ${CLAIMED_RUNS}`;

/**
 * Claims runs of organizations with a concurrency limit, after their rows are locked (LOCK_LIMITED):
 * as many as the limit leaves room for, oldest first; the others go back to their organization's
 * line (the message is gone: the dispatcher publishes them again when a run of theirs ends). A run
 * starts at `clock_timestamp()`: after the run whose end made room had ended.
 */
const LOCK_LIMITED = `
  select o.id from organizations o
   where o.id in (select organization_id from executions where id = any($1::uuid[]) and status = 'Pending')
     and ${limitOf("$2")} is not null
   order by o.id
     for no key update`;

const CLAIM_LIMITED = `
  with candidate as (
    select e.id, e.organization_id,
           row_number() over (partition by e.organization_id order by e.created_at, e.id) as n
      from executions e where e.id = any($3::uuid[]) and e.status = 'Pending'
  ),
  room as (
    select o.id, ${limitOf("$4")} - (select count(*) from executions r
             where r.organization_id = o.id and r.status in ('Running', 'Cancelling')) as free
      from organizations o where o.id in (select organization_id from candidate)
  ),
  returned as (
    update executions e set queued_at = null
      from candidate c join room on room.id = c.organization_id
     where e.id = c.id and c.n > room.free
    returning e.id
  ),
  claimed as (
    update executions e
       set status = 'Running', worker_id = $1::text,
           lease_expires_at = now() + $2::interval, started_at = clock_timestamp()
      from candidate c join room on room.id = c.organization_id
     where e.id = c.id and c.n <= room.free
     returning ${CLAIMED_COLUMNS}
  )
  ${CLAIMED_RUNS}`;

/**
 * Stores the outcomes, and in the same statement moves the lines of their organizations: the room
 * their ends made (the statement's snapshot still counts the finished runs as running, so each
 * organization's free places add its runs finished here). `released`: the runs to publish.
 */
const FINISH = `
  with finished as (
    update executions e
       set status = v.status, result = v.result -> 'value', result_size = v.result_size,
           result_key = v.result_key, error = v.error, error_type = v.error_type,
           duration_ms = v.duration_ms, peak_memory_bytes = v.peak_memory_bytes, cpu_ms = v.cpu_ms,
           network_bytes_in = v.network_bytes_in, network_bytes_out = v.network_bytes_out,
           network_connections = v.network_connections, network_denied = v.network_denied,
           log_count = v.log_count, completed_at = now(), lease_expires_at = null
      from jsonb_to_recordset($1::jsonb) as v(
             id uuid, status text, result jsonb, result_size integer, result_key text, error text,
             error_type text, duration_ms integer, peak_memory_bytes bigint, cpu_ms integer,
             network_bytes_in bigint, network_bytes_out bigint, network_connections integer,
             network_denied integer, log_count integer)
     where e.id = v.id and e.worker_id = $2::text and e.status in ('Running', 'Cancelling')
    returning e.id, e.status, e.result, e.error, e.duration_ms, e.completed_at, e.workflow_name,
              e.organization_id, e.executed_by, e.reply_to
  ),
  room as (
    select o.id, ${windowOf("$3")} - ${DISPATCHED}
             + (select count(*) from finished f where f.organization_id = o.id) as free
      from organizations o
     where o.id in (select organization_id from finished) and ${WAITING}
  ),
  ${RELEASE_FROM_ROOM}
  select f.*, (select coalesce(array_agg(r.id), '{}') from released r) as released from finished f`;

/**
 * A failed attempt the workflow's retry policy tries again: the row keeps the attempt in `attempts`,
 * moves to the next and waits `Scheduled` until its delay is over (the promoter then puts it in its
 * organization's line). A run being cancelled is not retried (`status = 'Running'` only).
 */
const RETRY = `
  update executions e
     set status = 'Scheduled', scheduled_at = now() + make_interval(secs => v.delay_seconds),
         attempts = e.attempts || jsonb_build_array(jsonb_build_object(
           'attempt', e.attempt, 'status', v.status, 'error', v.error, 'errorType', v.error_type,
           'startedAt', e.started_at, 'completedAt', now())),
         attempt = e.attempt + 1, error = v.error, error_type = v.error_type,
         duration_ms = v.duration_ms, log_count = v.log_count, started_at = null,
         worker_id = null, lease_expires_at = null, queued_at = null
    from jsonb_to_recordset($1::jsonb) as v(
           id uuid, status text, error text, error_type text, duration_ms integer, log_count integer,
           delay_seconds double precision)
   where e.id = v.id and e.worker_id = $2::text and e.status = 'Running'
  returning e.id, e.status, e.result, e.error, e.duration_ms, e.completed_at, e.workflow_name,
            e.organization_id, e.executed_by, e.reply_to`;

/** Each organization with runs not ended: its line, what is queued, what runs, its limit. */
const LINES = `
  select o.id, o.name, o.max_concurrent_runs, ${limitOf("$1")} as max_concurrent,
         count(*) filter (where e.status = 'Pending' and e.queued_at is null) as waiting,
         count(*) filter (where e.status = 'Pending' and e.queued_at is not null) as queued,
         count(*) filter (where e.status in ('Running', 'Cancelling')) as running
    from executions e join organizations o on o.id = e.organization_id
   where e.status in ('Pending', 'Running', 'Cancelling')
   group by o.id
   order by count(*) desc, o.name`;

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
