import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { childMessageSchema, type ChildMessage, type ParentMessage } from "@bifrost/contracts";
import { createChildCgroup, type ChildCgroup } from "./memory-cgroup.js";
import { RUNTIME_FILES } from "./runtime-bundle.js";

/**
 * Kills the child when the worker dies, even by SIGKILL (PR_SET_PDEATHSIG). setpriv execs Node in
 * place, so the pid, the signals and the IPC channel are Node's own.
 */
const SETPRIV = "/usr/bin/setpriv";
/**
 * Puts the child in its own PID namespace (it is pid 1 there, sees no other process in its own
 * /proc and can signal nothing outside its tree: not the worker, not its siblings) and mount
 * namespace; `--kill-child` takes it down with the unshare process, which is what the pool signals.
 */
const UNSHARE = "/usr/bin/unshare";
const UNSHARE_ARGS = ["--pid", "--fork", "--kill-child=SIGKILL", "--mount-proc"];
/**
 * Inside, Node leads its own session and process group: `kill(0, …)` (the parent's pid is 0 there)
 * then reaches Node alone, never the unshare process that waits for it.
 */
const SETSID = "/usr/bin/setsid";
let pidNamespaceProbe: boolean | undefined;

/**
 * Whether this host lets the platform give a child its own PID namespace (root, or a container with
 * the privilege): probed once per process by running `true` the way a child would be run.
 */
export function pidNamespaceAvailable(): boolean {
  if (pidNamespaceProbe === undefined) {
    const probe =
      existsSync(UNSHARE) && existsSync(SETSID)
        ? spawnSync(UNSHARE, [...UNSHARE_ARGS, "--", SETSID, "true"], { stdio: "ignore", timeout: 5_000 })
        : undefined;
    pidNamespaceProbe = probe?.status === 0;
  }
  return pidNamespaceProbe;
}

/**
 * The kernel's limit on a whole child: its heap ceiling (--max-old-space-size) plus room for code,
 * Buffers and native memory. Past it the kernel kills the child.
 */
const CGROUP_HEADROOM_MB = 256;
export const childMemoryLimitBytes = (memoryLimitMb: number): number =>
  (memoryLimitMb + CGROUP_HEADROOM_MB) * 1024 * 1024;

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
  /** Its own PID namespace where the host allows it (default); false: never. */
  isolation?: boolean;
};

export type ChildExit = {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Whether the child sent `ready` before it exited. */
  wasReady: boolean;
  stderrTail: string;
  /** The kernel killed it for going past its memory cgroup's limit. */
  outOfMemory: boolean;
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
export function sandboxCommand(options: SandboxOptions): {
  command: string;
  args: string[];
  isolated: boolean;
} {
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
    // Not even its own inspector: SIGUSR1 stays blocked.
    "--disable-sigusr1",
    path.join(path.resolve(options.runtimeDir), RUNTIME_FILES.child),
    ...(options.maxLogLines ? [`--max-log-lines=${options.maxLogLines}`] : []),
  ];
  const isolated = options.isolation !== false && pidNamespaceAvailable();
  const wrapped = isolated ? [UNSHARE, ...UNSHARE_ARGS, "--", SETSID, ...node] : node;
  // setpriv: the worker's death kills the child (through unshare's --kill-child when isolated), and
  // no_new_privs: nothing the child executes can gain privileges.
  const [command, ...args] = existsSync(SETPRIV)
    ? [SETPRIV, "--pdeathsig", "KILL", "--no-new-privs", "--", ...wrapped]
    : wrapped;
  return { command: command!, args, isolated };
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

  private readonly isolated: boolean;
  private readonly cgroup: ChildCgroup | undefined;

  constructor(options: SandboxOptions, handlers: ChildHandlers) {
    const { command, args, isolated } = sandboxCommand(options);
    this.isolated = isolated;
    this.cgroup = createChildCgroup(childMemoryLimitBytes(options.memoryLimitMb));
    this.process = spawn(command, args, {
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      env: CHILD_ENV,
      cwd: options.runtimeDir,
      serialization: "json",
      // Its own session and process group: kill(0, …) in user code must reach only its own tree,
      // never the worker's group (the server, the other children, a test runner).
      detached: true,
    });
    // Into its memory cgroup at once (what it forks inherits it); Node inside again once it is ready,
    // in case unshare forked it before this line.
    if (this.process.pid !== undefined) this.cgroup?.add(this.process.pid);
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
        resolve({ code, signal, wasReady: this.isReady, stderrTail: this.stderrTail, outOfMemory });
      };
      // 'close', not 'exit': it comes after the channel is drained, so every message the child sent
      // before dying has been handled when the pool learns that it died.
      this.process.once("close", settle);
      // Isolated, the pipes are held by Node inside the namespace: should it outlive the unshare
      // process (killed before it could tie Node's fate to its own), closing our ends makes it exit
      // (its runtime exits on disconnect) and lets 'close' come.
      this.process.once("exit", () => {
        if (!this.isolated) return;
        setTimeout(() => {
          if (this.process.connected) this.process.disconnect();
          this.process.stderr?.destroy();
        }, ORPHAN_CLOSE_MS).unref();
      });
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
        const inner = this.isolated ? firstChildOf(this.pid) : undefined;
        if (inner !== undefined) this.cgroup?.add(inner);
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
    if (!this.alive) return;
    // unshare blocks SIGTERM while it waits for its child: signals go to Node itself (pid 1 of its
    // namespace, which takes from outside the signals it has a handler for, and SIGKILL). SIGKILL
    // also goes to unshare, whose --kill-child covers a Node forked after this look.
    const inner = this.isolated ? firstChildOf(this.pid) : undefined;
    if (inner !== undefined) {
      try {
        process.kill(inner, signal);
        if (signal !== "SIGKILL") return;
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
function firstChildOf(pid: number | null): number | undefined {
  if (pid === null) return undefined;
  try {
    const first = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/)[0];
    return first ? Number(first) : undefined;
  } catch {
    return undefined;
  }
}
