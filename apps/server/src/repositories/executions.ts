import { and, eq, gte, inArray, lt, lte, sql, type SQL } from "drizzle-orm";
import type { ExecutionStatus, NetworkUsage, RetryPolicy } from "@bifrost/contracts";
import type { Db } from "../db/database.js";
import { executions } from "../db/schema/index.js";
import { keyset, toPage, type Page } from "./pagination.js";
import { type Caller } from "../principal.js";

const WORKER_LOST_ERROR = "The worker running this execution stopped responding";

export type ExecutionRow = typeof executions.$inferSelect;
export type NewExecution = typeof executions.$inferInsert;

/** What status messages need of a row (services/execution/channels.ts). */
export type StatusSnapshot = Pick<
  ExecutionRow,
  | "id"
  | "status"
  | "result"
  | "error"
  | "durationMs"
  | "completedAt"
  | "workflowName"
  | "organizationId"
  | "executedBy"
  | "replyTo"
>;

export type ExecutionFilters = {
  status?: ExecutionStatus[] | undefined;
  workflowName?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  scope?: string | undefined;
};

/** What the worker knows of a run it claimed. */
type ClaimedExecution = Pick<
  ExecutionRow,
  | "id"
  | "workflowId"
  | "workflowName"
  | "status"
  | "organizationId"
  | "executedBy"
  | "executedByName"
  | "privileged"
  | "triggeredBy"
  | "inputData"
  | "attempt"
  | "replyTo"
  | "createdAt"
  | "startedAt"
  | "result"
  | "error"
  | "durationMs"
  | "completedAt"
> & {
  /** Attempts the workflow's retry policy already made (a lost worker's re-queue is not one). */
  retriesDone: number;
};

/** What the worker needs to start a claimed run, in one query. */
export type ClaimedRun = {
  execution: ClaimedExecution;
  workflow: {
    path: string;
    exportName: string;
    type: string;
    timeoutSeconds: number;
    isActive: boolean;
    retryPolicy: RetryPolicy | null;
  };
  organizationName: string;
  callerEmail: string;
};

export type FinalOutcome = {
  status: ExecutionStatus;
  result: unknown;
  resultSize: number | null;
  resultKey: string | null;
  error: string | null;
  errorType: string | null;
  durationMs: number | null;
  peakMemoryBytes: number | null;
  cpuMs: number | null;
  network: NetworkUsage | null;
  logCount: number;
};

const ACTIVE: ExecutionStatus[] = ["Running", "Cancelling"];
const IDEMPOTENCY_WINDOW = sql`interval '24 hours'`;

/**
 * Executions: the row is the source of truth of a run. Visibility (DESIGN.md §4): executions are not
 * shared — a user sees the runs they started in their organization; platform admins see all.
 */
export class ExecutionsRepository {
  constructor(private readonly db: Db) {}

  private visibleTo(caller: Caller): SQL | undefined {
    if (caller.isSuperuser) return undefined;
    return and(
      eq(executions.executedBy, caller.userId),
      eq(executions.organizationId, caller.organizationId),
    );
  }

