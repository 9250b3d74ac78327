import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { childMessageSchema, type ChildMessage, type ParentMessage } from "@bifrost/contracts";
import { RUNTIME_FILES } from "./runtime-bundle.js";

/**
 * Kills the child when the worker dies, even by SIGKILL (PR_SET_PDEATHSIG). setpriv execs Node in
 * place, so the pid, the signals and the IPC channel are Node's own.
 */
const SETPRIV = "/usr/bin/setpriv";
/** The tail of the child's stderr kept to explain a crash (Node prints fatal errors there). */
const STDERR_TAIL_BYTES = 8 * 1024;

export type SandboxOptions = {
  /** Holds child.mjs and sdk.mjs (runtime-bundle.ts). */
  runtimeDir: string;
  /** Root of the compiled workspace versions; the only other directory a child may read. */
  compiledRoot: string;
  memoryLimitMb: number;
  /** Per-run log line cap, passed to the child runtime. */
  maxLogLines?: number;
  startTimeoutMs?: number;
};

export type ChildExit = {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Whether the child sent `ready` before it exited. */
  wasReady: boolean;
  stderrTail: string;
};

export type ChildHandlers = {
  /** A valid message other than `ready`. */
  message(message: Exclude<ChildMessage, { type: "ready" }>): void;
  /** The child broke the protocol; it is being killed. */
  invalid(reason: string): void;
};

/**
 * The command line of a sandboxed child: Node's permission model (`--permission`) with reads limited to
 * the runtime and the compiled workspace (never the data directory or the repository), no child processes, no
 * worker threads, no native addons, no eval, a heap ceiling, and an environment without any platform
 * secret (the database, broker and secret-key variables of the worker are never passed on).
 */
export function sandboxCommand(options: SandboxOptions): { command: string; args: string[] } {
  const node = [
    process.execPath,
    "--permission",
    // Network permission is all-or-nothing under --permission; the run reaches the API (and vendor
    // APIs) with it. Which destinations are reachable is for the OS layer, not this flag.
    "--allow-net",
    `--allow-fs-read=${path.resolve(options.runtimeDir)}`,
    `--allow-fs-read=${path.resolve(options.compiledRoot)}`,
    "--no-addons",
    "--disallow-code-generation-from-strings",
    `--max-old-space-size=${options.memoryLimitMb}`,
    "--disable-warning=ExperimentalWarning",
    path.join(path.resolve(options.runtimeDir), RUNTIME_FILES.child),
    ...(options.maxLogLines ? [`--max-log-lines=${options.maxLogLines}`] : []),
  ];
  const [command, ...args] = existsSync(SETPRIV) ? [SETPRIV, "--pdeathsig", "KILL", "--", ...node] : node;
  return { command: command!, args };
}

/** The environment of a child: nothing of the worker's own. */
const CHILD_ENV = { NODE_ENV: "production" };

/**
 * One sandboxed child process: validated IPC in both directions, a `ready` handshake with a deadline,
 * and an `exited` promise that settles once the process is reaped and its channel drained.
 */
export class SandboxedChild {
  readonly ready: Promise<void>;
  readonly exited: Promise<ChildExit>;
  private readonly process: ChildProcess;
  private isReady = false;
  private broken = false;
  private stderrTail = "";

  constructor(options: SandboxOptions, handlers: ChildHandlers) {
    const { command, args } = sandboxCommand(options);
    this.process = spawn(command, args, {
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      env: CHILD_ENV,
      cwd: options.runtimeDir,
      serialization: "json",
    });
    this.process.stderr?.setEncoding("utf8");
    this.process.stderr?.on("data", (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL_BYTES);
    });

    let markReady!: () => void;
    let failStart!: (error: Error) => void;
    this.ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failStart = reject;
    });
    this.ready.catch(() => undefined);
    const startTimer = setTimeout(() => {
      failStart(new Error(`the child process did not start within ${options.startTimeoutMs} ms`));
      this.kill();
    }, options.startTimeoutMs ?? 10_000);

    this.exited = new Promise<ChildExit>((resolve) => {
      const settle = (code: number | null, signal: NodeJS.Signals | null) => {
        clearTimeout(startTimer);
        failStart(new Error(this.describeEarlyExit(code, signal)));
        resolve({ code, signal, wasReady: this.isReady, stderrTail: this.stderrTail });
      };
      // 'close', not 'exit': it comes after the channel is drained, so every message the child sent
      // before dying has been handled when the pool learns that it died.
      this.process.once("close", settle);
      this.process.on("error", () => {
        // A spawn failure emits no 'close'; later errors (a send on a closed channel) are followed by it.
        if (this.process.pid === undefined) settle(null, null);
      });
    });

    this.process.on("message", (raw: unknown) => {
      if (this.broken) return;
      const parsed = childMessageSchema.safeParse(raw);
      if (!parsed.success) return this.reject(handlers, `invalid message: ${parsed.error.message}`);
      const message = parsed.data;
      if (message.type === "ready") {
        if (this.isReady) return this.reject(handlers, "a second ready message");
        this.isReady = true;
        clearTimeout(startTimer);
        return markReady();
      }
      if (!this.isReady) return this.reject(handlers, `${message.type} before ready`);
      handlers.message(message);
    });
  }

  get pid(): number | null {
    return this.process.pid ?? null;
  }

  get alive(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null && this.pid !== null;
  }

  send(message: ParentMessage): void {
    if (!this.process.connected) return;
    // A failed send means the child is dying: its 'close' reports that, nothing to do here.
    this.process.send(message, undefined, {}, () => undefined);
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    if (this.alive) this.process.kill(signal);
  }

  /** SIGTERM, then SIGKILL after `graceMs` if it is still there; settles when it has exited. */
  async terminate(graceMs: number): Promise<ChildExit> {
    this.kill("SIGTERM");
    const timer = setTimeout(() => this.kill("SIGKILL"), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  private reject(handlers: ChildHandlers, reason: string): void {
    this.broken = true;
    this.kill();
    handlers.invalid(reason);
  }

  private describeEarlyExit(code: number | null, signal: NodeJS.Signals | null): string {
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const tail = this.stderrTail.trim().split("\n").slice(-5).join("\n");
    return `the child process ${how} before it was ready${tail ? `: ${tail}` : ""}`;
  }
}
