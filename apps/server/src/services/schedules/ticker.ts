import type { Clock } from "../../infra/clock.js";
import type { Logger } from "../../infra/logger.js";
import type { ExecutionRow } from "../../repositories/executions.js";
import type { ScheduleRow, SchedulesRepository } from "../../repositories/schedules.js";
import type { ScheduledJob } from "../scheduler/job.js";
import { parseCron } from "./cron.js";

/** A fire missed by at most this long (the scheduler was down) still runs once on recovery. */
const CATCH_UP_GRACE_MS = 10 * 60_000;
const BATCH = 100;
const MAX_BATCHES_PER_TICK = 10;
/** Missed fires older than the grace recorded per schedule and pass; the rest are skipped silently. */
const MAX_MISSED_RECORDED = 1000;

export type StartScheduledRun = (run: {
  workflowId: string;
  organizationId: string;
  inputData: Record<string, unknown>;
  triggeredBy: "schedule";
  sourceId: string;
}) => Promise<ExecutionRow>;

/** A fire recorded in the tick's transaction whose run starts after the commit. */
type DueStart = { row: ScheduleRow; fireTime: Date };

/**
 * The schedule tick (a scheduler job, every second): fires due schedules exactly once per fire time.
 * Due rows are locked FOR NO KEY UPDATE SKIP LOCKED in batches. Inside that transaction, and only
 * through it, each fire time is recorded in `schedule_fires` (primary key (schedule, fire time)) and
 * nextRunAt advances, so both commit together: a new leader redoing a pass finds either both or
 * neither, and never fires twice. The runs start after the commit, never inside the transaction (on
 * the embedded database, one connection, starting a run there would wait for the transaction forever).
 *
 * When several fire times are due (the scheduler was down or the leader died), only the latest one
 * runs, and only if it is within the 10 min grace; the others are recorded `missed`.
 */
export class ScheduleTicker {
  constructor(
    private readonly deps: {
      schedules: SchedulesRepository;
      startRun: StartScheduledRun;
      clock: Clock;
      logger: Logger;
    },
  ) {}

  job(): ScheduledJob {
    return {
      name: "schedule-tick",
      intervalMs: 1_000,
      run: async () => {
        await this.tick();
      },
    };
  }

  /** One pass over the due schedules; answers how many were handled. */
  async tick(): Promise<number> {
    let handled = 0;
    for (let i = 0; i < MAX_BATCHES_PER_TICK; i++) {
      const starts: DueStart[] = [];
      const count = await this.deps.schedules.withDue(BATCH, (row, locked) => this.fire(row, locked, starts));
      for (const start of starts) await this.start(start);
      handled += count;
      if (count < BATCH) break;
    }
    return handled;
  }

  /** Plans one due schedule inside the tick's transaction (`locked`); its run, if any, goes to `starts`. */
  private async fire(
    row: ScheduleRow,
    locked: SchedulesRepository,
    starts: DueStart[],
  ): Promise<{ nextRunAt: Date | null; lastRunAt?: Date }> {
    const { logger } = this.deps;
    const now = new Date(this.deps.clock.now());
    let cron;
    try {
      cron = parseCron(row.cron, row.timezone);
    } catch (error) {
      logger.warn({ err: error, scheduleId: row.id }, "schedule has an invalid cron; it stops firing");
      return { nextRunAt: null };
    }
    // Fire times from the stored nextRunAt up to now: those older than the grace window, then the recent ones.
    const windowStart = new Date(now.getTime() - CATCH_UP_GRACE_MS);
    const old: Date[] = [];
    let t: Date | null = row.nextRunAt;
    while (t && t <= windowStart && old.length < MAX_MISSED_RECORDED) {
      old.push(t);
      t = cron.next(t);
    }
    if (t && t <= windowStart) t = cron.next(windowStart);
    const recent: Date[] = [];
    while (t && t <= now) {
      recent.push(t);
      t = cron.next(t);
    }
    const latest = recent.pop();
    await locked.recordMissed(row.id, old, "older than the 10 min catch-up grace");
    await locked.recordMissed(row.id, recent, "the scheduler was not running; one catch-up ran instead");
    if (old.length + recent.length > 0) {
      logger.info({ scheduleId: row.id, missed: old.length + recent.length }, "schedule fires missed");
    }
    if (!latest) return { nextRunAt: t };
    const busy = row.overlapPolicy === "skip" && (await locked.hasActiveRun(row.id));
    const fresh = await locked.recordFire(
      row.id,
      latest,
      busy ? "skipped" : "fired",
      busy ? "a run of this schedule is still active" : undefined,
    );
    if (fresh && !busy) starts.push({ row, fireTime: latest });
    return { nextRunAt: t, lastRunAt: latest };
  }

  /** Starts the run of a committed fire and links it to the fire (or records why it could not start). */
  private async start({ row, fireTime }: DueStart): Promise<void> {
    const { schedules, logger } = this.deps;
    try {
      const execution = await this.deps.startRun({
        workflowId: row.workflowId,
        organizationId: row.organizationId,
        inputData: row.inputData,
        triggeredBy: "schedule",
        sourceId: row.id,
      });
      await schedules.setFireExecution(row.id, fireTime, execution.id);
    } catch (error) {
      logger.warn({ err: error, scheduleId: row.id }, "schedule could not start its run");
      await schedules.setFireOutcome(
        row.id,
        fireTime,
        "skipped",
        `the run could not start: ${(error as Error).message}`,
      );
    }
  }
}
