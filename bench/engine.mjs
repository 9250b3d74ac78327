// Bifrost execution-engine benchmark in three topologies — embedded `start` (PGlite, in-memory queue
// and bus), `start` on the real services (every role in one process on PostgreSQL, Redis, RabbitMQ)
// and distributed api + worker + scheduler processes: sync run latency through HTTP, async throughput
// of trivial and of logging workflows, where the CPU goes, and zombie / orphan workflow processes. Run from the repository root after a build:
// `node bench/engine.mjs` (also part of `npm run bench`). See bench/README.md.
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import pg from "pg";
import { registerQueueCleanup } from "./lib/rabbitmq.mjs";
import { onCleanup, runCleanup } from "./lib/cleanup.mjs";
import { closedLoop, executeRun, signInFirstAdmin, writeBenchWorkflows } from "./lib/engine-api.mjs";
import { percentile } from "./lib/load.mjs";
import { createBenchDatabase } from "./lib/postgres.mjs";
import { bifrostScenario, n8nScenario } from "./lib/endpoint-scenario.mjs";
import { cpuGroups, recordCpu, takeSample } from "./lib/engine-cpu.mjs";
import { printReport } from "./lib/engine-report.mjs";
import { benchThroughput, countEnded, topUp } from "./lib/engine-throughput.mjs";
import { CHILD_RUNTIME, RAMP_UP_S, SYNC_WARMUP } from "./lib/engine-settings.mjs";
import { childrenOf, listProcesses, readCmdline, treeMemory } from "./lib/procstat.mjs";
import {
  freePort,
  REPO_ROOT,
  ServerProcess,
  ServerProcessError,
  startBackgroundRole,
  startServer,
} from "./lib/server.mjs";
import { count, fixed, log } from "./lib/table.mjs";

const SYNC_CONCURRENCY = [1, 10];
/** Runs the worker should have done before its children are counted after the load. */
const ZOMBIE_CHECK_RUNS = 10_000;
const LOGIN_RATE_LIMIT = "1000000";

const USAGE = `Usage: node bench/engine.mjs [--duration <s>] [--only embedded|services|distributed] [--requests <n>]
                          [--submitters <n>] [--max-workers <n>]

  --duration <s>      measured window of each throughput run (default 30; a ${RAMP_UP_S} s ramp-up precedes it)
  --only <mode>       "embedded" (bifrost-server start on PGlite: sync latency only), "services"
                      (bifrost-server start with DATABASE_URL, REDIS_URL, RABBITMQ_URL: sync latency and
                      trivial throughput) or "distributed" (api + worker + scheduler: sync latency,
                      throughput, zombies and orphans); several: comma-separated
  --requests <n>      sync runs timed per concurrency level, after ${SYNC_WARMUP} warm-up runs (default
                      40 per second of --duration, at least 200, at most 1000: 1000 with the default)
  --submitters <n>    concurrent HTTP submitters of async runs in the throughput runs (default 16)
  --max-workers <n>   BIFROST_MAX_WORKERS of the servers (default: the server's own, 10)
  --peer n8n          also the endpoint scenario side by side: Bifrost embedded (POST /api/endpoints/{name},
                      sync) and n8n (webhook -> Set), at 1 and 10 connections, --duration seconds each
                      (at most 10), one after the other; n8n is installed once into --peer-dir
  --server-root <dir> run the servers of another checkout (built), e.g. a worktree of an earlier commit
                      for a before/after comparison in one sitting (default: this checkout)
  --peer-dir <dir>    where n8n is installed (default: $TMPDIR/bifrost-bench-n8n, kept between runs)

Services for the services and distributed modes (override with BENCH_POSTGRES_URL, BENCH_REDIS_URL, BENCH_RABBITMQ_URL):
  PostgreSQL postgres://postgres@127.0.0.1:5432 (a fresh database is created and dropped),
  Redis redis://127.0.0.1:6379, RabbitMQ amqp://guest:guest@127.0.0.1:5672 (queues of a namespace of
  the bench's own, deleted afterwards).`;

const services = {
  postgres: process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432",
  redis: process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379",
  rabbitmq: process.env.BENCH_RABBITMQ_URL ?? "amqp://guest:guest@127.0.0.1:5672",
};

