import type { ChildMessage, LogLine } from "@bifrost/contracts";
import type { WorkerSandbox } from "@bifrost/contracts";
import type { EgressCredential, EgressProxy } from "./egress-proxy.js";
import { describeIsolation, detectIsolation, type Isolation } from "./isolation.js";
import {
  boundLine,
  DEFAULT_OUTPUT_LIMITS,
  resultBytes,
  resultTooLargeError,
  type OutputLimits,
} from "./output-limits.js";
import { systemClock, type Clock } from "../../../infra/clock.js";
import type { Logger } from "../../../infra/logger.js";
import type { ChildExit } from "./child-process.js";
import { PoolChild, type PoolChildStats } from "./pool-child.js";
import {
  checkModulePath,
  crashedOutcome,
  keyIdOf,
  PoolClosedError,
  stoppedOutcome,
  type Job,
  type PoolRunOutcome,
  type PoolRunRequest,
} from "./pool-run.js";
import { DEFAULT_MAX_LOG_LINES } from "../runtime/run-log.js";

export { PoolClosedError };
export type { PoolRunOutcome, PoolRunRequest };

export type PoolStats = {
  processes: PoolChildStats[];
  busy: number;
  idle: number;
  max: number;
  sandbox: WorkerSandbox;
};

export type ProcessPoolOptions = {
  runtimeDir: string;
  compiledRoot: string;
  minProcesses?: number;
  maxProcesses?: number;
  maxRunsPerProcess?: number;
  idleTimeoutMs?: number;
  /** Heap ceiling of a child (--max-old-space-size) and the RSS above which it is recycled. */
  memoryLimitMb?: number;
  /** Between SIGTERM and SIGKILL when a run is stopped. */
  graceMs?: number;
  startTimeoutMs?: number;
  maxLogLinesPerRun?: number;
  /** How the OS isolates the children; default: what the host offers (isolation.ts). false: none. */
  isolation?: Isolation | false;
  /**
   * The egress proxy the children's connections go through (each child in a network namespace of its
   * own, with a credential of its own). Unset (pool tests): the children share the machine's network.
   */
  egress?: EgressProxy;
  /** Bounds on a run's log and result (output-limits.ts); each defaults to DEFAULT_OUTPUT_LIMITS. */
  outputLimits?: Partial<OutputLimits>;
  logger: Logger;
  clock?: Clock;
};

/**
 * Warm, sandboxed child processes that run workflows one at a time (DESIGN.md §5 "Run"). A child is
 * reused only for the same organization, workspace version and privilege; it is recycled after N
 * runs, when idle, or above the memory ceiling; a run that times out or is cancelled gets its child
 * killed (abort, SIGTERM, grace, SIGKILL). Every child is reaped before its run's outcome settles.
 */
export class ProcessPool {
  private readonly options: Required<
    Omit<ProcessPoolOptions, "clock" | "logger" | "outputLimits" | "egress">
  >;
  private readonly egress: EgressProxy | undefined;
  /** Each child's proxy credential, whose usage is reset at each run's start. */
  private readonly credentials = new WeakMap<PoolChild, EgressCredential>();
  private readonly limits: OutputLimits;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly slots: PoolChild[] = [];
  /** Runs waiting for a child, first come first served. */
  private queue: Job[] = [];
  private closing = false;
  private startFailures = 0;
  private replenishTimer: NodeJS.Timeout | null = null;

  constructor(options: ProcessPoolOptions) {
    this.options = {
      runtimeDir: options.runtimeDir,
      compiledRoot: options.compiledRoot,
      minProcesses: options.minProcesses ?? 1,
      maxProcesses: Math.max(1, options.maxProcesses ?? 10),
      maxRunsPerProcess: options.maxRunsPerProcess ?? 1000,
      idleTimeoutMs: options.idleTimeoutMs ?? 5 * 60_000,
      memoryLimitMb: options.memoryLimitMb ?? 512,
      graceMs: options.graceMs ?? 5_000,
      startTimeoutMs: options.startTimeoutMs ?? 10_000,
      maxLogLinesPerRun: options.maxLogLinesPerRun ?? DEFAULT_MAX_LOG_LINES,
      isolation: options.isolation ?? detectIsolation(),
    };
    this.limits = { ...DEFAULT_OUTPUT_LIMITS, ...options.outputLimits };
    this.egress = options.egress;
    this.logger = options.logger;
    this.clock = options.clock ?? systemClock;
  }

