// The fixed SQL texts of ExecutionBatches (execution-batches.ts): the statements every run goes
// through, the dispatcher's release, and the queue view. Each is prepared once per connection.

// Fairness (DESIGN.md §5): an organization's runs are dispatched — given a queue message — only while
// fewer than its window are dispatched (queued or running); the rest wait in its line (`Pending`
// without `queued_at`) until the dispatcher publishes them, oldest first. The window is twice the live
// pool capacity (the `capacity` of every worker whose heartbeat is younger than 30 s; at least 4), or the
// organization's concurrency limit when that is smaller. A line therefore holds at most one window
// of an organization in the shared queue, and another organization's run waits behind that at most.

/** Live pool capacity, twice, at least 4 (one value per statement). */
export const FAIR_WINDOW = `(select greatest(4, 2 * coalesce(sum(w.capacity), 0))
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
export const ACCEPT = `
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

export const RELEASE = `
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
export const CLAIM = `
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
export const LOCK_LIMITED = `
  select o.id from organizations o
   where o.id in (select organization_id from executions where id = any($1::uuid[]) and status = 'Pending')
     and ${limitOf("$2")} is not null
   order by o.id
     for no key update`;

export const CLAIM_LIMITED = `
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
export const FINISH = `
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
export const RETRY = `
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
export const LINES = `
  select o.id, o.name, o.max_concurrent_runs, ${limitOf("$1")} as max_concurrent,
         count(*) filter (where e.status = 'Pending' and e.queued_at is null) as waiting,
         count(*) filter (where e.status = 'Pending' and e.queued_at is not null) as queued,
         count(*) filter (where e.status in ('Running', 'Cancelling')) as running
    from executions e join organizations o on o.id = e.organization_id
   where e.status in ('Pending', 'Running', 'Cancelling')
   group by o.id
   order by count(*) desc, o.name`;