/**
 * @typedef {"embedded" | "services" | "distributed"} Mode
 * @typedef {import("./lib/procstat.mjs").CpuGroup} CpuGroup
 * @typedef {ReturnType<typeof cpuBetween>} CpuUsage
 * @typedef {{ transactions: number, inserted: number, updated: number }} DatabaseCounters
 * @typedef {object} Probes  what is sampled at the start and end of a measured phase
 * @property {CpuGroup[]} groups
 * @property {pg.Pool | null} pool        the bench database (distributed mode)
 * @property {string | null} databaseName
 * @typedef {{ cpu: import("./lib/procstat.mjs").CpuSample, database: DatabaseCounters | null }} ProbeSample
 * @typedef {object} SyncRow
 * @property {Mode} mode
 * @property {number} concurrency
 * @property {number} count
 * @property {number} ok
 * @property {number} wallMs
 * @property {number} p50
 * @property {number} p99
 * @property {number} max
 * @property {string} firstFailure
 * @typedef {object} ThroughputRow
 * @property {string} label
 * @property {string} workflow
 * @property {number} windowMs       from the database clock
 * @property {Record<string, number>} endedInWindow  runs with completed_at in the window, by status
 * @property {number} acceptedInWindow
 * @property {number} acceptedTotal
 * @property {number} refused        submissions not answered 202
 * @property {string} firstRefusal
 * @property {number} pausedShare    of the window, submitters waited for the backlog to shrink
 * @property {number | null} logRows  execution_logs rows of the runs that ended in the window
 * @property {number | null} logCountSum  their log_count
 * @property {number} drainMs
 * @property {Record<string, number>} acceptedByStatus  every accepted run, after the drain
 * @property {number} missing         accepted runs without a row
 * @property {number} retried         accepted runs with attempt > 1
 * @typedef {object} ZombieRow
 * @property {string} label
 * @property {number} runs
 * @property {{ total: number, zombies: number }} before
 * @property {{ total: number, zombies: number }} during   the most seen in one sample during the load
 * @property {{ total: number, zombies: number }} after
 * @property {number[]} orphans        our workflow processes alive after the server stopped
 * @property {number} childRuntimeOnMachine  any process running child.mjs then (other runs' too)
 * @typedef {object} Report
 * @property {SyncRow[]} sync
 * @property {ThroughputRow[]} throughput
 * @property {Array<{ phase: string, usage: CpuUsage, runs: number, database: DatabaseCounters | null }>} cpu
 * @property {ZombieRow[]} zombies
 * @property {MemoryRow[]} memory
 * @property {import("./lib/endpoint-scenario.mjs").ScenarioRow[]} peer
 * @typedef {{ mode: Mode, processes: number, rssMb: number, pssMb: number }} MemoryRow
 * @property {string[]} notes
 * @property {string[]} failures
 * @property {number[]} loadavgAtStart
 */

class UsageError extends Error {}