  /** How many runs can be in progress at once. */
  get capacity(): number {
    return this.options.maxProcesses;
  }

  /** Starts the warm children; rejects when none of them could start (a missing runtime bundle). */
  async start(): Promise<void> {
    this.ensureMinimum();
    const results = await Promise.allSettled(this.slots.map((slot) => slot.process.ready));
    const failure = results.find((result) => result.status === "rejected");
    if (failure && results.every((result) => result.status === "rejected")) throw failure.reason;
  }

  /** Runs one workflow; waits for a free child when all are busy. Never rejects for a workflow's fault. */
  run(request: PoolRunRequest): Promise<PoolRunOutcome> {
    if (this.closing) return Promise.reject(new PoolClosedError());
    return new Promise<PoolRunOutcome>((resolve, reject) => {
      checkModulePath(this.options.compiledRoot, request); // a throw here rejects
      const keyId = keyIdOf(request.key);
      this.queue.push({
        request,
        keyId,
        resolve,
        reject,
        startedAt: null,
        timer: null,
        ending: null,
        logLines: 0,
        logBytes: 0,
        logCut: false,
      });
      this.dispatch();
    });
  }

  /** Stops a waiting or running execution (→ `Cancelled`); false when the pool does not have it. */
  cancel(executionId: string, reason = "The execution was cancelled"): boolean {
    const waiting = this.queue.findIndex((job) => job.request.executionId === executionId);
    if (waiting >= 0) {
      const [job] = this.queue.splice(waiting, 1);
      job!.resolve(stoppedOutcome({ status: "Cancelled", error: reason }, 0));
      return true;
    }
    const slot = this.slots.find((candidate) => candidate.job?.request.executionId === executionId);
    if (!slot) return false;
    this.stopRun(slot, { status: "Cancelled", error: reason });
    return true;
  }

  stats(): PoolStats {
    const now = this.clock.now();
    return {
      processes: this.slots.map((slot) => slot.describe(now)),
      busy: this.slots.filter((slot) => slot.state === "busy").length,
      idle: this.slots.filter((slot) => slot.state === "idle").length,
      max: this.options.maxProcesses,
      sandbox: describeIsolation(this.options.isolation),
    };
  }

  /** Kills every child (runs in progress reject with PoolClosedError) and waits until all have exited. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.replenishTimer) clearTimeout(this.replenishTimer);
    for (const job of this.queue.splice(0)) job.reject(new PoolClosedError());
    const slots = [...this.slots];
    for (const slot of slots) {
      const job = slot.job;
      if (job && !job.ending) job.ending = { status: "Closed" };
      const running = slot.state === "busy";
      if (running) slot.sendAbort("The worker is shutting down");
      slot.stop(running, this.options.graceMs);
    }
    await Promise.all(slots.map((slot) => slot.process.exited));
  }

  private dispatch(): void {
    while (this.queue.length > 0 && !this.closing) {
      const job = this.queue[0]!;
      const slot = this.place(job);
      if (!slot) return;
      this.queue.shift();
      slot.bind(job);
      if (slot.state === "idle") this.sendRun(slot);
    }
  }

  /** A child for this run: same key, else an unbound warm one, else a new one, else make room. */
  private place(job: Job): PoolChild | null {
    const idle = this.slots.filter((slot) => slot.state === "idle");
    const sameKey = idle.find((slot) => slot.keyId === job.keyId);
    if (sameKey) return sameKey;
    const unbound =
      idle.find((slot) => slot.key === null) ??
      this.slots.find((slot) => slot.state === "starting" && slot.key === null && slot.job === null);
    if (unbound) return unbound;
    // Children being stopped still count: the ceiling is on live processes, not on useful ones.
    if (this.slots.length < this.options.maxProcesses) return this.spawn();
    // Full, and the idle children belong to other keys: replace one. Its exit dispatches again, so
    // while a killed child is on its way out, wait for it rather than evict a second one.
    const dying = this.slots.some((slot) => slot.state === "stopping" && slot.job === null);
    const victim = idle[0];
    if (victim && !dying) victim.stop(false, this.options.graceMs);
    return null;
  }

