// Bifrost execution-engine benchmark: sync run latency through HTTP (embedded `start` and distributed
// api + worker + scheduler), async throughput of trivial and of logging workflows (distributed), where
// the CPU goes, and zombie / orphan workflow processes. Run from the repository root after a build:
// `node bench/engine.mjs` (also part of `npm run bench`). See bench/README.md.
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import amqp from "amqplib";
import pg from "pg";
import { onCleanup, runCleanup } from "./lib/cleanup.mjs";
import {
  closedLoop,
  executeRun,
  LOG_LINES_PER_RUN,
  signInFirstAdmin,
  writeBenchWorkflows,
} from "./lib/engine-api.mjs";
import { percentile } from "./lib/load.mjs";
import { createBenchDatabase } from "./lib/postgres.mjs";
import { childrenOf, cpuBetween, listProcesses, readCmdline, sampleCpu } from "./lib/procstat.mjs";
import { freePort, REPO_ROOT, ServerProcess, ServerProcessError, startServer } from "./lib/server.mjs";
import { fixed, formatTable } from "./lib/table.mjs";

const SYNC_WARMUP = 100;
const SYNC_CONCURRENCY = [1, 10];
/** Load before the measured window of a throughput run, so the pipeline is full when it starts. */
const RAMP_UP_S = 3;
/** Submitters pause while this many accepted runs have not ended: the queue stays fed, not flooded. */
const BACKLOG_CAP = 500;
const BACKLOG_POLL_MS = 100;
const PROGRESS_EVERY_MS = 5_000;
/** How long the runs accepted by a throughput run may take to end after the submitters stop. */
const DRAIN_TIMEOUT_MS = 120_000;
/** Runs the worker should have done before its children are counted after the load. */
const ZOMBIE_CHECK_RUNS = 10_000;
const LOGIN_RATE_LIMIT = "1000000";
const ACTIVE_STATUSES = ["Scheduled", "Pending", "Running", "Cancelling"];
const CHILD_RUNTIME = "dist/runtime/child.mjs";

const USAGE = `Usage: node bench/engine.mjs [--duration <s>] [--only embedded|distributed] [--requests <n>]
                          [--submitters <n>] [--max-workers <n>]

  --duration <s>      measured window of each throughput run (default 30; a ${RAMP_UP_S} s ramp-up precedes it)
  --only <mode>       "embedded" (bifrost-server start: sync latency only) or "distributed"
                      (api + worker + scheduler: sync latency, throughput, zombies and orphans)
  --requests <n>      sync runs timed per concurrency level, after ${SYNC_WARMUP} warm-up runs (default
                      40 per second of --duration, at least 200, at most 1000: 1000 with the default)
  --submitters <n>    concurrent HTTP submitters of async runs in the throughput runs (default 16)
  --max-workers <n>   BIFROST_MAX_WORKERS of the servers (default: the server's own, 10)

Services for the distributed mode (override with BENCH_POSTGRES_URL, BENCH_REDIS_URL, BENCH_RABBITMQ_URL):
  PostgreSQL postgres://postgres@127.0.0.1:5432 (a fresh database is created and dropped),
  Redis redis://127.0.0.1:6379, RabbitMQ amqp://guest:guest@127.0.0.1:5672 (queues of a namespace of
  the bench's own, deleted afterwards).`;

/** Goals (bench/README.md). */
const SYNC_GOALS = {
  embedded: { p50: 5, p99: 50 },
  distributed: { p50: 10, p99: 50 },
};
const THROUGHPUT_GOAL = 1_000;

const services = {
  postgres: process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432",
  redis: process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379",
  rabbitmq: process.env.BENCH_RABBITMQ_URL ?? "amqp://guest:guest@127.0.0.1:5672",
};

/**
 * @typedef {"embedded" | "distributed"} Mode
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
  if (values.only !== undefined && values.only !== "embedded" && values.only !== "distributed") {
    throw new UsageError('--only must be "embedded" or "distributed"');
  }
  /** @type {Mode[]} */
  const modes = values.only ? [/** @type {Mode} */ (values.only)] : ["embedded", "distributed"];
  return { durationS, requests, submitters, maxWorkers, modes };
}

