import type { ExecutionAttempt, ExecutionDetail, ExecutionLog, ExecutionSummary } from "@bifrost/contracts";
import { NotFoundError } from "../../../errors.js";
import type { FileStore } from "../../../infra/files/file-store.js";
import type { ExecutionLogsRepository } from "../../../repositories/execution-logs.js";
import type {
  ExecutionFilters,
  ExecutionRow,
  ExecutionsRepository,
} from "../../../repositories/executions.js";
import type { Page } from "../../../repositories/pagination.js";
import { callerOf, type Principal } from "../../../principal.js";

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

const toSummary = (row: ExecutionRow): ExecutionSummary => ({
  id: row.id,
  workflowId: row.workflowId,
  workflowName: row.workflowName,
  status: row.status,
  organizationId: row.organizationId,
  executedBy: row.executedBy,
  executedByName: row.executedByName,
  triggeredBy: row.triggeredBy,
  attempt: row.attempt,
  createdAt: row.createdAt.toISOString(),
  startedAt: iso(row.startedAt),
  completedAt: iso(row.completedAt),
  durationMs: row.durationMs,
  local: row.local,
});

/** A timestamp PostgreSQL wrote into JSON (`jsonb_build_object`), in its text form: as ISO 8601. */
const isoText = (value: string | null): string | null =>
  value === null ? null : new Date(value).toISOString();

/**
 * Every attempt of a run: those a later one replaced (recorded on the row), then the row's own
 * current or last one once it started. Why each started: the first; after a lost worker; else a retry.
 */
function attemptsOf(row: ExecutionRow): ExecutionAttempt[] {
  const recorded = row.attempts.map((a) => ({
    ...a,
    status: a.status as ExecutionAttempt["status"],
    startedAt: isoText(a.startedAt),
    completedAt: isoText(a.completedAt),
  }));
  const current =
    row.startedAt && !recorded.some((a) => a.attempt === row.attempt)
      ? [
          {
            attempt: row.attempt,
            status: row.status,
            error: row.error,
            errorType: row.errorType,
            startedAt: row.startedAt.toISOString(),
            completedAt: iso(row.completedAt),
          },
        ]
      : [];
  return [...recorded, ...current].map((attempt, index, all) => ({
    ...attempt,
    reason:
      attempt.attempt === 1 ? "first" : all[index - 1]?.errorType === "WorkerLost" ? "worker_lost" : "retry",
  }));
}

const toDetail = (row: ExecutionRow): ExecutionDetail => ({
  ...toSummary(row),
  inputData: row.inputData,
  result: row.result ?? null,
  resultSize: row.resultSize,
  error: row.error,
  errorType: row.errorType,
  peakMemoryBytes: row.peakMemoryBytes,
  cpuMs: row.cpuMs,
  rerunOf: row.rerunOf,
  scheduledAt: row.status === "Scheduled" ? iso(row.scheduledAt) : null,
  attempts: attemptsOf(row),
  network:
    row.networkBytesIn === null
      ? null
      : {
          bytesIn: row.networkBytesIn,
          bytesOut: row.networkBytesOut ?? 0,
          connections: row.networkConnections ?? 0,
          denied: row.networkDenied ?? 0,
        },
});

/** Reading runs: history, detail, logs and stored results, within what the caller may see. */
export class ExecutionQueries {
  constructor(
    private readonly deps: {
      executions: ExecutionsRepository;
      logs: ExecutionLogsRepository;
      files: FileStore;
    },
  ) {}

  async list(
    principal: Principal,
    query: { limit: number; cursor?: string | undefined } & ExecutionFilters,
  ): Promise<Page<ExecutionSummary>> {
    const page = await this.deps.executions.list(callerOf(principal), query);
    return { items: page.items.map(toSummary), nextCursor: page.nextCursor };
  }

  async get(principal: Principal, id: string): Promise<ExecutionDetail> {
    return toDetail(await this.visible(principal, id));
  }

  /** DEBUG lines are for platform admins only. */
  async logs(
    principal: Principal,
    id: string,
    query: { limit: number; cursor?: string | undefined; attempt?: number | undefined },
  ): Promise<{ items: ExecutionLog[]; nextCursor: string | null }> {
    await this.visible(principal, id);
    const rows = await this.deps.logs.list(id, {
      afterSequence: query.cursor === undefined ? undefined : Number(query.cursor),
      attempt: query.attempt,
      limit: query.limit + 1,
      includeDebug: principal.isSuperuser,
    });
    const items = rows.slice(0, query.limit).map((r) => ({
      sequence: r.sequence,
      level: r.level,
      message: r.message,
      ...(r.data ? { data: r.data as Record<string, unknown> } : {}),
      timestamp: r.timestamp.toISOString(),
    }));
    const last = items.at(-1);
    return { items, nextCursor: rows.length > query.limit && last ? String(last.sequence) : null };
  }

  /** The result as stored JSON: inline, or from the file store when it was over 1 MB. */
  async result(principal: Principal, id: string): Promise<Buffer> {
    const row = await this.visible(principal, id);
    if (row.resultKey) {
      const stored = await this.deps.files.get(row.resultKey);
      if (!stored) throw new NotFoundError("The stored result is gone");
      return stored;
    }
    return Buffer.from(JSON.stringify(row.result ?? null));
  }

  async visible(principal: Principal, id: string): Promise<ExecutionRow> {
    const row = await this.deps.executions.findVisible(callerOf(principal), id);
    if (!row) throw new NotFoundError("Execution not found");
    return row;
  }
}
