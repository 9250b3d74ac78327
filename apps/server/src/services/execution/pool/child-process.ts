import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import type { Socket } from "node:net";
import path from "node:path";
import {
  childMessageSchema,
  encodeIpcMessage,
  IPC_FD,
  IpcLineReader,
  type ChildMessage,
  type ParentMessage,
} from "@bifrost/contracts";
import { createChildCgroup, enterCgroupCommand, type ChildCgroup } from "./child-cgroup.js";
import { detectIsolation, NO_ISOLATION, shareWithSandbox, wrapCommand, type Isolation } from "./isolation.js";
import { DEFAULT_OUTPUT_LIMITS, maxMessageBytes } from "./output-limits.js";
import { RUNTIME_FILES } from "./runtime-bundle.js";

/**
 * The kernel's limit on a whole child: its heap ceiling (--max-old-space-size) plus room for code,
 * Buffers and native memory. Past it the kernel kills the child.
 */
const CGROUP_HEADROOM_MB = 256;
export const childMemoryLimitBytes = (memoryLimitMb: number): number =>
  (memoryLimitMb + CGROUP_HEADROOM_MB) * 1024 * 1024;
/** Processes and threads of one child (Node itself uses about a dozen). */
export const CHILD_TASKS = 64;
/** CPU cores one child may use at once. */
export const CHILD_CPU_CORES = 1;

/** After the wrapper exits, how long Node inside gets to close the pipes before ours are closed. */
const ORPHAN_CLOSE_MS = 1_000;
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
  /** A larger result is refused by the child runtime (the pool checks again). */
  maxResultBytes?: number;
  /** How the OS isolates it; default: what `detectIsolation()` finds. false: the permission model only. */
  isolation?: Isolation | false;
  /**
   * Its network: `egress`, a network namespace of its own whose connections go through that proxy
   * (the child runtime installs the shim); `none`, a network namespace with nothing at all
   * (discovery); `host` (default, tests of the pool alone): the machine's.
   */
  network?: { egress: { socketPath: string; token: string } } | "none" | "host";
};

export type ChildExit = {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Whether the child sent `ready` before it exited. */
  wasReady: boolean;
  stderrTail: string;
  /** The kernel killed it for going past its memory cgroup's limit. */
  outOfMemory: boolean;
  /** It was killed for a message over the channel's size limit. */
  outputLimitExceeded: boolean;
};

export type ChildHandlers = {
  /** A valid message other than `ready`. */
  /** `bytes`: the size of the message as it came, so bounds can be checked without re-encoding it. */
  message(message: Exclude<ChildMessage, { type: "ready" }>, bytes: number): void;
  /** The child broke the protocol (or a message outgrew the limit); it is being killed. */
  invalid(reason: string): void;
};

/**
 * The command line of a sandboxed child: Node's permission model (`--permission`) with reads limited to
 * the runtime and the compiled workspace (never the data directory or the repository), no child processes, no
 * worker threads, no native addons, no eval, a heap ceiling, and an environment without any platform
 * secret (the database, broker and secret-key variables of the worker are never passed on).
 */
function sandboxCommand(options: SandboxOptions): {
  command: string;
  args: string[];
  isolation: Isolation;
} {
  const runtimeDir = path.resolve(options.runtimeDir);
  const node = [
    process.execPath,
    "--permission",
    // Network permission is all-or-nothing under --permission; the run reaches the API (and vendor
    // APIs) with it, and its channel to the pool is a socket. Which destinations are reachable is for
    // the OS layer, not this flag.
    "--allow-net",
    `--allow-fs-read=${runtimeDir}`,
    `--allow-fs-read=${path.resolve(options.compiledRoot)}`,
    "--no-addons",
    "--disallow-code-generation-from-strings",
    `--max-old-space-size=${options.memoryLimitMb}`,
    "--disable-warning=ExperimentalWarning",
    // Not even its own inspector: SIGUSR1 stays blocked.
    "--disable-sigusr1",
    // Stack traces through the compiled workspace's inline source maps (compiler.ts).
    "--enable-source-maps",
    path.join(runtimeDir, RUNTIME_FILES.child),
    `--compiled-root=${path.resolve(options.compiledRoot)}`,
    ...(options.maxLogLines ? [`--max-log-lines=${options.maxLogLines}`] : []),
    ...(options.maxResultBytes ? [`--max-result-bytes=${options.maxResultBytes}`] : []),
    ...(typeof options.network === "object" ? [`--egress-socket=${options.network.egress.socketPath}`] : []),
  ];
  const isolation: Isolation =
    options.isolation === false ? NO_ISOLATION : (options.isolation ?? detectIsolation());
  const ownNetwork = options.network !== undefined && options.network !== "host";
  return { ...wrapCommand(isolation, node, { ownNetwork }), isolation };
}

/** Where the child runtime finds its egress credential (removed from its environment at once). */
const EGRESS_TOKEN_ENV = "BIFROST_EGRESS_TOKEN";

/** The environment of a child: nothing of the worker's own. */
const CHILD_ENV = { NODE_ENV: "production" };

/**
 * One sandboxed child process: validated messages both ways over its channel (one JSON message per
 * line, each bounded in size), a `ready` handshake with a deadline, and an `exited` promise that
 * settles once the process is reaped and its channel drained.
 */
export class SandboxedChild {
  readonly ready: Promise<void>;
  readonly exited: Promise<ChildExit>;
  private readonly process: ChildProcess;
  private readonly channel: Socket;
  private isReady = false;
  private broken = false;
  private overLimit = false;
  private stderrTail = "";