function parseCli() {
  const { values } = parseArgs({
    options: {
      duration: { type: "string", default: "30" },
      only: { type: "string" },
      requests: { type: "string" },
      submitters: { type: "string", default: "16" },
      "max-workers": { type: "string" },
      peer: { type: "string" },
      "peer-dir": { type: "string" },
      "server-root": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const durationS = Number(values.duration);
  // A short (smoke) run times fewer sync runs: 40 per second of --duration, at least 200, at most 1000.
  const requests =
    values.requests === undefined ? Math.min(1000, Math.max(200, 40 * durationS)) : Number(values.requests);
  const submitters = Number(values.submitters);
  const maxWorkers = values["max-workers"] === undefined ? undefined : Number(values["max-workers"]);
  if (!Number.isInteger(durationS) || durationS < 1 || durationS > 600) {
    throw new UsageError("--duration must be a whole number of seconds between 1 and 600");
  }
  if (!Number.isInteger(requests) || requests < 10 || requests > 100_000) {
    throw new UsageError("--requests must be an integer between 10 and 100000");
  }
  if (!Number.isInteger(submitters) || submitters < 1 || submitters > 1000) {
    throw new UsageError("--submitters must be an integer between 1 and 1000");
  }
  if (maxWorkers !== undefined && (!Number.isInteger(maxWorkers) || maxWorkers < 1 || maxWorkers > 1024)) {
    throw new UsageError("--max-workers must be an integer between 1 and 1024");
  }
  /** @type {Mode[]} */
  const all = ["embedded", "services", "distributed"];
  const modes = /** @type {Mode[]} */ (values.only?.split(",") ?? all);
  if (modes.some((mode) => !all.includes(mode))) {
    throw new UsageError('--only must name "embedded", "services" or "distributed" (comma-separated)');
  }
  if (values.peer !== undefined && values.peer !== "n8n") throw new UsageError('--peer must be "n8n"');
  if (values.peer === "n8n" && !modes.includes("embedded")) {
    throw new UsageError("--peer n8n measures Bifrost embedded: include the embedded mode");
  }
  const peerDir = values["peer-dir"] ?? path.join(os.tmpdir(), "bifrost-bench-n8n");
  const serverRoot = path.resolve(values["server-root"] ?? REPO_ROOT);
  return { durationS, requests, submitters, maxWorkers, modes, peer: values.peer, peerDir, serverRoot };
}

/** @typedef {ReturnType<typeof parseCli>} Options */

/**
 * Variables every bench server gets. TMPDIR is the bench's own: the worker's compiled-code directory
 * (and so every workflow process's command line) is under it, which tells our processes from others'.
 * @param {string} tmpDir
 * @param {Options} options
 * @returns {Record<string, string>}
 */
function commonEnv(tmpDir, options) {
  mkdirSync(tmpDir, { recursive: true });
  return {
    TMPDIR: tmpDir,
    BIFROST_MFA_REQUIRED: "false",
    BIFROST_LOG_LEVEL: "warn",
    BIFROST_LOGIN_RATE_LIMIT: LOGIN_RATE_LIMIT,
    ...(options.maxWorkers === undefined ? {} : { BIFROST_MAX_WORKERS: String(options.maxWorkers) }),
  };
}

/**
 * Variables of a server on the real services: the bench's own database and namespace, a random key.
 * @param {string} tmpRoot
 * @param {string} prefix  names the server's temp and data directories
 * @param {Options} options
 * @param {{ url: string }} database
 * @param {string} namespace
 * @returns {Record<string, string>}
 */
function serviceEnv(tmpRoot, prefix, options, database, namespace) {
  return {
    ...commonEnv(path.join(tmpRoot, `${prefix}-tmp`), options),
    BIFROST_DATA_DIR: path.join(tmpRoot, `${prefix}-data`),
    DATABASE_URL: database.url,
    REDIS_URL: services.redis,
    RABBITMQ_URL: services.rabbitmq,
    BIFROST_SECRET_KEY: randomBytes(36).toString("base64url"),
    BIFROST_NAMESPACE: namespace,
  };
}

/**
 * Stops a server and reports an unclean exit.
 * @param {ServerProcess} server
 * @param {Report} report
 */
async function stopServer(server, report) {
  const stopped = await server.stop();
  log(
    `[${server.options.label}] SIGTERM -> exited after ${fixed(stopped.ms, 0)} ms (code ${stopped.code}, signal ${stopped.signal})`,
  );
  if (stopped.code !== 0 || stopped.killed) {
    report.notes.push(
      `${server.options.label} did not exit cleanly on SIGTERM: code ${stopped.code}, signal ${stopped.signal}` +
        `${stopped.killed ? " (SIGKILLed after the grace period)" : ""}`,
    );
  }
}

/**
 * Workflow processes of this bench (their command line names the runtime and our TMPDIR) alive now.
 * @param {string} tmpRoot
 */
function liveWorkflowProcesses(tmpRoot) {
  const ours = [];
  let anywhere = 0;
  for (const p of listProcesses()) {
    if (p.state === "Z" || p.pid === process.pid) continue;
    const cmdline = readCmdline(p.pid);
    if (!cmdline.includes(CHILD_RUNTIME)) continue;
    anywhere += 1;
    if (cmdline.includes(tmpRoot)) ours.push(p.pid);
  }
  return { ours, anywhere };
}

/**
 * After a server stopped: our workflow processes still alive are orphans. They are reported, then
 * killed (by pid) so that the bench leaves nothing behind.
 * @param {string} tmpRoot
 * @param {string} label
 * @param {Report} report
 */
async function checkOrphans(tmpRoot, label, report) {
  let found = liveWorkflowProcesses(tmpRoot);
  if (found.ours.length > 0) {
    // Give PR_SET_PDEATHSIG and the kernel a moment before calling them orphans.
    await sleep(2_000);
    found = liveWorkflowProcesses(tmpRoot);
  }
  if (found.ours.length > 0) {
    const detail = found.ours.map((pid) => `${pid}: ${readCmdline(pid).slice(0, 160)}`).join("; ");
    report.notes.push(
      `!!! ${label}: ${found.ours.length} workflow process(es) still alive 2 s after the server exited (orphans): ${detail}`,
    );
    for (const pid of found.ours) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Gone meanwhile.
      }
    }
  }
  log(
    `[${label}] after the stop: ${found.ours.length} of our workflow processes alive (orphans), ` +
      `${found.anywhere} process(es) running ${CHILD_RUNTIME} on the machine`,
  );
  return found;
}

/** Settling time after the bench workflows are written, before the idle memory is read. */
const IDLE_SETTLE_MS = 3_000;

/**
 * (e) The idle memory of a topology's whole process tree (its servers and every process below them,
 * warm workflow children included; not PostgreSQL, Redis or RabbitMQ).
 * @param {Mode} mode
 * @param {number[]} roots
 * @param {Report} report
 */
async function recordIdleMemory(mode, roots, report) {
  await sleep(IDLE_SETTLE_MS);
  const memory = treeMemory(roots);
  report.memory.push({ mode, ...memory });
  log(
    `[${mode}] idle process tree: ${memory.processes} processes, RSS ${fixed(memory.rssMb, 0)} MB ` +
      `(PSS ${fixed(memory.pssMb, 0)} MB)`,
  );
}

/**
 * (a) Sync runs of the trivial workflow through HTTP, sequential and 10 in flight, after a warm-up.
 * @param {Mode} mode
 * @param {{ baseUrl: string, token: string }} target
 * @param {Probes} probes
 * @param {Options} options
 * @param {Report} report
 */
async function benchSync(mode, target, probes, options, report) {
  for (const concurrency of SYNC_CONCURRENCY) {
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    try {
      const client = { ...target, agent };
      const send = () => executeRun(client, "trivial", true);
      const warm = await closedLoop(SYNC_WARMUP, concurrency, send);
      const warmFailed = warm.answers.filter((a) => !a.ok);
      if (warmFailed.length > 0) {
        report.notes.push(
          `${mode} sync warm-up x ${concurrency}: ${warmFailed.length} of ${SYNC_WARMUP} failed, e.g. ${warmFailed[0]?.failure}`,
        );
      }
      const before = await takeSample(probes);
      const { answers, wallMs } = await closedLoop(options.requests, concurrency, send);
      const after = await takeSample(probes);
      const sorted = Float64Array.from(answers.map((a) => a.ms)).sort();
      const failed = answers.filter((a) => !a.ok);
      /** @type {SyncRow} */
      const row = {
        mode,
        concurrency,
        count: answers.length,
        ok: answers.length - failed.length,
        wallMs,
        p50: percentile(sorted, 50) ?? NaN,
        p99: percentile(sorted, 99) ?? NaN,
        max: sorted[sorted.length - 1] ?? NaN,
        firstFailure: failed[0]?.failure ?? "",
      };
      report.sync.push(row);
      log(
        `[${mode}] sync trivial x ${concurrency} in flight: ${row.count} runs in ${fixed(wallMs / 1000, 2)} s ` +
          `(${fixed(row.count / (wallMs / 1000), 0)}/s), p50 ${fixed(row.p50, 2)} ms, p99 ${fixed(row.p99, 2)} ms, ` +
          `max ${fixed(row.max, 1)} ms${failed.length > 0 ? `  <-- ${failed.length} FAILED, e.g. ${row.firstFailure}` : ""}`,
      );
      recordCpu(report, `${mode} sync x${concurrency}`, before, after, row.count);
      if (failed.length > 0) {
        report.notes.push(
          `!!! ${mode} sync x ${concurrency}: ${failed.length} of ${row.count} runs did not answer 200 Success, e.g. ${row.firstFailure}`,
        );
      }
    } finally {
      agent.destroy();
    }
  }
}

/**
 * @param {string} tmpRoot
 * @param {Options} options
 * @param {Report} report
 */
async function benchEmbedded(tmpRoot, options, report) {
  const label = "embedded (start)";
  const env = {
    ...commonEnv(path.join(tmpRoot, "embedded-tmp"), options),
    BIFROST_DATA_DIR: path.join(tmpRoot, "embedded-data"),
  };
  const logFile = path.join(tmpRoot, "embedded.log");
  log(`\n[${label}] starting bifrost-server start on a fresh data directory (output: ${logFile})`);
  const server = await startServer({ label, role: "start", env, logFile, root: options.serverRoot });
  try {
    log(
      `[${label}] pid ${server.pid} on ${server.baseUrl}, ready after ${fixed(server.readyMs / 1000, 2)} s`,
    );
    const token = await signInFirstAdmin(server.baseUrl);
    await writeBenchWorkflows(server.baseUrl, token);
    await recordIdleMemory("embedded", [server.pid], report);
    const before = childrenOf(server.pid);
    const groups = cpuGroups(
      [{ name: "start", pid: server.pid, children: "start: workflow processes" }],
      null,
    );
    const probes = { groups, pool: null, databaseName: null };
    await benchSync("embedded", { baseUrl: server.baseUrl, token }, probes, options, report);
    await server.assertAlive();
    if (options.peer === "n8n") {
      report.peer.push(...(await bifrostScenario(server.baseUrl, token, Math.min(10, options.durationS))));
      await server.assertAlive();
    }
    const after = childrenOf(server.pid);
    const runs = report.sync.filter((r) => r.mode === "embedded").reduce((n, r) => n + r.count, 0);
    await stopServer(server, report);
    const orphans = await checkOrphans(tmpRoot, label, report);
    report.zombies.push({
      label,
      runs: runs + SYNC_WARMUP * SYNC_CONCURRENCY.length,
      before: { total: before.total, zombies: before.zombies },
      during: { total: NaN, zombies: NaN },
      after: { total: after.total, zombies: after.zombies },
      orphans: orphans.ours,
      childRuntimeOnMachine: orphans.anywhere,
    });
  } finally {
    if (server.alive) await server.stop(5_000);
  }
}

/**
 * `npm start` on the real services: bifrost-server start (API, worker and scheduler in one process)
 * with DATABASE_URL, REDIS_URL and RABBITMQ_URL — sync latency and trivial throughput.
 * @param {string} tmpRoot
 * @param {Options} options
 * @param {Report} report
 */
async function benchServices(tmpRoot, options, report) {
  await withServiceResources("services", async ({ database, databaseName, namespace, pool }) => {
    const label = "services (start)";
    const env = serviceEnv(tmpRoot, "services", options, database, namespace);
    const logFile = path.join(tmpRoot, "services.log");
    log(
      `\n[${label}] database ${databaseName}, namespace ${namespace}; starting bifrost-server start (output: ${logFile})`,
    );
    const server = await startServer({ label, role: "start", env, logFile, root: options.serverRoot });
    try {
      log(
        `[${label}] pid ${server.pid} on ${server.baseUrl}, ready after ${fixed(server.readyMs / 1000, 2)} s`,
      );
      const token = await signInFirstAdmin(server.baseUrl);
      await writeBenchWorkflows(server.baseUrl, token);
      await recordIdleMemory("services", [server.pid], report);
      const groups = cpuGroups(
        [{ name: "start", pid: server.pid, children: "start: workflow processes" }],
        databaseName,
      );
      const probes = { groups, pool, databaseName };
      const target = { baseUrl: server.baseUrl, token };
      await benchSync("services", target, probes, options, report);
      await server.assertAlive();
      const context = { mode: /** @type {Mode} */ ("services"), target, pool, probes, options, report };
      await benchThroughput(context, { label: "(b) trivial", workflow: "trivial" });
      await server.assertAlive();
      await stopServer(server, report);
      await checkOrphans(tmpRoot, label, report);
    } finally {
      if (server.alive) await server.stop(5_000);
    }
  });
}

/**
 * A fresh database and RabbitMQ namespace of the bench's own for `run`, dropped and deleted after.
 * @param {string} prefix
 * @param {(resources: { database: { url: string }, databaseName: string, namespace: string, pool: pg.Pool }) => Promise<void>} run
 */
async function withServiceResources(prefix, run) {
  const databaseName = `bifrost_engine_${prefix}_${process.pid}`;
  const database = createBenchDatabase(services.postgres, databaseName);
  const namespace = `benchengine-${prefix}-${process.pid}`;
  const deleteQueues = registerQueueCleanup(services.rabbitmq, namespace);
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  pool.on("error", () => undefined);
  const closePool = onCleanup("close the bench's PostgreSQL pool", () => pool.end());
  try {
    await run({ database, databaseName, namespace, pool });
  } finally {
    // Servers first (`run` stops them), then what they used; one failing step does not skip the others.
    for (const [what, step] of /** @type {const} */ ([
      ["close the PostgreSQL pool", closePool],
      ["delete the RabbitMQ queues", deleteQueues],
      ["drop the bench database", database.drop],
    ])) {
      await step().catch((/** @type {unknown} */ error) =>
        console.error(`bench: could not ${what}: ${error instanceof Error ? error.message : error}`),
      );
    }
  }
}

/**
 * The distributed deployment: a fresh database, api, then scheduler and worker.
 * @param {string} tmpRoot
 * @param {Options} options
 * @param {Report} report
 */
async function benchDistributed(tmpRoot, options, report) {
  await withServiceResources("distributed", (resources) =>
    benchDeployment({ tmpRoot, ...resources }, options, report),
  );
}

/**
 * @param {{ tmpRoot: string, database: { url: string }, databaseName: string, namespace: string, pool: pg.Pool }} deployment
 * @param {Options} options
 * @param {Report} report
 */
async function benchDeployment({ tmpRoot, database, databaseName, namespace, pool }, options, report) {
  const apiPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const env = {
    ...serviceEnv(tmpRoot, "distributed", options, database, namespace),
    BIFROST_API_URL: apiUrl,
  };
  log(
    `\n[distributed] database ${databaseName}, namespace ${namespace}; starting api, then scheduler and worker ` +
      `(output: ${tmpRoot}/distributed-*.log)`,
  );
  const api = new ServerProcess(
    {
      label: "distributed (api)",
      role: "api",
      env,
      logFile: path.join(tmpRoot, "distributed-api.log"),
      root: options.serverRoot,
    },
    apiPort,
  );
  await api.waitReady().catch(async (/** @type {unknown} */ error) => {
    await api.stop(5_000);
    throw error;
  });
  const [scheduler, worker] = await Promise.all([
    startBackgroundRole(
      "distributed (scheduler)",
      "scheduler",
      env,
      path.join(tmpRoot, "distributed-scheduler.log"),
      options.serverRoot,
    ),
    startBackgroundRole(
      "distributed (worker)",
      "worker",
      env,
      path.join(tmpRoot, "distributed-worker.log"),
      options.serverRoot,
    ),
  ]);
  log(
    `[distributed] api pid ${api.pid} (ready after ${fixed(api.readyMs / 1000, 2)} s), scheduler pid ${scheduler.pid}, ` +
      `worker pid ${worker.pid} (ready after ${fixed(worker.readyMs / 1000, 2)} s)`,
  );
  const groups = cpuGroups(
    [
      { name: "api", pid: api.pid },
      { name: "worker", pid: worker.pid, children: "worker: workflow processes" },
      { name: "scheduler", pid: scheduler.pid },
    ],
    databaseName,
  );
  const token = await signInFirstAdmin(apiUrl);
  await writeBenchWorkflows(apiUrl, token);
  await recordIdleMemory("distributed", [api.pid, worker.pid, scheduler.pid], report);
  const target = { baseUrl: apiUrl, token };

  const probes = { groups, pool, databaseName };
  await benchSync("distributed", target, probes, options, report);
  await assertAllAlive([api, worker, scheduler]);

  const before = childrenOf(worker.pid);
  log(`[distributed] worker children before the load: ${before.total} (${before.zombies} zombies)`);
  const during = { total: 0, zombies: 0 };
  const watch = setInterval(() => {
    const now = childrenOf(worker.pid);
    during.total = Math.max(during.total, now.total);
    during.zombies = Math.max(during.zombies, now.zombies);
  }, 1_000);
  try {
    const context = { mode: /** @type {Mode} */ ("distributed"), target, pool, probes, options, report };
    await benchThroughput(context, { label: "(b) trivial", workflow: "trivial" });
    await assertAllAlive([api, worker, scheduler]);
    await benchThroughput(context, { label: "(c) 100 log lines", workflow: "chatty" });
    await assertAllAlive([api, worker, scheduler]);
    let runs = await countEnded(pool);
    if (runs < ZOMBIE_CHECK_RUNS) {
      // Bounded, so that a short (smoke) run stays short: twice the window, at least 10 s.
      const budgetMs = Math.max(10, 2 * options.durationS) * 1000;
      log(
        `[distributed] ${count(runs)} runs so far; more trivial runs (for up to ${budgetMs / 1000} s) ` +
          `towards ${count(ZOMBIE_CHECK_RUNS)} before the zombie count`,
      );
      await topUp(context, ZOMBIE_CHECK_RUNS - runs, budgetMs);
      runs = await countEnded(pool);
    }
    clearInterval(watch);
    const after = childrenOf(worker.pid);
    log(
      `[distributed] worker children after ${count(runs)} runs, drained: ${after.total} (${after.zombies} zombies); ` +
        `most seen during the load: ${during.total} (${during.zombies} zombies)`,
    );
    await stopServer(worker, report);
    const orphans = await checkOrphans(tmpRoot, "distributed (worker)", report);
    report.zombies.push({
      label: "distributed (worker)",
      runs,
      before: { total: before.total, zombies: before.zombies },
      during,
      after: { total: after.total, zombies: after.zombies },
      orphans: orphans.ours,
      childRuntimeOnMachine: orphans.anywhere,
    });
    if (runs < ZOMBIE_CHECK_RUNS) {
      report.notes.push(
        `the zombie count comes after ${count(runs)} runs, fewer than the ${count(ZOMBIE_CHECK_RUNS)} asked for`,
      );
    }
    const stuck = await pool.query(
      "SELECT status, count(*)::int AS n FROM executions WHERE completed_at IS NULL GROUP BY status",
    );
    if (stuck.rows.length > 0) {
      report.notes.push(
        `!!! after the worker stopped, executions without completed_at: ${JSON.stringify(stuck.rows)}`,
      );
    }
    await stopServer(scheduler, report);
    await stopServer(api, report);
  } finally {
    clearInterval(watch);
    for (const server of [worker, scheduler, api]) if (server.alive) await server.stop(5_000);
  }
}

/** @param {ServerProcess[]} servers */
async function assertAllAlive(servers) {
  for (const server of servers) await server.assertAlive();
}

/**
 * @param {Report} report
 * @param {string} what
 * @param {unknown} error
 */
function recordFailure(report, what, error) {
  const detail =
    error instanceof ServerProcessError
      ? error.message
      : `${what}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
  report.failures.push(detail);
  console.error(`bench: ${what} failed; details at the end`);
}

async function main() {
  let options;
  try {
    options = parseCli();
  } catch (error) {
    console.error(`bench: ${error instanceof Error ? error.message : error}\n\n${USAGE}`);
    return 2;
  }
  const tmpRoot = mkdtempSync(path.join(os.tmpdir(), "bifrost-engine-bench-"));
  onCleanup(
    `remove ${tmpRoot}`,
    () => rmSync(tmpRoot, { recursive: true, force: true }),
    () => rmSync(tmpRoot, { recursive: true, force: true }),
  );
  /** @type {Report} */
  const report = {
    sync: [],
    throughput: [],
    cpu: [],
    zombies: [],
    memory: [],
    peer: [],
    notes: [],
    failures: [],
    loadavgAtStart: os.loadavg(),
  };
  log(
    `engine bench: modes ${options.modes.join(", ")}; ${options.requests} sync runs per level; ` +
      `${options.durationS} s throughput windows; temp dir ${tmpRoot}; runtime ${path.join(options.serverRoot, "apps/server", CHILD_RUNTIME)}`,
  );
  try {
    for (const mode of options.modes) {
      try {
        if (mode === "embedded") await benchEmbedded(tmpRoot, options, report);
        else if (mode === "services") await benchServices(tmpRoot, options, report);
        else await benchDistributed(tmpRoot, options, report);
      } catch (error) {
        recordFailure(report, mode, error);
      }
    }
    if (options.peer === "n8n") {
      try {
        report.peer.push(...(await n8nScenario(options.peerDir, Math.min(10, options.durationS))));
      } catch (error) {
        recordFailure(report, "peer n8n", error);
      }
    }
  } catch (error) {
    recordFailure(report, "bench", error);
  } finally {
    await runCleanup();
    printReport(report, options);
  }
  return report.failures.length > 0 ? 1 : 0;
}

process.exitCode = await main();
