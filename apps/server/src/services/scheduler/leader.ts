import type { Bus, Lock } from "../../infra/bus/bus.js";
import type { Logger } from "../../infra/logger.js";
import type { ScheduledJob } from "./job.js";

const SCHEDULER_LOCK = "scheduler:leader";

export type LeaderOptions = {
  /** The bus lock's time to live: a dead leader's lock frees itself after this (≤ 5 s). */
  ttlMs: number;
  /** How often the leader renews and the others try to take the lock (1–2 s). */
  renewMs: number;
};

const defaultLeaderOptions: LeaderOptions = { ttlMs: 5_000, renewMs: 1_500 };

/**
 * Leader election over a bus lock: every scheduler process tries to take the lock every `renewMs`;
 * the holder renews it at the same pace. A leader that dies stops renewing, its lock expires after
 * `ttlMs`, and another process takes it at its next try: a takeover within ttl + renew (≤ 6.5 s).
 * A leader that fails to renew (the lock expired and was taken, or the bus is down) is deposed at
 * once. `onElected`/`onDeposed` are called on each change.
 */
export class LeaderElection {
  private timer: NodeJS.Timeout | undefined;
  private lock: Lock | null = null;
  private pending: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly deps: {
      bus: Bus;
      logger: Logger;
      lockName?: string;
      options?: LeaderOptions;
      onElected(): void;
      onDeposed(): void;
    },
  ) {}

  get isLeader(): boolean {
    return this.lock !== null;
  }

  private get options(): LeaderOptions {
    return this.deps.options ?? defaultLeaderOptions;
  }

  start(): void {
    this.stopped = false;
    this.pending = this.step();
    this.timer = setInterval(() => {
      // One step at a time: a slow bus must not stack renewals.
      this.pending = this.pending.then(() => this.step());
    }, this.options.renewMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.pending;
    const lock = this.lock;
    if (lock) {
      this.depose();
      await lock.release().catch(() => undefined);
    }
  }

  private async step(): Promise<void> {
    if (this.stopped) return;
    const { bus, logger, lockName = SCHEDULER_LOCK } = this.deps;
    try {
      if (this.lock) {
        if (await this.lock.renew(this.options.ttlMs)) return;
        logger.warn("scheduler leadership lost");
        this.depose();
        return;
      }
      const lock = await bus.acquireLock(lockName, this.options.ttlMs);
      if (!lock) return;
      if (this.stopped) {
        await lock.release();
        return;
      }
      this.lock = lock;
      logger.info("scheduler elected leader");
      this.deps.onElected();
    } catch (error) {
      logger.warn({ err: error }, "scheduler leader election failed");
      // Unsure whether we still hold it: stop the jobs, the lock expires by itself.
      if (this.lock) this.depose();
    }
  }

  private depose(): void {
    this.lock = null;
    this.deps.onDeposed();
  }
}

/**
 * Runs each job of a catalog every `intervalMs`, first at `start`; a job never overlaps itself (the
 * next run is due `intervalMs` after the previous one started, or at once when it took longer).
 * `stop` cancels every pending run at once and waits for the ones in flight.
 */
export class JobRunner {
  private timers = new Map<string, NodeJS.Timeout>();
  private inFlight = new Set<Promise<void>>();
  private active = false;

  constructor(
    private readonly jobs: readonly ScheduledJob[],
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.active) return;
    this.active = true;
    for (const job of this.jobs) this.schedule(job, 0);
  }

  /** Stops scheduling at once; answers when the runs in flight have ended. */
  async stop(): Promise<void> {
    this.active = false;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.all([...this.inFlight]);
  }

  private schedule(job: ScheduledJob, delayMs: number): void {
    if (!this.active) return;
    const timer = setTimeout(() => {
      this.timers.delete(job.name);
      if (!this.active) return;
      const started = Date.now();
      const run = job
        .run()
        .catch((error: unknown) => this.logger.warn({ err: error, job: job.name }, "scheduled job failed"))
        .finally(() => {
          this.inFlight.delete(run);
          this.schedule(job, Math.max(0, job.intervalMs - (Date.now() - started)));
        });
      this.inFlight.add(run);
    }, delayMs);
    timer.unref();
    this.timers.set(job.name, timer);
  }
}
