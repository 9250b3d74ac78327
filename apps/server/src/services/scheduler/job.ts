/**
 * A periodic job of the scheduler role. Jobs are declared in one typed catalog
 * (`roles/scheduler.ts`) and run only on the leader scheduler; `run` must be safe to repeat (a
 * new leader may run a tick the old one was in the middle of) and should work in bounded batches.
 */
export type ScheduledJob = {
  readonly name: string;
  /** How often the leader runs it. */
  readonly intervalMs: number;
  run(): Promise<void>;
};
