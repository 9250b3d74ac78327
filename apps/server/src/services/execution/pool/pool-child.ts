import { IPC_VERSION, type ChildMessage } from "@bifrost/contracts";
import { SandboxedChild, type SandboxOptions } from "./child-process.js";
import type { Job, PoolKey } from "./pool-run.js";

export type PoolChildState = "starting" | "idle" | "busy" | "stopping";

/** One child in `ProcessPool.stats()`. */
export type PoolChildStats = {
  pid: number | null;
  state: PoolChildState;
  executionId: string | null;
  runs: number;
  uptimeMs: number;
  /** After its last run; null before the first. */
  rssBytes: number | null;
  /** What it is bound to; null for a warm child that has not run yet. */
  key: PoolKey | null;
};

/** setTimeout's ceiling (about 24.8 days); longer timeouts are clamped to it. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * One child as the pool sees it: the process, what it is bound to (the key of its first run), the
 * run it holds, and its timers. The pool decides; this only keeps the child's state consistent.
 */
export class PoolChild {
  readonly process: SandboxedChild;
  state: PoolChildState = "starting";
  key: PoolKey | null = null;
  keyId: string | null = null;
  /** The run this child holds (waiting for `ready`, running, or being stopped). */
  job: Job | null = null;
  runs = 0;
  rssBytes: number | null = null;
  /** It broke the protocol: its run's crash says so. */
  invalidMessage = false;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(
    sandbox: SandboxOptions,
    readonly startedAt: number,
    handlers: {
      message(child: PoolChild, message: Exclude<ChildMessage, { type: "ready" }>, bytes: number): void;
      invalid(child: PoolChild, reason: string): void;
    },
  ) {
    this.process = new SandboxedChild(sandbox, {
      message: (message, bytes) => handlers.message(this, message, bytes),
      invalid: (reason) => {
        this.invalidMessage = true;
        handlers.invalid(this, reason);
      },
    });
  }

  get pid(): number | null {
    return this.process.pid;
  }

  /** Takes a run; a child keeps the key of its first run for life. */
  bind(job: Job): void {
    this.clearIdle();
    this.job = job;
    this.key = job.request.key;
    this.keyId = job.keyId;
  }

  /** Sends the bound run; `onTimeout` fires if it is still running after its timeout. */
  sendRun(now: number, onTimeout: () => void): void {
    const job = this.job!;
    const { request } = job;
    this.state = "busy";
    job.startedAt = now;
    this.process.send({
      v: IPC_VERSION,
      type: "run",
      executionId: request.executionId,
      modulePath: request.modulePath,
      exportName: request.exportName,
      input: request.input,
      context: request.context,
      api: request.api,
    });
    if (request.timeoutMs > 0) job.timer = setTimeout(onTimeout, Math.min(request.timeoutMs, MAX_TIMER_MS));
  }

  /** Aborts `ctx.signal` of the run in progress (the stop follows). */
  sendAbort(reason: string): void {
    const job = this.job;
    if (!job || job.startedAt === null) return;
    this.process.send({ v: IPC_VERSION, type: "abort", executionId: job.request.executionId, reason });
  }

  /** The run settled: the child is free again. */
  release(rssBytes: number): Job {
    const job = this.job!;
    if (job.timer) clearTimeout(job.timer);
    this.job = null;
    this.runs++;
    this.rssBytes = rssBytes;
    return job;
  }

  becomeIdle(timeoutMs: number, onIdle: () => void): void {
    this.state = "idle";
    this.idleTimer = setTimeout(onIdle, timeoutMs);
    this.idleTimer.unref();
  }

  /** Gracefully (SIGTERM, grace, SIGKILL) while user code runs, else with SIGKILL at once. */
  stop(graceful: boolean, graceMs: number): void {
    this.clearTimers();
    if (this.state === "stopping") return;
    this.state = "stopping";
    if (graceful) void this.process.terminate(graceMs);
    else this.process.kill("SIGKILL");
  }

  clearTimers(): void {
    this.clearIdle();
    if (this.job?.timer) clearTimeout(this.job.timer);
  }

  describe(now: number): PoolChildStats {
    return {
      pid: this.pid,
      state: this.state,
      executionId: this.job?.request.executionId ?? null,
      runs: this.runs,
      uptimeMs: now - this.startedAt,
      rssBytes: this.rssBytes,
      key: this.key,
    };
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }
}