  private spawn(): PoolChild {
    const { runtimeDir, compiledRoot, memoryLimitMb, maxLogLinesPerRun, startTimeoutMs, isolation } =
      this.options;
    const credential = this.egress?.register();
    const slot = new PoolChild(
      {
        runtimeDir,
        compiledRoot,
        memoryLimitMb,
        maxLogLines: maxLogLinesPerRun,
        maxResultBytes: this.limits.resultBytes,
        startTimeoutMs,
        isolation,
        ...(credential && this.egress
          ? { network: { egress: { socketPath: this.egress.socketPath, token: credential.token } } }
          : {}),
      },
      this.clock.now(),
      {
        message: (child, message, bytes) => this.onMessage(child, message, bytes),
        invalid: (child, reason) =>
          this.logger.warn({ pid: child.pid, reason }, "workflow child broke the IPC protocol; killed"),
      },
    );
    this.slots.push(slot);
    slot.process.ready.then(
      () => this.onReady(slot),
      () => undefined, // its exit follows and is handled there
    );
    if (credential) this.credentials.set(slot, credential);
    void slot.process.exited.then((exit) => {
      this.onExit(slot, exit);
      credential?.revoke();
    });
    return slot;
  }

  private onReady(slot: PoolChild): void {
    this.startFailures = 0;
    if (slot.state !== "starting") return;
    if (slot.job) return this.sendRun(slot);
    this.becomeIdle(slot);
    this.dispatch();
  }

  private sendRun(slot: PoolChild): void {
    const { timeoutMs } = slot.job!.request;
    this.credentials.get(slot)?.reset(); // the run's traffic, not the child's previous runs'
    slot.sendRun(this.clock.now(), () =>
      this.stopRun(slot, { status: "Timeout", error: `The run timed out after ${timeoutMs} ms` }),
    );
  }

  private onMessage(slot: PoolChild, message: Exclude<ChildMessage, { type: "ready" }>, bytes: number): void {
    const job = slot.job;
    const current = job !== null && job.startedAt !== null && message.type !== "discovered";
    if (!current || message.executionId !== job.request.executionId) {
      // Only user code forging messages gets here (the runtime answers the run it was given).
      slot.invalidMessage = true;
      this.logger.warn({ pid: slot.pid, type: message.type }, "unexpected message from workflow child");
      return slot.stop(false, this.options.graceMs);
    }
    if (message.type === "logs") return this.forwardLogs(job, message.lines);
    if (job.ending) return; // being stopped: the outcome is the stop's, once the child has exited
    // The result is inside the message: a message under the cap holds a result under it, and only a
    // larger one (forged past the child runtime's own check) is measured again.
    const size = bytes > this.limits.resultBytes ? resultBytes(message.result) : 0;
    const tooLarge = size > this.limits.resultBytes;
    this.settle(slot, slot.release(message.rssBytes), {
      status: tooLarge ? "Failed" : message.status,
      result: tooLarge ? null : (message.result ?? null),
      error: tooLarge ? resultTooLargeError(size, this.limits.resultBytes) : message.error,
      errorType: tooLarge ? "ResultTooLarge" : message.errorType,
      durationMs: message.durationMs,
      peakMemoryBytes: message.peakMemoryBytes,
      cpuMs: message.cpuMs,
    });
    const overMemory = message.rssBytes > this.options.memoryLimitMb * 1024 * 1024;
    if (slot.runs >= this.options.maxRunsPerProcess || overMemory) slot.stop(false, this.options.graceMs);
    else this.becomeIdle(slot);
    this.dispatch();
  }

  /** Resolves a run with its outcome and, when its child goes through the proxy, its traffic. */
  private settle(slot: PoolChild, job: Job, outcome: PoolRunOutcome): void {
    const credential = this.credentials.get(slot);
    job.resolve(credential && job.startedAt !== null ? { ...outcome, network: credential.usage() } : outcome);
  }