  /**
   * Inserts a run. With an idempotency key, the first execution of the same organization, caller and
   * key within 24 h is returned instead (`created: false`); an older one gives its key up. The
   * organization matters: the system user starts the runs of every organization's triggers.
   */
  async insert(row: NewExecution): Promise<{ execution: ExecutionRow; created: boolean }> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const inserted = await this.db.insert(executions).values(row).onConflictDoNothing().returning();
      if (inserted[0]) return { execution: inserted[0], created: true };
      if (!row.idempotencyKey || !row.executedBy) break;
      const [existing] = await this.db
        .select({
          execution: executions,
          fresh: sql<boolean>`${executions.createdAt} > now() - ${IDEMPOTENCY_WINDOW}`,
        })
        .from(executions)
        .where(
          and(
            eq(executions.organizationId, row.organizationId),
            eq(executions.executedBy, row.executedBy),
            eq(executions.idempotencyKey, row.idempotencyKey),
          ),
        );
      if (existing?.fresh) return { execution: existing.execution, created: false };
      if (existing) {
        await this.db
          .update(executions)
          .set({ idempotencyKey: null })
          .where(eq(executions.id, existing.execution.id));
      }
    }
    throw new Error("could not insert the execution");
  }

  /**
   * Inserts runs accepted together in one statement, answering only what the accept path uses of
   * each new row (`AcceptedExecution`: reading back every column costs PGlite more than the insert). Rows that conflict (a repeated idempotency key)
   * are left out of the answer: the caller inserts those one by one with `insert`.
   */
  async delete(id: string): Promise<void> {
    await this.db.delete(executions).where(and(eq(executions.id, id), eq(executions.status, "Pending")));
  }

  async findVisible(caller: Caller, id: string): Promise<ExecutionRow | undefined> {
    const [row] = await this.db
      .select()
      .from(executions)
      .where(and(eq(executions.id, id), this.visibleTo(caller)));
    return row;
  }

  async findById(id: string): Promise<ExecutionRow | undefined> {
    const [row] = await this.db.select().from(executions).where(eq(executions.id, id));
    return row;
  }

  /** Newest first. */
  async list(
    caller: Caller,
    options: { limit: number; cursor?: string | undefined } & ExecutionFilters,
  ): Promise<Page<ExecutionRow>> {
    const page = keyset({ createdAt: executions.createdAt, id: executions.id }, options.cursor, "desc");
    const rows = await this.db
      .select()
      .from(executions)
      .where(
        and(
          this.visibleTo(caller),
          caller.isSuperuser && options.scope ? eq(executions.organizationId, options.scope) : undefined,
          options.status ? inArray(executions.status, options.status) : undefined,
          options.workflowName ? eq(executions.workflowName, options.workflowName) : undefined,
          options.since ? gte(executions.createdAt, new Date(options.since)) : undefined,
          options.until ? lte(executions.createdAt, new Date(options.until)) : undefined,
          page.where,
        ),
      )
      .orderBy(...page.orderBy)
      .limit(options.limit + 1);
    return toPage(rows, options.limit, (row) => row);
  }

  /** The worker's heartbeat: its runs stay leased while it lives. */
  async renewLeases(workerId: string, ids: string[], leaseMs: number): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .update(executions)
      .set({ leaseExpiresAt: sql`now() + ${`${leaseMs} milliseconds`}::interval` })
      .where(
        and(
          eq(executions.workerId, workerId),
          inArray(executions.id, ids),
          inArray(executions.status, ACTIVE),
        ),
      );
  }

  /**
   * `Scheduled | Pending → Cancelled` at once; `Running → Cancelling` (the worker then kills the
   * child). Returns the row after the change, or the unchanged row when it was already final.
   */
  async requestCancel(id: string): Promise<{ row: ExecutionRow; changed: boolean } | undefined> {
    const [cancelled] = await this.db
      .update(executions)
      .set({ status: "Cancelled", completedAt: sql`now()`, cancelRequestedAt: sql`now()` })
      .where(and(eq(executions.id, id), inArray(executions.status, ["Scheduled", "Pending"])))
      .returning();
    if (cancelled) return { row: cancelled, changed: true };
    const [cancelling] = await this.db
      .update(executions)
      .set({ status: "Cancelling", cancelRequestedAt: sql`now()` })
      .where(and(eq(executions.id, id), eq(executions.status, "Running")))
      .returning();
    if (cancelling) return { row: cancelling, changed: true };
    const row = await this.findById(id);
    return row ? { row, changed: false } : undefined;
  }

  /** Runs of a caller, or of an organization, that have not ended (Cancelling ones are on their way). */
  async unfinishedIdsOf(target: { userId: string } | { organizationId: string }): Promise<string[]> {
    const rows = await this.db
      .select({ id: executions.id })
      .from(executions)
      .where(
        and(
          "userId" in target
            ? eq(executions.executedBy, target.userId)
            : eq(executions.organizationId, target.organizationId),
          inArray(executions.status, ["Scheduled", "Pending", "Running"]),
        ),
      );
    return rows.map((row) => row.id);
  }

  async markQueued(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .update(executions)
      .set({ queuedAt: sql`now()` })
      .where(inArray(executions.id, ids));
  }

  /**
   * Deferred runs that are due: `Scheduled → Pending` in one statement over at most `limit` rows
   * locked with `FOR UPDATE SKIP LOCKED` (a concurrent promoter or cancel skips them), into their
   * organization's line (no `queued_at`): the dispatcher publishes them when there is room.
   */
  async promoteDue(limit: number): Promise<ExecutionRow[]> {
    const due = this.db
      .select({ id: executions.id })
      .from(executions)
      .where(and(eq(executions.status, "Scheduled"), lte(executions.scheduledAt, sql`now()`)))
      .orderBy(executions.scheduledAt)
      .limit(limit)
      .for("update", { skipLocked: true });
    return await this.db
      .update(executions)
      .set({ status: "Pending", queuedAt: null })
      .where(and(inArray(executions.id, due), eq(executions.status, "Scheduled")))
      .returning();
  }

  /** `Pending` rows whose message was published longer ago than `olderThanMs` (it may be lost). */
  async stalePending(olderThanMs: number, limit: number): Promise<string[]> {
    const rows = await this.db
      .select({ id: executions.id })
      .from(executions)
      .where(
        and(
          eq(executions.status, "Pending"),
          lt(executions.queuedAt, sql`now() - ${`${olderThanMs} milliseconds`}::interval`),
        ),
      )
      .limit(limit);
    return rows.map((r) => r.id);
  }

  /**
   * Runs whose worker stopped renewing the lease: re-queued as the next attempt while re-queues remain
   * (`maxAttempts - 1` of them: they were interrupted, not failed; the workflow's retry policy is not
   * used), else `Failed` / `WorkerLost`; a lost `Cancelling` run ends
   * `Cancelled`. Returns what changed.
   */
  async recoverExpiredLeases(limit: number): Promise<{ requeued: ExecutionRow[]; ended: ExecutionRow[] }> {
    const expired = and(inArray(executions.status, ACTIVE), lt(executions.leaseExpiresAt, sql`now()`));
    const candidates = await this.db
      .select({
        id: executions.id,
        status: executions.status,
        maxAttempts: executions.maxAttempts,
        // The attempt number the retry policy's attempts left out: what `maxAttempts` bounds.
        ownAttempt: sql<number>`${executions.attempt} - (select count(*)::int
          from jsonb_array_elements(${executions.attempts}) a where a ->> 'errorType' is distinct from 'WorkerLost')`,
      })
      .from(executions)
      .where(expired)
      .limit(limit);
    const requeued: ExecutionRow[] = [];
    const ended: ExecutionRow[] = [];
    for (const c of candidates) {
      const stillExpired = and(eq(executions.id, c.id), expired);
      if (c.status === "Running" && Number(c.ownAttempt) < c.maxAttempts) {
        const [row] = await this.db
          .update(executions)
          .set({
            status: "Pending",
            // The interrupted attempt stays visible (API.md `attempts`); the row moves on to the next.
            attempts: sql`${executions.attempts} || jsonb_build_array(jsonb_build_object(
              'attempt', ${executions.attempt}, 'status', 'Failed', 'error', ${WORKER_LOST_ERROR}::text,
              'errorType', 'WorkerLost', 'startedAt', ${executions.startedAt}, 'completedAt', now()))`,
            attempt: sql`${executions.attempt} + 1`,
            startedAt: null,
            workerId: null,
            leaseExpiresAt: null,
            queuedAt: sql`now()`,
          })
          .where(stillExpired)
          .returning();
        if (row) requeued.push(row);
      } else {
        const lostCancel = c.status === "Cancelling";
        const [row] = await this.db
          .update(executions)
          .set({
            status: lostCancel ? "Cancelled" : "Failed",
            error: lostCancel ? null : WORKER_LOST_ERROR,
            errorType: lostCancel ? null : "WorkerLost",
            completedAt: sql`now()`,
            leaseExpiresAt: null,
          })
          .where(stillExpired)
          .returning();
        if (row) ended.push(row);
      }
    }
    return { requeued, ended };
  }

  /** `Cancelling` rows older than `olderThanMs` end `Cancelled` (their worker never answered). */
  async endStuckCancels(olderThanMs: number): Promise<ExecutionRow[]> {
    return await this.db
      .update(executions)
      .set({ status: "Cancelled", completedAt: sql`now()`, leaseExpiresAt: null })
      .where(
        and(
          eq(executions.status, "Cancelling"),
          lt(executions.cancelRequestedAt, sql`now() - ${`${olderThanMs} milliseconds`}::interval`),
        ),
      )
      .returning();
  }
}