/** @typedef {ReturnType<typeof parseCli>} Options */

/** @param {string} text */
const log = (text) => console.log(text);
/** @param {number} n */
const count = (n) => Math.round(n).toLocaleString("en-US");

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
 * A role without the API (worker, scheduler): its /health routes are served on BIFROST_HEALTH_PORT,
 * which the bench sets to the port it polls.
 * @param {"worker" | "scheduler"} role
 * @param {Record<string, string>} env
 * @param {string} logFile
 */
async function startBackgroundRole(role, env, logFile) {
  const port = await freePort();
  const server = new ServerProcess(
    {
      label: `distributed (${role})`,
      // server.mjs spawns any role; its StartOptions type only names the two that run.mjs uses.
      role: /** @type {"api"} */ (/** @type {unknown} */ (role)),
      env: { ...env, BIFROST_HEALTH_PORT: String(port) },
      logFile,
    },
    port,
  );
  try {
    await server.waitReady();
  } catch (error) {
    await server.stop(5_000);
    throw error;
  }
  return server;
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

/**
 * CPU groups of a bench: the bench's own server processes, their workflow children, the services,
 * the load generator (this process).
 * @param {Array<{ name: string, pid: number, children?: string }>} servers
 * @param {string | null} databaseName  the bench database, to pick its PostgreSQL backends
 * @returns {CpuGroup[]}
 */
function cpuGroups(servers, databaseName) {
  /** @type {CpuGroup[]} */
  const groups = [];
  for (const server of servers) {
    groups.push({ name: server.name, match: (p) => p.pid === server.pid });
    if (server.children) {
      groups.push({ name: server.children, match: (p) => p.ppid === server.pid, reaper: server.pid });
    }
  }
  if (databaseName) {
    const backend = /\(\d+\)|\[local\]/;
    groups.push(
      {
        name: "postgres: bench database backends",
        match: (p) => p.comm === "postgres" && readCmdline(p.pid).includes(` ${databaseName} `),
      },
      {
        name: "postgres: background (WAL writer, ...)",
        match: (p) => p.comm === "postgres" && !backend.test(readCmdline(p.pid)),
      },
      {
        name: "rabbitmq",
        match: (p) => ["beam.smp", "erl_child_setup", "inet_gethost", "epmd"].includes(p.comm),
      },
      { name: "redis", match: (p) => p.comm === "redis-server" },
    );
  }
  groups.push({ name: "bench (load generator)", match: (p) => p.pid === process.pid });
  return groups;
}

/**
 * The bench database's transaction and row counters (pg_stat_database: updated by each backend at
 * most once a second, so a few seconds' window is approximate; the bench's own backlog polls and
 * these reads count too, about 10 transactions a second).
 * @param {pg.Pool} pool
 * @param {string} databaseName
 * @returns {Promise<DatabaseCounters>}
 */
async function readDatabaseCounters(pool, databaseName) {
  const { rows } = await pool.query(
    `SELECT (xact_commit + xact_rollback)::float8 AS transactions, tup_inserted::float8 AS inserted,
            tup_updated::float8 AS updated
       FROM pg_stat_database WHERE datname = $1`,
    [databaseName],
  );
  const row = rows[0] ?? {};
  return {
    transactions: Number(row.transactions),
    inserted: Number(row.inserted),
    updated: Number(row.updated),
  };
}

/**
 * @param {Probes} probes
 * @returns {Promise<ProbeSample>}
 */
async function takeSample(probes) {
  const cpu = sampleCpu(probes.groups);
  const database =
    probes.pool && probes.databaseName ? await readDatabaseCounters(probes.pool, probes.databaseName) : null;
  return { cpu, database };
}

/**
 * Records (and prints) the CPU time of each process group and the database work between two samples.
 * @param {Report} report
 * @param {string} phase
 * @param {ProbeSample} before
 * @param {ProbeSample} after
 * @param {number} runs
 */
function recordCpu(report, phase, before, after, runs) {
  const usage = cpuBetween(before.cpu, after.cpu);
  const database =
    before.database && after.database
      ? {
          transactions: after.database.transactions - before.database.transactions,
          inserted: after.database.inserted - before.database.inserted,
          updated: after.database.updated - before.database.updated,
        }
      : null;
  report.cpu.push({ phase, usage, runs, database });
  const parts = [...usage.groups].map(([name, ms]) => `${name} ${fixed((ms / usage.wallMs) * 100, 0)} %`);
  log(
    `  CPU (% of one core; the machine has ${os.cpus().length}): ${parts.join(", ")}; ` +
      `machine busy ${fixed((usage.machineBusyMs / usage.wallMs) * 100, 0)} %`,
  );
  if (database && runs > 0) {
    log(
      `  PostgreSQL (bench database, approx.): ${fixed(database.transactions / runs, 1)} transactions, ` +
        `${fixed(database.inserted / runs, 1)} rows inserted, ${fixed(database.updated / runs, 1)} rows updated per run`,
    );
  }
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
  const server = await startServer({ label, role: "start", env, logFile });
  try {
    log(
      `[${label}] pid ${server.pid} on ${server.baseUrl}, ready after ${fixed(server.readyMs / 1000, 2)} s`,
    );
    const token = await signInFirstAdmin(server.baseUrl);
    await writeBenchWorkflows(server.baseUrl, token);
    const before = childrenOf(server.pid);
    const groups = cpuGroups(
      [{ name: "start", pid: server.pid, children: "start: workflow processes" }],
      null,
    );
    const probes = { groups, pool: null, databaseName: null };
    await benchSync("embedded", { baseUrl: server.baseUrl, token }, probes, options, report);
    await server.assertAlive();
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
 * Deletes the bench namespace's queues (registered before the servers start, so it runs after they
 * have stopped).
 * @param {string} namespace
 */
function registerQueueCleanup(namespace) {
  const queues = [`${namespace}.workflow-executions`, `${namespace}.workflow-executions.dead`];
  return onCleanup(`delete RabbitMQ queues ${queues.join(", ")}`, async () => {
    const connection = await amqp.connect(services.rabbitmq);
    try {
      const channel = await connection.createChannel();
      for (const queue of queues) await channel.deleteQueue(queue);
    } finally {
      await connection.close();
    }
  });
}

/**
 * The distributed deployment: a fresh database, api, then scheduler and worker.
 * @param {string} tmpRoot
 * @param {Options} options
 * @param {Report} report
 */
async function benchDistributed(tmpRoot, options, report) {
  const databaseName = `bifrost_engine_${process.pid}`;
  const database = createBenchDatabase(services.postgres, databaseName);
  const namespace = `benchengine-${process.pid}`;
  const deleteQueues = registerQueueCleanup(namespace);
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  pool.on("error", () => undefined);
  const closePool = onCleanup("close the bench's PostgreSQL pool", () => pool.end());
  try {
    await benchDeployment({ tmpRoot, database, databaseName, namespace, pool }, options, report);
  } finally {
    // Servers first (benchDeployment stops them), then what they used; one failing step does not
    // skip the others.
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
 * @param {{ tmpRoot: string, database: { url: string }, databaseName: string, namespace: string, pool: pg.Pool }} deployment
 * @param {Options} options
 * @param {Report} report
 */
async function benchDeployment({ tmpRoot, database, databaseName, namespace, pool }, options, report) {
  const apiPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const env = {
    ...commonEnv(path.join(tmpRoot, "distributed-tmp"), options),
    BIFROST_DATA_DIR: path.join(tmpRoot, "distributed-data"),
    DATABASE_URL: database.url,
    REDIS_URL: services.redis,
    RABBITMQ_URL: services.rabbitmq,
    BIFROST_SECRET_KEY: randomBytes(36).toString("base64url"),
    BIFROST_NAMESPACE: namespace,
    BIFROST_API_URL: apiUrl,
  };
  log(
    `\n[distributed] database ${databaseName}, namespace ${namespace}; starting api, then scheduler and worker ` +
      `(output: ${tmpRoot}/distributed-*.log)`,
  );
  const api = new ServerProcess(
    { label: "distributed (api)", role: "api", env, logFile: path.join(tmpRoot, "distributed-api.log") },
    apiPort,
  );
  await api.waitReady().catch(async (/** @type {unknown} */ error) => {
    await api.stop(5_000);
    throw error;
  });
  const [scheduler, worker] = await Promise.all([
    startBackgroundRole("scheduler", env, path.join(tmpRoot, "distributed-scheduler.log")),
    startBackgroundRole("worker", env, path.join(tmpRoot, "distributed-worker.log")),
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
    const context = { target, pool, probes, options, report };
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

/** @param {pg.Pool} pool */
async function countEnded(pool) {
  const { rows } = await pool.query(
    "SELECT count(*)::int AS n FROM executions WHERE completed_at IS NOT NULL",
  );
  return Number(rows[0]?.n ?? 0);
}

/** @param {pg.Pool} pool */
async function countActive(pool) {
  const { rows } = await pool.query(
    "SELECT count(*)::int AS n FROM executions WHERE status = ANY($1::text[])",
    [ACTIVE_STATUSES],
  );
  return Number(rows[0]?.n ?? 0);
}

/** @param {pg.Pool} pool */
async function databaseNow(pool) {
  const { rows } = await pool.query("SELECT clock_timestamp() AS now");
  return /** @type {Date} */ (rows[0]?.now);
}

/**
 * @typedef {object} ThroughputContext
 * @property {{ baseUrl: string, token: string }} target
 * @property {pg.Pool} pool
 * @property {Probes} probes
 * @property {Options} options
 * @property {Report} report
 */

/**
 * A producer of async runs: `submitters` lanes POST /api/workflows/execute back to back, pausing
 * while BACKLOG_CAP accepted runs have not ended (the backlog is read from the database every
 * BACKLOG_POLL_MS and counted up by the 202s since).
 * @param {ThroughputContext} context
 * @param {string} workflow
 */
function startProducer(context, workflow) {
  const { target, pool, options } = context;
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.submitters });
  const client = { ...target, agent };
  const state = {
    accepted: 0,
    refused: 0,
    firstRefusal: "",
    /** @type {string[]} */
    ids: [],
    backlog: 0,
    acceptedAtPoll: 0,
    pausedMs: 0,
    stopping: false,
  };
  const estimate = () => state.backlog + state.accepted - state.acceptedAtPoll;
  let lastPoll = performance.now();
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const acceptedBefore = state.accepted;
      try {
        state.backlog = await countActive(pool);
        state.acceptedAtPoll = acceptedBefore;
      } catch {
        // The next poll tries again.
      }
      const now = performance.now();
      if (estimate() >= BACKLOG_CAP) state.pausedMs += now - lastPoll;
      lastPoll = now;
      await sleep(BACKLOG_POLL_MS);
    }
  })();
  const lane = async () => {
    while (!state.stopping) {
      if (estimate() >= BACKLOG_CAP) {
        await sleep(10);
        continue;
      }
      const answer = await executeRun(client, workflow, false);
      if (answer.ok) {
        state.accepted += 1;
        state.ids.push(answer.executionId);
      } else {
        state.refused += 1;
        state.firstRefusal ||= answer.failure;
        await sleep(10);
      }
    }
  };
  const lanes = Promise.all(Array.from({ length: options.submitters }, lane));
  return {
    state,
    backlog: estimate,
    async stop() {
      state.stopping = true;
      await lanes;
      polling = false;
      await poller;
      agent.destroy();
    },
  };
}

/**
 * (b) / (c): async runs kept coming for RAMP_UP_S + `--duration` seconds; the runs that reached a
 * final state in the measured window are counted in the database (completed_at, database clock).
 * @param {ThroughputContext} context
 * @param {{ label: string, workflow: string }} run
 */
async function benchThroughput(context, { label, workflow }) {
  const { pool, probes, options, report } = context;
  const tag = `[distributed ${label}]`;
  log(
    `\n${tag} ${options.submitters} submitters of async "${workflow}" runs (backlog capped at ${count(BACKLOG_CAP)}): ` +
      `${RAMP_UP_S} s ramp-up, then ${options.durationS} s measured`,
  );
  const producer = startProducer(context, workflow);
  const { state } = producer;
  let stopped = false;
  try {
    await sleep(RAMP_UP_S * 1000);
    const t0 = await databaseNow(pool);
    const sampleBefore = await takeSample(probes);
    const accepted0 = state.accepted;
    const ended0 = state.accepted - producer.backlog();
    const paused0 = state.pausedMs;
    const started = performance.now();
    const progress = setInterval(() => {
      const s = (performance.now() - started) / 1000;
      log(
        `${tag} ${fixed(s, 0)} s: ${count(state.accepted - accepted0)} accepted (${fixed((state.accepted - accepted0) / s, 0)}/s), ` +
          `backlog ~${count(producer.backlog())}, ~${fixed((state.accepted - producer.backlog() - ended0) / s, 0)} ended/s ` +
          `(approx.), ${state.refused} refused`,
      );
    }, PROGRESS_EVERY_MS);
    await sleep(options.durationS * 1000);
    clearInterval(progress);
    const t1 = await databaseNow(pool);
    const sampleAfter = await takeSample(probes);
    const acceptedInWindow = state.accepted - accepted0;
    const pausedShare = (state.pausedMs - paused0) / (performance.now() - started);
    await producer.stop();
    stopped = true;

    const drainStarted = performance.now();
    let active = await countActive(pool);
    while (active > 0 && performance.now() - drainStarted < DRAIN_TIMEOUT_MS) {
      await sleep(100);
      active = await countActive(pool);
    }
    const drainMs = performance.now() - drainStarted;
    log(
      `${tag} submitters stopped after ${count(state.accepted)} accepted runs; ` +
        `${active === 0 ? `drained in ${fixed(drainMs / 1000, 1)} s` : `${active} runs still not ended after ${DRAIN_TIMEOUT_MS / 1000} s`}`,
    );

    const ended = await pool.query(
      "SELECT status, count(*)::int AS n FROM executions WHERE completed_at >= $1 AND completed_at < $2 GROUP BY status",
      [t0, t1],
    );
    /** @type {Record<string, number>} */
    const endedInWindow = Object.fromEntries(ended.rows.map((r) => [String(r.status), Number(r.n)]));
    let logRows = null;
    let logCountSum = null;
    if (workflow === "chatty") {
      const logs = await pool.query(
        `SELECT (SELECT count(*) FROM execution_logs l JOIN executions e ON e.id = l.execution_id
                  WHERE e.completed_at >= $1 AND e.completed_at < $2)::int AS rows,
                (SELECT coalesce(sum(log_count), 0) FROM executions
                  WHERE completed_at >= $1 AND completed_at < $2)::int AS counted`,
        [t0, t1],
      );
      logRows = Number(logs.rows[0]?.rows ?? 0);
      logCountSum = Number(logs.rows[0]?.counted ?? 0);
    }
    const all = await pool.query(
      `SELECT status, count(*)::int AS n, count(*) FILTER (WHERE attempt > 1)::int AS retried
         FROM executions WHERE id = ANY($1::uuid[]) GROUP BY status`,
      [state.ids],
    );
    /** @type {Record<string, number>} */
    const acceptedByStatus = Object.fromEntries(all.rows.map((r) => [String(r.status), Number(r.n)]));
    const found = all.rows.reduce((n, r) => n + Number(r.n), 0);
    const retried = all.rows.reduce((n, r) => n + Number(r.retried), 0);

    /** @type {ThroughputRow} */
    const row = {
      label,
      workflow,
      windowMs: t1.getTime() - t0.getTime(),
      endedInWindow,
      acceptedInWindow,
      acceptedTotal: state.accepted,
      refused: state.refused,
      firstRefusal: state.firstRefusal,
      pausedShare,
      logRows,
      logCountSum,
      drainMs,
      acceptedByStatus,
      missing: state.ids.length - found,
      retried,
    };
    report.throughput.push(row);
    const success = endedInWindow.Success ?? 0;
    const seconds = row.windowMs / 1000;
    log(
      `${tag} window ${fixed(seconds, 2)} s: ${count(success)} runs reached Success (${fixed(success / seconds, 0)}/s), ` +
        `${count(acceptedInWindow)} accepted (${fixed(acceptedInWindow / seconds, 0)}/s), submitters paused ` +
        `${fixed(pausedShare * 100, 0)} % of the window by the backlog cap; ended in the window by status ${JSON.stringify(endedInWindow)}` +
        (logRows === null
          ? ""
          : `; ${count(logRows)} log lines stored (${fixed(logRows / seconds, 0)}/s; log_count sum ${count(logCountSum ?? 0)})`),
    );
    recordCpu(report, `distributed ${label}`, sampleBefore, sampleAfter, success);
    checkThroughputRow(row, tag, report);
  } finally {
    if (!stopped) await producer.stop();
  }
}

/**
 * Lost, stuck, failed or repeated runs are findings: each goes to the notes, loudly.
 * @param {ThroughputRow} row
 * @param {string} tag
 * @param {Report} report
 */
function checkThroughputRow(row, tag, report) {
  const notSuccess = Object.entries(row.acceptedByStatus).filter(([status]) => status !== "Success");
  if (notSuccess.length > 0) {
    report.notes.push(
      `!!! ${tag} of ${count(row.acceptedTotal)} accepted runs, not Success after the drain: ${JSON.stringify(Object.fromEntries(notSuccess))}`,
    );
  }
  if (row.missing !== 0) {
    report.notes.push(`!!! ${tag} ${row.missing} accepted runs (202 with an executionId) have no row`);
  }
  if (row.retried > 0) {
    report.notes.push(`!!! ${tag} ${row.retried} accepted runs needed more than one attempt`);
  }
  if (row.refused > 0) {
    report.notes.push(
      `!!! ${tag} ${row.refused} submissions were not answered 202, e.g. ${row.firstRefusal}`,
    );
  }
  if (row.logRows !== null && row.logRows !== row.logCountSum) {
    report.notes.push(
      `!!! ${tag} the runs that ended in the window stored ${row.logRows} log rows, but their log_count adds up to ${row.logCountSum}`,
    );
  }
  const success = row.endedInWindow.Success ?? 0;
  if (row.logRows !== null && row.logRows !== success * LOG_LINES_PER_RUN) {
    const others = Object.entries(row.endedInWindow).filter(([s]) => s !== "Success").length;
    if (others === 0) {
      report.notes.push(
        `!!! ${tag} ${count(success)} successful runs should have stored ${count(success * LOG_LINES_PER_RUN)} log lines, not ${count(row.logRows)}`,
      );
    }
  }
}

/**
 * More trivial runs, so that the zombie count comes after ZOMBIE_CHECK_RUNS runs: submits until
 * `runs` more have ended or `budgetMs` has passed, then waits for what was accepted to end.
 * @param {ThroughputContext} context
 * @param {number} runs
 * @param {number} budgetMs
 */
async function topUp(context, runs, budgetMs) {
  const producer = startProducer(context, "trivial");
  const deadline = performance.now() + budgetMs;
  while (producer.state.accepted - producer.backlog() < runs && performance.now() < deadline)
    await sleep(100);
  await producer.stop();
  const drainDeadline = performance.now() + DRAIN_TIMEOUT_MS;
  while ((await countActive(context.pool)) > 0 && performance.now() < drainDeadline) await sleep(100);
}

/** @param {Report} report */
function printReport(report, /** @type {Options} */ options) {
  log(`\n${"=".repeat(100)}`);
  log(
    `Bifrost execution-engine bench: ${options.requests} sync runs per concurrency level after ${SYNC_WARMUP} warm-up runs; ` +
      `throughput windows of ${options.durationS} s after a ${RAMP_UP_S} s ramp-up, ${options.submitters} submitters`,
  );
  const loadavg = (/** @type {number[]} */ l) => l.map((v) => v.toFixed(2)).join(" ");
  log(
    `node ${process.version}, ${os.cpus().length} CPUs; load average (1/5/15 min) at start ` +
      `${loadavg(report.loadavgAtStart)}, at end ${loadavg(os.loadavg())}; ` +
      `BIFROST_MAX_WORKERS ${options.maxWorkers ?? "default (10)"}`,
  );

  if (report.sync.length > 0) {
    log(
      "\n(a) Sync run of the trivial workflow, POST /api/workflows/execute {sync: true} (latency of every answer)\n",
    );
    log(
      formatTable(
        ["mode", "in flight", "runs", "runs/s", "p50 ms", "p99 ms", "max ms", "failed", "goal", "met?"],
        report.sync.map((r) => {
          const goal = SYNC_GOALS[r.mode];
          const met = r.p50 <= goal.p50 && r.p99 <= goal.p99 && r.ok === r.count;
          return [
            r.mode,
            String(r.concurrency),
            String(r.count),
            fixed(r.count / (r.wallMs / 1000), 0),
            fixed(r.p50, 2),
            fixed(r.p99, 2),
            fixed(r.max, 1),
            String(r.count - r.ok),
            `p50 <= ${goal.p50} ms, p99 <= ${goal.p99} ms`,
            met ? "yes" : "NO",
          ];
        }),
        ["left", "right", "right", "right", "right", "right", "right", "right", "left", "left"],
      ),
    );
  }

  if (report.throughput.length > 0) {
    log("\n(b) / (c) Async runs, distributed: runs that reached Success in the window (database clock)\n");
    log(
      formatTable(
        [
          "workload",
          "window s",
          "Success",
          "runs/s",
          "goal",
          "met?",
          "accepted/s (202)",
          "paused",
          "log lines/s",
          "drain s",
          "not Success",
        ],
        report.throughput.map((r) => {
          const seconds = r.windowMs / 1000;
          const success = r.endedInWindow.Success ?? 0;
          const trivial = r.workflow === "trivial";
          const bad = Object.entries(r.acceptedByStatus)
            .filter(([s]) => s !== "Success")
            .reduce((n, [, v]) => n + v, 0);
          return [
            r.label,
            fixed(seconds, 1),
            String(success),
            fixed(success / seconds, 0),
            trivial ? `>= ${count(THROUGHPUT_GOAL)}/s` : "(report only)",
            trivial ? (success / seconds >= THROUGHPUT_GOAL ? "yes" : "NO") : "",
            fixed(r.acceptedInWindow / seconds, 0),
            `${fixed(r.pausedShare * 100, 0)} %`,
            r.logRows === null ? "" : fixed(r.logRows / seconds, 0),
            fixed(r.drainMs / 1000, 1),
            String(bad + r.missing),
          ];
        }),
        ["left", "right", "right", "right", "left", "left", "right", "right", "right", "right", "right"],
      ),
    );
    log(
      `\n"paused": share of the window in which the submitters waited because ${count(BACKLOG_CAP)} accepted runs had not ` +
        'ended yet (above 0 %, the API accepted faster than the runs ended). "not Success": accepted runs of that ' +
        "workload that were not Success after the drain, or had no row.",
    );
  }

  if (report.cpu.length > 0) {
    const names = [...new Set(report.cpu.flatMap((c) => [...c.usage.groups.keys()]))];
    log(
      `\nWhere the CPU goes: % of one core during each measured phase (the machine has ${os.cpus().length} cores = ` +
        `${os.cpus().length * 100} %); ms of CPU per run below\n`,
    );
    const header = ["process", ...report.cpu.map((c) => c.phase)];
    /** @type {string[][]} */
    const rows = names.map((name) => [
      name,
      ...report.cpu.map((c) => {
        const ms = c.usage.groups.get(name);
        return ms === undefined ? "" : fixed((ms / c.usage.wallMs) * 100, 0);
      }),
    ]);
    // Never below 0: the samples of /proc/stat and of the processes are a few ms apart.
    const other = (/** @type {CpuUsage} */ u) =>
      Math.max(0, u.machineBusyMs - [...u.groups.values()].reduce((sum, ms) => sum + ms, 0));
    rows.push(
      [
        "everything else on the machine",
        ...report.cpu.map((c) => fixed((other(c.usage) / c.usage.wallMs) * 100, 0)),
      ],
      ["machine busy", ...report.cpu.map((c) => fixed((c.usage.machineBusyMs / c.usage.wallMs) * 100, 0))],
    );
    log(formatTable(header, rows, ["left", ...report.cpu.map(() => /** @type {const} */ ("right"))]));
    log("");
    /** @type {string[][]} */
    const perRun = names.map((name) => [
      name,
      ...report.cpu.map((c) => {
        const ms = c.usage.groups.get(name);
        return ms === undefined || c.runs === 0 ? "" : fixed(ms / c.runs, 3);
      }),
    ]);
    perRun.push([
      "machine busy",
      ...report.cpu.map((c) => (c.runs === 0 ? "" : fixed(c.usage.machineBusyMs / c.runs, 3))),
    ]);
    /** @type {Array<[string, keyof DatabaseCounters]>} */
    const counters = [
      ["PostgreSQL transactions per run", "transactions"],
      ["PostgreSQL rows inserted per run", "inserted"],
      ["PostgreSQL rows updated per run", "updated"],
    ];
    if (report.cpu.some((c) => c.database)) {
      for (const [title, key] of counters) {
        perRun.push([
          title,
          ...report.cpu.map((c) => (c.database && c.runs > 0 ? fixed(c.database[key] / c.runs, 1) : "")),
        ]);
      }
    }
    log(
      formatTable(
        ["CPU ms per run", ...report.cpu.map((c) => c.phase)],
        perRun,
        header.map((_, i) => (i === 0 ? "left" : "right")),
      ),
    );
  }

  if (report.zombies.length > 0) {
    log(
      "\n(d) Workflow processes: direct children of the server process (from /proc/*/stat; zombies = state Z), " +
        `and our processes running ${CHILD_RUNTIME} still alive after the server stopped (orphans)\n`,
    );
    log(
      formatTable(
        [
          "server process",
          "runs done",
          "children before (zombies)",
          "most during load (zombies)",
          "children after drain (zombies)",
          "orphans after stop",
          "child.mjs on machine",
        ],
        report.zombies.map((z) => [
          z.label,
          count(z.runs),
          `${z.before.total} (${z.before.zombies})`,
          Number.isNaN(z.during.total) ? "(not sampled)" : `${z.during.total} (${z.during.zombies})`,
          `${z.after.total} (${z.after.zombies})`,
          String(z.orphans.length),
          String(z.childRuntimeOnMachine),
        ]),
        ["left", "right", "right", "right", "right", "right", "right"],
      ),
    );
    log(
      '\n"most during load" is the largest count in the one-second samples taken during (b), (c) and the top-up: a ' +
        "recycled child is a zombie for the moment between its exit and the worker reaping it, so one there is " +
        "expected; a zombie before the load or left after the drain, or an orphan, is not.",
    );
    const bad = report.zombies.filter(
      (z) => z.before.zombies > 0 || z.after.zombies > 0 || z.orphans.length > 0,
    );
    for (const z of bad) {
      log(
        `\n!!! ${z.label}: ${z.before.zombies} zombie(s) before the load, ${z.after.zombies} after the drain, ` +
          `${z.orphans.length} orphan(s) after the stop`,
      );
    }
  }

  if (report.notes.length > 0) {
    log("\nNotes");
    for (const note of report.notes) log(`- ${note}`);
  }
  if (report.failures.length > 0) {
    log("\nFAILED");
    for (const failure of report.failures) log(`- ${failure}`);
  }
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
    notes: [],
    failures: [],
    loadavgAtStart: os.loadavg(),
  };
  log(
    `engine bench: modes ${options.modes.join(", ")}; ${options.requests} sync runs per level; ` +
      `${options.durationS} s throughput windows; temp dir ${tmpRoot}; runtime ${path.join(REPO_ROOT, "apps/server", CHILD_RUNTIME)}`,
  );
  try {
    for (const mode of options.modes) {
      try {
        if (mode === "embedded") await benchEmbedded(tmpRoot, options, report);
        else await benchDistributed(tmpRoot, options, report);
      } catch (error) {
        recordFailure(report, mode, error);
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