  private readonly isolated: boolean;
  private readonly cgroup: ChildCgroup | undefined;

  constructor(options: SandboxOptions, handlers: ChildHandlers) {
    const { command, args, isolation } = sandboxCommand(options);
    this.isolated = isolation.kind === "namespaces";
    shareWithSandbox(path.resolve(options.compiledRoot), isolation);
    this.cgroup = createChildCgroup({
      memoryBytes: childMemoryLimitBytes(options.memoryLimitMb),
      tasks: CHILD_TASKS,
      cpuCores: CHILD_CPU_CORES,
    });
    // In its cgroups before anything runs: the wrapper, unshare's fork and Node inside inherit them.
    const started = this.cgroup ? enterCgroupCommand(this.cgroup, command, args) : { command, args };
    const stdio: ("ignore" | "pipe")[] = ["ignore", "ignore", "pipe"];
    stdio[IPC_FD] = "pipe";
    this.process = spawn(started.command, started.args, {
      stdio,
      // The egress credential by environment, not argv (which anyone on the machine can read); the
      // runtime takes it out of process.env before any user code runs.
      env:
        typeof options.network === "object"
          ? { ...CHILD_ENV, [EGRESS_TOKEN_ENV]: options.network.egress.token }
          : CHILD_ENV,
      cwd: options.runtimeDir,
      // Its own session and process group: kill(0, …) in user code must reach only its own tree,
      // never the worker's group (the server, the other children, a test runner).
      detached: true,
    });
    this.channel = this.process.stdio[IPC_FD] as Socket;
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
        const outOfMemory = this.cgroup?.oomKilled() ?? false;
        this.cgroup?.remove();
        resolve({
          code,
          signal,
          wasReady: this.isReady,
          stderrTail: this.stderrTail,
          outOfMemory,
          outputLimitExceeded: this.overLimit,
        });
      };
      // 'close', not 'exit': it comes after the channel is drained, so every message the child sent
      // before dying has been handled when the pool learns that it died.
      this.process.once("close", settle);
      // Isolated, the pipes are held by Node inside the namespace: should it outlive the unshare
      // process (killed before it could tie Node's fate to its own), closing our ends makes it exit
      // (its runtime exits when the channel closes) and lets 'close' come.
      this.process.once("exit", () => {
        if (!this.isolated) return;
        setTimeout(() => {
          this.channel.destroy();
          this.process.stderr?.destroy();
        }, ORPHAN_CLOSE_MS).unref();
      });
      this.process.on("error", () => {
        // A spawn failure emits no 'close'; later errors are followed by it.
        if (this.process.pid === undefined) settle(null, null);
      });
    });

    const limit = maxMessageBytes({
      ...DEFAULT_OUTPUT_LIMITS,
      resultBytes: options.maxResultBytes ?? DEFAULT_OUTPUT_LIMITS.resultBytes,
    });
    const reader = new IpcLineReader(limit);
    const onMessage = (text: string) => this.receive(text, handlers, { markReady, startTimer });
    // A write to a child that is gone fails; its 'close' reports that.
    this.channel.on("error", () => undefined);
    this.channel.on("data", (chunk: Buffer) => {
      if (this.broken) return;
      if (!reader.push(chunk, onMessage) && !this.broken) {
        this.overLimit = true;
        this.reject(handlers, `a message over ${limit} bytes`);
      }
    });
  }

  private receive(
    text: string,
    handlers: ChildHandlers,
    start: { markReady: () => void; startTimer: NodeJS.Timeout },
  ): void {
    if (this.broken) return;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return this.reject(handlers, "a message that is not JSON");
    }
    const parsed = childMessageSchema.safeParse(raw);
    if (!parsed.success) return this.reject(handlers, `invalid message: ${parsed.error.message}`);
    const message = parsed.data;
    if (message.type === "ready") {
      if (this.isReady) return this.reject(handlers, "a second ready message");
      this.isReady = true;
      clearTimeout(start.startTimer);
      return start.markReady();
    }
    if (!this.isReady) return this.reject(handlers, `${message.type} before ready`);
    handlers.message(message, Buffer.byteLength(text, "utf8"));
  }

  get pid(): number | null {
    return this.process.pid ?? null;
  }

  get alive(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null && this.pid !== null;
  }

  send(message: ParentMessage): void {
    if (!this.channel.writable) return;
    // A failed write means the child is dying: its 'close' reports that, nothing to do here.
    this.channel.write(encodeIpcMessage(message));
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    if (!this.alive) return;
    // unshare blocks SIGTERM while it waits for its child: signals go to Node itself (pid 1 of its
    // namespace, which takes from outside the signals it has a handler for, and SIGKILL). unshare
    // then reaps Node (so Node's CPU time reaches the worker's accounts) and exits with its signal;
    // should it not have within a second, it is killed too (its --kill-child takes Node along).
    const inner = this.isolated ? firstChildOf(this.pid) : undefined;
    if (inner !== undefined) {
      try {
        process.kill(inner, signal);
        if (signal === "SIGKILL") setTimeout(() => this.alive && this.process.kill("SIGKILL"), 1_000).unref();
        return;
      } catch {
        // gone meanwhile: signal the wrapper, as without isolation
      }
    }
    this.process.kill(signal);
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

/** The first child of `pid` (Linux: /proc/<pid>/task/<pid>/children), if it has one yet. */
export function firstChildOf(pid: number | null): number | undefined {
  if (pid === null) return undefined;
  try {
    const first = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/)[0];
    return first ? Number(first) : undefined;
  } catch {
    return undefined;
  }
}
