// Starting, watching and stopping one bifrost-server process, measured from the outside (/proc).
import { execFileSync, spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, readdirSync, readSync, statSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { onCleanup } from "./cleanup.mjs";

/**
 * The server did not come up (exited early, or never answered /health/ready with 200) or exited
 * while being measured. The message carries the server's last output.
 */
export class ServerProcessError extends Error {}

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SERVER_BIN = "apps/server/bin/bifrost-server.js";

/** Variables of the bench's own environment that would change which adapters the server uses. */
const SERVER_ENV_PREFIXES = ["BIFROST_"];
const SERVER_ENV_NAMES = ["PORT", "DATABASE_URL", "REDIS_URL", "RABBITMQ_URL"];

/**
 * Memory figures of one process, from /proc/<pid>/status, in MB (2^20 bytes).
 * @typedef {object} MemorySample
 * @property {number} rss      VmRSS: resident set size now
 * @property {number} hwm      VmHWM: peak resident set size so far
 * @property {number} anon     RssAnon: private memory (JS heap, wasm memory, malloc)
 * @property {number} file     RssFile: mapped files (node binary, shared libraries)
 * @property {number} threads  Threads
 */

/**
 * @param {number} pid
 * @returns {MemorySample}
 */
export function readMemory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  /** @param {string} field */
  const kb = (field) => {
    const match = new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(status);
    if (!match) throw new Error(`/proc/${pid}/status has no ${field}`);
    return Number(match[1]);
  };
  return {
    rss: kb("VmRSS") / 1024,
    hwm: kb("VmHWM") / 1024,
    anon: kb("RssAnon") / 1024,
    file: kb("RssFile") / 1024,
    threads: kb("Threads"),
  };
}

/** Clock ticks per second of /proc/<pid>/stat times (almost always 100). */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU time (user + system) the process has used so far, in ms (10 ms resolution). Unlike req/s it
 * hardly depends on what else runs on the machine, so it is the steadier figure to compare.
 * @param {number} pid
 */
export function readCpuMs(pid) {
  return statCpuMs(`/proc/${pid}/stat`);
}

/**
 * CPU time so far of the process's main thread (the JavaScript thread) and of all its other threads
 * together (libuv's pool, where native add-ons such as Argon2 hash, and V8's GC and compiler
 * helpers), in ms.
 * @param {number} pid
 */
function readThreadCpuMs(pid) {
  const total = readCpuMs(pid);
  const main = statCpuMs(`/proc/${pid}/task/${pid}/stat`);
  return { main, others: total - main };
}

