import type { Clock } from "../../infra/clock.js";
import type { Logger } from "../../infra/logger.js";
import type { ExecutionRow } from "../../repositories/executions.js";
import type { ScheduleRow, SchedulesRepository } from "../../repositories/schedules.js";
import type { ScheduledJob } from "../scheduler/job.js";
import { parseCron } from "./cron.js";

/** A fire missed by at most this long (the scheduler was down) still runs once on recovery. */
export const CATCH_UP_GRACE_MS = 10 * 60_000;
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

/**
 * The schedule tick (a scheduler job, every second): fires due schedules exactly once per fire time.
 * Due rows are locked FOR UPDATE SKIP LOCKED in batches; each fire time is first recorded in
 * `schedule_fires` (primary key (schedule, fire time), committed at once) and the run is started
 * only when that insert happened, so a new leader redoing a pass never fires twice.
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
      const count = await this.deps.schedules.withDue(BATCH, (row) => this.fire(row));
      handled += count;
      if (count < BATCH) break;
    }
    return handled;
  }

  private async fire(row: ScheduleRow): Promise<{ nextRunAt: Date | null; lastRunAt?: Date }> {
    const { schedules, logger } = this.deps;
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
    await schedules.recordMissed(row.id, old, "older than the 10 min catch-up grace");
    await schedules.recordMissed(row.id, recent, "the scheduler was not running; one catch-up ran instead");
    if (old.length + recent.length > 0) {
      logger.info({ scheduleId: row.id, missed: old.length + recent.length }, "schedule fires missed");
    }
    if (!latest) return { nextRunAt: t };
    await this.runOnce(row, latest);
    return { nextRunAt: t, lastRunAt: latest };
  }

  /** Records the fire time, then (only if that record is new) starts the run. */
  private async runOnce(row: ScheduleRow, fireTime: Date): Promise<void> {
    const { schedules, logger } = this.deps;
    const busy = row.overlapPolicy === "skip" && (await schedules.hasActiveRun(row.id));
    const outcome = busy ? "skipped" : "fired";
    const fresh = await schedules.recordFire(
      row.id,
      fireTime,
      outcome,
      busy ? "a run of this schedule is still active" : undefined,
    );
    if (!fresh || busy) return;
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