  private forwardLogs(job: Job, lines: LogLine[]): void {
    // The child caps its log; these caps also hold for lines that user code sends by hand.
    const room = this.options.maxLogLinesPerRun + 1 - job.logLines;
    if (room <= 0 || job.logCut) return;
    const { lineBytes, logBytesPerAttempt } = this.limits;
    const accepted: LogLine[] = [];
    for (const line of lines.length > room ? lines.slice(0, room) : lines) {
      const bounded = boundLine(line, lineBytes);
      if (job.logBytes + bounded.bytes > logBytesPerAttempt) {
        job.logCut = true;
        accepted.push({
          level: "warn",
          message: `log truncated: more than ${logBytesPerAttempt} bytes in this attempt`,
          timestamp: line.timestamp,
        });
        break;
      }
      job.logBytes += bounded.bytes;
      accepted.push(bounded.line);
    }
    job.logLines += accepted.length;
    try {
      job.request.onLogs(accepted);
    } catch (error) {
      this.logger.error({ err: error, executionId: job.request.executionId }, "onLogs failed");
    }
  }

  /** Timeout and cancel: abort `ctx.signal`, SIGTERM, grace, SIGKILL; the outcome waits for the exit. */
  private stopRun(slot: PoolChild, ending: { status: "Timeout" | "Cancelled"; error: string }): void {
    const job = slot.job;
    if (!job || job.ending) return;
    job.ending = ending;
    slot.sendAbort(ending.error);
    slot.stop(job.startedAt !== null, this.options.graceMs);
  }

  private becomeIdle(slot: PoolChild): void {
    slot.becomeIdle(this.options.idleTimeoutMs, () => {
      if (slot.state !== "idle") return;
      // Above the minimum an idle child goes; at the minimum a bound one makes way for an unbound one.
      const live = this.slots.filter((other) => other.state !== "stopping").length;
      if (live > this.options.minProcesses || slot.key !== null) slot.stop(false, this.options.graceMs);
    });
  }

  private onExit(slot: PoolChild, exit: ChildExit): void {
    this.slots.splice(this.slots.indexOf(slot), 1);
    slot.clearTimers();
    const job = slot.job;
    const durationMs = job?.startedAt != null ? this.clock.now() - job.startedAt : 0;
    if (job?.ending?.status === "Closed") job.reject(new PoolClosedError());
    else if (job?.ending) this.settle(slot, job, stoppedOutcome(job.ending, durationMs));
    else if (job) {
      const { memoryLimitMb } = this.options;
      const invalidMessage = slot.invalidMessage;
      this.settle(slot, job, crashedOutcome(exit, { durationMs, memoryLimitMb, invalidMessage }));
    }
    if (slot.state !== "stopping") {
      const details = { pid: slot.pid, code: exit.code, signal: exit.signal };
      if (exit.wasReady) this.logger.warn(details, "workflow child exited");
      else {
        // Nothing of a user ran yet: stderr is the runtime's own (a missing bundle, a bad flag).
        this.startFailures++;
        this.logger.error({ ...details, stderr: exit.stderrTail }, "workflow child failed to start");
      }
    }
    if (this.closing) return;
    this.dispatch();
    this.scheduleMinimum();
  }

  /** Back off when children keep failing to start, instead of respawning in a tight loop. */
  private scheduleMinimum(): void {
    if (this.startFailures === 0) return this.ensureMinimum();
    if (this.replenishTimer) return;
    const delay = Math.min(30_000, 500 * 2 ** Math.min(this.startFailures, 6));
    this.replenishTimer = setTimeout(() => {
      this.replenishTimer = null;
      this.ensureMinimum();
      this.dispatch();
    }, delay);
    this.replenishTimer.unref();
  }

  private ensureMinimum(): void {
    if (this.closing) return;
    const live = () => this.slots.filter((slot) => slot.state !== "stopping").length;
    while (live() < this.options.minProcesses && this.slots.length < this.options.maxProcesses) this.spawn();
  }
}