/** @param {string} file  a /proc/<pid>/stat or /proc/<pid>/task/<tid>/stat */
function statCpuMs(file) {
  const stat = readFileSync(file, "utf8");
  // Fields after the command name (which may contain spaces) in parentheses; utime and stime are the
  // 14th and 15th fields of the line, i.e. the 12th and 13th after ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

/**
 * Child processes of `pid` (none today; the worker's process pool will add some), so that the
 * report says when the server's own RSS no longer covers the whole footprint.
 * @param {number} pid
 * @returns {number[]}
 */
export function childPids(pid) {
  const pids = [];
  const taskDir = `/proc/${pid}/task`;
  if (!existsSync(taskDir)) return [];
  for (const tid of readdirSync(taskDir)) {
    try {
      const text = readFileSync(`${taskDir}/${tid}/children`, "utf8").trim();
      if (text) pids.push(...text.split(/\s+/).map(Number));
    } catch {
      // The thread ended between readdir and read.
    }
  }
  return pids;
}

/** A TCP port free on 127.0.0.1 right now (the OS picks it; it is released before the server binds). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * @typedef {object} Milestone
 * @property {string} msg      the log message that marked it
 * @property {number} ms       since spawn
 * @property {MemorySample} memory
 */

/**
 * @typedef {object} StartOptions
 * @property {string} label                  for messages
 * @property {"start" | "api"} role
 * @property {Record<string, string>} env    server variables (the bench's own BIFROST_* etc. are dropped)
 * @property {string} logFile                the server's stdout and stderr go here
 * @property {string} [root]                 the checkout whose server runs (default: this one), e.g. an
 *                                           earlier commit's worktree for a before/after figure
 * @property {string[]} [milestones]         log messages at which to sample RSS (needs info level)
 * @property {number} [readyTimeoutMs]
 */

/**
 * A running server. `stop()` sends SIGTERM and waits for the exit (SIGKILL after `graceMs`).
 */
export class ServerProcess {
  /** @type {import("node:child_process").ChildProcess} */
  child;
  /** @type {number} */
  pid;
  /** @type {{ code: number | null, signal: NodeJS.Signals | null } | null} */
  exit = null;
  /** @type {Promise<void>} */
  exited;
  /** @type {Milestone[]} */
  milestones = [];
  /** @type {number} ms from spawn to the first 200 from /health/ready */
  readyMs = NaN;
  /** @type {() => Promise<void>} */
  #stopAndUnregister;

  /**
   * @param {StartOptions} options
   * @param {number} port
   */
  constructor(options, port) {
    this.options = options;
    this.port = port;
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.spawnedAt = performance.now();
    const env = { ...process.env };
    for (const name of Object.keys(env)) {
      if (SERVER_ENV_NAMES.includes(name) || SERVER_ENV_PREFIXES.some((p) => name.startsWith(p))) {
        delete env[name];
      }
    }
    Object.assign(env, options.env, { PORT: String(port), BIFROST_HOST: "127.0.0.1" });
    const out = openSync(options.logFile, "a");
    try {
      // The server itself (no npm or shell wrapper), so child.pid is the process we measure.
      const root = options.root ?? REPO_ROOT;
      this.child = spawn(process.execPath, [path.join(root, SERVER_BIN), options.role], {
        cwd: root,
        env,
        stdio: ["ignore", out, out],
      });
    } finally {
      closeSync(out);
    }
    if (this.child.pid === undefined) throw new Error(`${options.label}: could not spawn the server`);
    this.pid = this.child.pid;
    this.exited = new Promise((resolve) => {
      this.child.on("exit", (code, signal) => {
        this.exit = { code, signal };
        resolve();
      });
    });
    this.#stopAndUnregister = onCleanup(
      `stop ${options.label} (pid ${this.pid})`,
      () => this.#stop(5_000),
      () => {
        if (this.exit === null) this.child.kill("SIGKILL");
      },
    );
  }

  get alive() {
    return this.exit === null;
  }

  /** Last lines of the server's output, for failure messages. */
  logTail(lines = 20) {
    try {
      return readFileSync(this.options.logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "(no output)";
    }
  }

  /** Waits for /health/ready to answer 200, sampling RSS at the configured log milestones meanwhile. */
  async waitReady() {
    const { label, milestones = [], readyTimeoutMs = 90_000 } = this.options;
    const pending = new Set(milestones);
    let offset = 0;
    let partial = "";
    const watchLog = () => {
      if (pending.size === 0 || !this.alive) return;
      const size = statSync(this.options.logFile).size;
      if (size <= offset) return;
      const buffer = Buffer.alloc(size - offset);
      const fd = openSync(this.options.logFile, "r");
      try {
        readSync(fd, buffer, 0, buffer.length, offset);
      } finally {
        closeSync(fd);
      }
      offset = size;
      const lines = (partial + buffer.toString("utf8")).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        /** @type {{ msg?: unknown }} */
        let entry;
        try {
          entry = JSON.parse(line);
        } catch {
          continue;
        }
        if (typeof entry.msg === "string" && pending.has(entry.msg)) {
          pending.delete(entry.msg);
          try {
            this.milestones.push({ msg: entry.msg, ms: this.#sinceSpawn(), memory: readMemory(this.pid) });
          } catch {
            // The process exited meanwhile; waitReady reports that.
          }
        }
      }
    };
    // Log lines are polled often (reading /proc as soon as one appears); HTTP less often.
    const watcher = pending.size > 0 ? setInterval(watchLog, 5) : null;
    try {
      const deadline = performance.now() + readyTimeoutMs;
      for (;;) {
        if (!this.alive) {
          throw new ServerProcessError(
            `${label}: the server exited (code ${this.exit?.code}, signal ${this.exit?.signal}) before it was ready.\n` +
              `--- last output (${this.options.logFile}) ---\n${this.logTail()}`,
          );
        }
        const status = await fetch(`${this.baseUrl}/health/ready`, {
          signal: AbortSignal.timeout(2_000),
        }).then(
          async (response) => {
            await response.arrayBuffer();
            return response.status;
          },
          () => 0,
        );
        if (status === 200) break;
        if (performance.now() > deadline) {
          throw new ServerProcessError(
            `${label}: /health/ready did not answer 200 within ${readyTimeoutMs / 1000} s (last status ${status}).\n` +
              `--- last output (${this.options.logFile}) ---\n${this.logTail()}`,
          );
        }
        await sleep(50);
      }
      this.readyMs = this.#sinceSpawn();
      watchLog();
    } finally {
      if (watcher) clearInterval(watcher);
    }
  }

  /** Memory now; throws ServerProcessError (with the exit status and last output) if the server died. */
  async memory() {
    await this.assertAlive();
    try {
      return readMemory(this.pid);
    } catch (error) {
      // A process that just died is a zombie whose /proc entry lacks these fields: wait for the exit.
      await this.assertAlive({ wait: true });
      throw error;
    }
  }

  /** CPU ms used so far; throws ServerProcessError if the server died. */
  async cpuMs() {
    await this.assertAlive();
    try {
      return readCpuMs(this.pid);
    } catch (error) {
      // A process that just died is a zombie whose /proc entry lacks these fields: wait for the exit.
      await this.assertAlive({ wait: true });
      throw error;
    }
  }

  /** CPU ms used so far by the main thread and by the other threads; throws if the server died. */
  async threadCpuMs() {
    await this.assertAlive();
    try {
      return readThreadCpuMs(this.pid);
    } catch (error) {
      await this.assertAlive({ wait: true });
      throw error;
    }
  }

  /**
   * Throws ServerProcessError if the process has exited. With `wait` (or when /proc has lost it) it
   * first gives the exit event up to 500 ms to arrive.
   */
  async assertAlive({ wait = false } = {}) {
    if (!wait && this.alive && existsSync(`/proc/${this.pid}`)) return;
    await Promise.race([this.exited, sleep(500)]);
    if (this.alive) return;
    throw new ServerProcessError(
      `${this.options.label}: the server (pid ${this.pid}) exited while being measured ` +
        `(code ${this.exit?.code}, signal ${this.exit?.signal}` +
        `${this.exit?.signal ? "; a signal the bench did not send means something else killed it" : ""}).\n` +
        `--- last output (${this.options.logFile}) ---\n${this.logTail()}`,
    );
  }

  /**
   * SIGTERM, then wait for the exit; SIGKILL if it takes longer than `graceMs`.
   * @returns {Promise<{ code: number | null, signal: NodeJS.Signals | null, ms: number, killed: boolean }>}
   */
  async stop(graceMs = 20_000) {
    const started = performance.now();
    let killed = false;
    if (this.alive) {
      this.child.kill("SIGTERM");
      const timer = setTimeout(() => {
        killed = true;
        this.child.kill("SIGKILL");
      }, graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    await this.#stopAndUnregister();
    const exit = /** @type {{ code: number | null, signal: NodeJS.Signals | null }} */ (this.exit);
    return { ...exit, ms: performance.now() - started, killed };
  }

  /** @param {number} graceMs */
  async #stop(graceMs) {
    if (!this.alive) return;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  #sinceSpawn() {
    return performance.now() - this.spawnedAt;
  }
}

/**
 * Spawns a server on a free port and waits until it is ready.
 * @param {StartOptions} options
 */
export async function startServer(options) {
  return await startOn(await freePort(), options);
}

/**
 * Spawns a server that answers /health on `port` and waits until it is ready (stopped if it never is).
 * @param {number} port
 * @param {StartOptions} options
 */
async function startOn(port, options) {
  const server = new ServerProcess(options, port);
  try {
    await server.waitReady();
  } catch (error) {
    await server.stop(5_000);
    throw error;
  }
  return server;
}

/**
 * A role without the API (worker, scheduler): its /health routes are served on BIFROST_HEALTH_PORT,
 * which the bench sets to the port it polls. Answers once it is ready.
 * @param {string} label
 * @param {"worker" | "scheduler"} role
 * @param {Record<string, string>} env
 * @param {string} logFile
 * @param {string | undefined} root  the checkout whose server runs (default: this one)
 */
export async function startBackgroundRole(label, role, env, logFile, root) {
  const port = await freePort();
  return await startOn(port, {
    label,
    ...(root ? { root } : {}),
    // ServerProcess spawns any role; its StartOptions type only names the two that run.mjs uses.
    role: /** @type {"api"} */ (/** @type {unknown} */ (role)),
    env: { ...env, BIFROST_HEALTH_PORT: String(port) },
    logFile,
  });
}
