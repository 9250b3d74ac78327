// Bifrost server benchmark: memory (idle and after load) and HTTP throughput/latency of the embedded
// all-in-one process (`start`) and of the distributed API process (`api` on PostgreSQL, Redis and
// RabbitMQ). Run from the repository root after a build: `npm run bench`. See bench/README.md.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { createMfaUsers, enrolFirstAdmin, runSignIns } from "./lib/auth.mjs";
import { onCleanup, runCleanup } from "./lib/cleanup.mjs";
import { percentile, runLoad } from "./lib/load.mjs";
import { createBenchDatabase } from "./lib/postgres.mjs";
import { childPids, readMemory, REPO_ROOT, ServerProcessError, startServer } from "./lib/server.mjs";
import { fixed, formatTable, log } from "./lib/table.mjs";

const USAGE = `Usage: node bench/run.mjs [--duration <s>] [--connections <n>] [--signins <n>] [--only embedded|distributed]

  --duration <s>       seconds of measured load per route (default 10; a 2 s warm-up precedes each)
  --connections <n>    concurrent connections (default 10)
  --signins <n>        complete sign-ins (password + TOTP) timed in distributed mode, one MFA user
                       each, 4 in flight (default 100; 8 more sign-ins warm up first)
  --only <mode>        run only "embedded" (bifrost-server start) or "distributed" (bifrost-server api)

Services for the distributed mode (override with BENCH_POSTGRES_URL, BENCH_REDIS_URL, BENCH_RABBITMQ_URL):
  PostgreSQL ${"postgres://postgres@127.0.0.1:5432"} (a fresh database is created and dropped),
  Redis redis://127.0.0.1:6379, RabbitMQ amqp://guest:guest@127.0.0.1:5672.`;

const WARMUP_S = 2;
const IDLE_MS = 5_000;
const ROUTES = ["/health", "/auth/status"];
/** Loaded like ROUTES, with the first admin's access token as a bearer token. */
const ME_ROUTE = "/auth/me";
/** Goal for GET /auth/me: the access check is cached, so it should not cost a database round trip. */
const ME_GOAL_REQ_PER_SEC = 5_000;
/** Sign-ins in flight at once, and untimed sign-ins (other users) that warm the server up first. */
const SIGNIN_CONCURRENCY = 4;
const SIGNIN_WARMUP = 8;
/**
 * Login attempts per minute per IP and per account the bench servers allow (default 10): high
 * enough that the limiter never answers 429 and only its counter increments are measured.
 */
const LOGIN_RATE_LIMIT = "1000000";
/** Why the embedded mode does not time sign-ins. */
const EMBEDDED_SIGNIN_SKIP =
  "not measured: the embedded PGlite database is private to the server process, and the API can " +
  "create only the first admin, so there is no way to give it many MFA users";
/** Log messages (info level) at which the logging run samples RSS during start-up. */
const MILESTONES = ["backing services connected", "database migrations applied", "Bifrost API listening"];

/**
 * @typedef {"embedded" | "distributed"} Mode
 * @typedef {import("./lib/load.mjs").LoadResult} LoadResult
 * @typedef {import("./lib/server.mjs").MemorySample} MemorySample
 * @typedef {LoadResult & { cpuUsPerRequest: number, cpuShare: number }} MeasuredLoad
 * @typedef {object} SignInStats
 * @property {number} count       sign-ins timed (each a distinct user)
 * @property {number} ok          of which both steps answered 200
 * @property {number} perSec      completed sign-ins per second of wall time
 * @property {number} wallMs
 * @property {{ p50: number, p99: number }} total   both steps (completed sign-ins only)
 * @property {{ p50: number, p99: number }} login   POST /auth/login
 * @property {{ p50: number, p99: number }} mfa     POST /auth/mfa/login
 * @property {number} cpuMsPerSignIn  server CPU (all threads) per sign-in
 * @property {number} mainCpuMsPerSignIn  of which the main (JavaScript) thread; the rest is mostly
 *   Argon2, which runs on libuv's thread pool
 * @property {number} cpuShare        server CPU time / wall time (cores busy)
 */

/** @type {Record<Mode, { role: "start" | "api", label: string, goalMb: number }>} */
const MODES = {
  embedded: { role: "start", label: "embedded (start)", goalMb: 450 },
  distributed: { role: "api", label: "distributed (api)", goalMb: 150 },
};

/** Built by scripts/build.mjs; when present, a first embedded start loads it instead of running initdb. */
const PGLITE_TEMPLATE = path.join(REPO_ROOT, "apps/server/dist/pglite-template.tar.gz");

/** @returns {string} */
function describeTemplate() {
  const present = existsSync(PGLITE_TEMPLATE);
  return `${path.relative(REPO_ROOT, PGLITE_TEMPLATE)} ${present ? "present (first boot loads it)" : "absent (first boot runs initdb)"}`;
}

const services = {
  postgres: process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432",
  redis: process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379",
  rabbitmq: process.env.BENCH_RABBITMQ_URL ?? "amqp://guest:guest@127.0.0.1:5672",
};

function parseCli() {
  const { values } = parseArgs({
    options: {
      duration: { type: "string", default: "10" },
      connections: { type: "string", default: "10" },
      signins: { type: "string", default: "100" },
      only: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const durationS = Number(values.duration);
  const connections = Number(values.connections);
  const signIns = Number(values.signins);
  if (!Number.isInteger(durationS) || durationS < 1 || durationS > 600) {
    throw new UsageError("--duration must be a whole number of seconds between 1 and 600");
  }
  if (!Number.isInteger(connections) || connections < 1 || connections > 1000) {
    throw new UsageError("--connections must be an integer between 1 and 1000");
  }
  if (!Number.isInteger(signIns) || signIns < 1 || signIns > 10_000) {
    throw new UsageError("--signins must be an integer between 1 and 10000");
  }
  if (values.only !== undefined && !(values.only in MODES)) {
    throw new UsageError('--only must be "embedded" or "distributed"');
  }
  /** @type {Mode[]} */
  const modes = values.only ? [/** @type {Mode} */ (values.only)] : ["embedded", "distributed"];
  return { durationS, connections, signIns, modes };
}

class UsageError extends Error {}

/** @param {number} bytes */
const mb = (bytes) => fixed(bytes, 1);

/** @param {MemorySample} m */
const describeMemory = (m) =>
  `RSS ${mb(m.rss)} MB (anon ${mb(m.anon)}, file ${mb(m.file)}), peak ${mb(m.hwm)} MB`;

/** @param {LoadResult} r */
function describeLoad(r) {
  const problems = r.errors + r.non2xx > 0 ? `  <-- ${r.errors} errors, ${r.non2xx} non-2xx` : "";
  return (
    `${fixed(r.reqPerSec, 0)} req/s, p50 ${fixed(r.p50, 2)} ms, p99 ${fixed(r.p99, 2)} ms, ` +
    `${r.total} responses ${JSON.stringify(r.statusCounts)}${problems}`
  );
}

/**
 * @typedef {object} Report
 * @property {Array<{ mode: string, route: string, load: MeasuredLoad }>} loads
 * @property {Array<{ mode: Mode, label: string, readyMs: number, idle: MemorySample, after: MemorySample | null }>} memory
 * @property {Array<{ stage: string, ms: number | null, memory: MemorySample }>} breakdown
 * @property {Array<{ label: string, me: MeasuredLoad, signIns: SignInStats | string }>} auth
 *   per mode: GET /auth/me, and the sign-in figures or why there are none
 * @property {string[]} notes
 * @property {string[]} failures
 * @property {number[]} loadavgAtStart  os.loadavg() when the bench started (other work skews figures)
 */

/**
 * Environment of one server run (the bench database is created here when the mode needs one).
 * @param {Mode} mode
 * @param {string} dataDir
 * @param {"warn" | "info"} logLevel
 */
function serverEnv(mode, dataDir, logLevel) {
  /** @type {Record<string, string>} */
  const env = {
    BIFROST_DATA_DIR: dataDir,
    BIFROST_LOG_LEVEL: logLevel,
    BIFROST_LOGIN_RATE_LIMIT: LOGIN_RATE_LIMIT,
  };
  /** @type {(() => Promise<void>) | null} */
  let dropDatabase = null;
  if (mode === "distributed") {
    const database = createBenchDatabase(services.postgres, `bifrost_bench_${process.pid}`);
    dropDatabase = database.drop;
    Object.assign(env, {
      DATABASE_URL: database.url,
      REDIS_URL: services.redis,
      RABBITMQ_URL: services.rabbitmq,
      BIFROST_SECRET_KEY: randomBytes(32).toString("base64url"),
    });
  }
  return { env, dropDatabase };
}

/**
 * One GET answered before the load, to show what the route returns (a non-2xx here is reported,
 * and the load run counts it too).
 * @param {string} url
 * @param {string[]} notes
 * @param {string} tag
 * @param {Record<string, string>} [headers]
 */
async function probe(url, notes, tag, headers) {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(5_000) });
  const body = await response.text();
  log(`${tag} GET ${new URL(url).pathname} -> ${response.status} ${body.slice(0, 160)}`);
  if (!response.ok)
    notes.push(`${tag} GET ${new URL(url).pathname} answered ${response.status} before the load`);
}

/**
 * Warm-up, then the measured run; also the server's CPU time (user + system) during that run.
 * @param {import("./lib/server.mjs").ServerProcess} server
 * @param {string} route
 * @param {{ durationS: number, connections: number }} options
 * @param {string[]} notes
 * @param {string} tag
 * @param {Record<string, string>} [headers]  sent with every request
 * @returns {Promise<MeasuredLoad>}
 */
async function measure(server, route, { durationS, connections }, notes, tag, headers) {
  const url = `${server.baseUrl}${route}`;
  const warm = await runLoad({ url, connections, durationS: WARMUP_S, headers });
  log(`${tag} ${route} warm-up ${WARMUP_S} s: ${describeLoad(warm)}`);
  if (warm.errors + warm.non2xx > 0) {
    notes.push(
      `${tag} ${route} warm-up: ${warm.errors} errors, ${warm.non2xx} non-2xx ${JSON.stringify(warm.statusCounts)}`,
    );
  }
  const cpuBefore = await server.cpuMs();
  const started = performance.now();
  const load = await runLoad({ url, connections, durationS, headers });
  const cpuMs = (await server.cpuMs()) - cpuBefore;
  const cpuUsPerRequest = (cpuMs * 1000) / Math.max(1, load.total);
  const cpuShare = cpuMs / (performance.now() - started);
  log(`${tag} ${route} ${durationS} s x ${connections} conn: ${describeLoad(load)}`);
  log(
    `${tag} ${route} server CPU: ${fixed(cpuUsPerRequest, 0)} us per request, ${fixed(cpuShare * 100, 0)} % of a core`,
  );
  if (load.non2xx > 0) notes.push(`${tag} ${route}: status codes ${JSON.stringify(load.statusCounts)}`);
  if (load.timeouts > 0)
    notes.push(`${tag} ${route}: ${load.timeouts} of the ${load.errors} errors were timeouts`);
  return { ...load, cpuUsPerRequest, cpuShare };
}

/**
 * Starts one server, runs `body` on it, and always stops it and drops its database afterwards.
 * @template T
 * @param {Mode} mode
 * @param {{ tmpRoot: string, name: string, dataName?: string, logLevel: "warn" | "info", label: string, milestones?: string[] }} run
 *   `name` names the log file and, unless `dataName` is given, the data directory
 * @param {(server: import("./lib/server.mjs").ServerProcess) => Promise<T>} body
 *   (the server's variables, e.g. DATABASE_URL and BIFROST_SECRET_KEY, are in `server.options.env`)
 * @returns {Promise<T>}
 */
async function withServer(mode, { tmpRoot, name, dataName = name, logLevel, label, milestones }, body) {
  const { env, dropDatabase } = serverEnv(mode, path.join(tmpRoot, `${dataName}-data`), logLevel);
  try {
    const logFile = path.join(tmpRoot, `${name}.log`);
    log(
      `\n[${label}] starting bifrost-server ${MODES[mode].role} at BIFROST_LOG_LEVEL=${logLevel} (output: ${logFile})`,
    );
    const server = await startServer({ label, role: MODES[mode].role, env, logFile, milestones });
    try {
      return await body(server);
    } finally {
      if (server.alive) await server.stop(5_000);
    }
  } finally {
    await dropDatabase?.();
  }
}

/**
 * @param {import("./lib/server.mjs").ServerProcess} server
 * @param {string} tag
 * @param {Report} report
 */
async function stopAndCheck(server, tag, report) {
  const stopped = await server.stop();
  log(
    `${tag} SIGTERM -> exited after ${fixed(stopped.ms, 0)} ms (code ${stopped.code}, signal ${stopped.signal})`,
  );
  if (stopped.code !== 0 || stopped.killed) {
    report.notes.push(
      `${tag} did not exit cleanly on SIGTERM: code ${stopped.code}, signal ${stopped.signal}`,
    );
  }
  return stopped;
}

/**
 * Idle memory, load on every route and, with the first admin's token, on /auth/me; sign-ins in
 * distributed mode; memory after all of it (log level warn).
 * @param {Mode} mode
 * @param {string} tmpRoot
 * @param {{ durationS: number, connections: number, signIns: number }} options
 * @param {Report} report
 */
async function benchMode(mode, tmpRoot, options, report) {
  const { label, goalMb } = MODES[mode];
  const tag = `[${label}]`;
  await withServer(mode, { tmpRoot, name: mode, logLevel: "warn", label }, async (server) => {
    log(`${tag} pid ${server.pid} on ${server.baseUrl}, ready after ${fixed(server.readyMs / 1000, 2)} s`);
    await sleep(IDLE_MS);
    const idle = await server.memory();
    log(`${tag} idle ${IDLE_MS / 1000} s after ready: ${describeMemory(idle)}, ${idle.threads} threads`);
    log(`${tag} goal: idle RSS <= ${goalMb} MB -> ${idle.rss <= goalMb ? "met" : "NOT met"}`);
    const children = childPids(server.pid);
    if (children.length > 0) {
      const childRss = children.reduce((sum, pid) => sum + readMemory(pid).rss, 0);
      report.notes.push(
        `${tag} has ${children.length} child process(es) with ${mb(childRss)} MB RSS not counted`,
      );
    }
    for (const route of ROUTES) await probe(`${server.baseUrl}${route}`, report.notes, tag);
    for (const route of ROUTES) {
      const load = await measure(server, route, options, report.notes, tag);
      report.loads.push({ mode: label, route, load });
    }
    try {
      await benchAuth(mode, server, options, report);
    } catch (error) {
      if (error instanceof ServerProcessError) throw error;
      // The routes above are still reported; the auth figures are missing, and the bench fails.
      recordFailure(report, `${label} auth`, error);
    }
    const after = await server.memory();
    log(`${tag} after load: ${describeMemory(after)}`);
    await stopAndCheck(server, tag, report);
    report.memory.push({ mode, label, readyMs: server.readyMs, idle, after });
  });
}

/**
 * Signs the first admin in through the API, loads GET /auth/me with their access token, then (in
 * distributed mode) times the sign-ins.
 * @param {Mode} mode
 * @param {import("./lib/server.mjs").ServerProcess} server
 * @param {{ durationS: number, connections: number, signIns: number }} options
 * @param {Report} report
 */
async function benchAuth(mode, server, options, report) {
  const { label } = MODES[mode];
  const tag = `[${label}]`;
  const admin = await enrolFirstAdmin(server.baseUrl);
  log(`${tag} first admin ${admin.email} created and signed in (setup, login, mfa/setup, mfa/verify)`);
  const bearer = { authorization: `Bearer ${admin.accessToken}` };
  await probe(`${server.baseUrl}${ME_ROUTE}`, report.notes, tag, bearer);
  const me = await measure(server, ME_ROUTE, options, report.notes, tag, bearer);
  report.loads.push({ mode: label, route: `${ME_ROUTE} (bearer)`, load: me });
  const met = me.reqPerSec >= ME_GOAL_REQ_PER_SEC ? "met" : "NOT met";
  log(`${tag} goal: ${ME_ROUTE} >= ${ME_GOAL_REQ_PER_SEC} req/s -> ${met}`);
  // Replaced by the figures once the sign-ins complete.
  const pending = mode === "distributed" ? "FAILED (see below)" : "not measured (see Notes)";
  const entry = { label, me, signIns: /** @type {SignInStats | string} */ (pending) };
  report.auth.push(entry);
  if (mode === "distributed") {
    entry.signIns = await benchSignIns(server, options.signIns, report.notes, tag);
  } else {
    log(`${tag} sign-ins ${EMBEDDED_SIGNIN_SKIP}`);
    report.notes.push(`${tag} sign-ins ${EMBEDDED_SIGNIN_SKIP}`);
  }
}

/**
 * Complete sign-ins (password step, then TOTP step) of `count` MFA users written into the bench
 * database, SIGNIN_CONCURRENCY at a time, after SIGNIN_WARMUP untimed ones. Each user signs in once:
 * a TOTP step is accepted once per user.
 * @param {import("./lib/server.mjs").ServerProcess} server
 * @param {number} count
 * @param {string[]} notes
 * @param {string} tag
 * @returns {Promise<SignInStats>}
 */
async function benchSignIns(server, count, notes, tag) {
  const { DATABASE_URL: databaseUrl, BIFROST_SECRET_KEY: secretKey } = server.options.env;
  if (!databaseUrl || !secretKey) throw new Error("sign-ins need the bench database and secret key");
  const prepared = performance.now();
  const users = await createMfaUsers({
    databaseUrl,
    secretKey,
    count: SIGNIN_WARMUP + count,
    tag: `u${process.pid}`,
  });
  log(
    `${tag} ${users.length} users with MFA written to the database in ${fixed(performance.now() - prepared, 0)} ms`,
  );
  const warm = await runSignIns(server.baseUrl, users.slice(0, SIGNIN_WARMUP), SIGNIN_CONCURRENCY);
  const warmFailures = warm.signIns.filter((s) => !s.ok);
  log(
    `${tag} sign-in warm-up: ${warm.signIns.length - warmFailures.length}/${warm.signIns.length} ok in ${fixed(warm.wallMs, 0)} ms`,
  );
  if (warmFailures.length > 0) {
    notes.push(`${tag} sign-in warm-up: ${warmFailures.length} failed, e.g. ${warmFailures[0].failure}`);
  }

  const cpuBefore = await server.threadCpuMs();
  const { signIns, wallMs } = await runSignIns(
    server.baseUrl,
    users.slice(SIGNIN_WARMUP),
    SIGNIN_CONCURRENCY,
  );
  const cpuAfter = await server.threadCpuMs();
  const mainCpuMs = cpuAfter.main - cpuBefore.main;
  const cpuMs = mainCpuMs + cpuAfter.others - cpuBefore.others;
  const done = signIns.filter((s) => s.ok);
  /** @param {(s: import("./lib/auth.mjs").SignIn) => number} pick */
  const spread = (pick) => {
    const sorted = Float64Array.from(done.map(pick)).sort();
    return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
  };
  /** @type {SignInStats} */
  const stats = {
    count: signIns.length,
    ok: done.length,
    perSec: done.length / (wallMs / 1000),
    wallMs,
    total: spread((s) => s.totalMs),
    login: spread((s) => s.loginMs),
    mfa: spread((s) => s.mfaMs),
    cpuMsPerSignIn: cpuMs / Math.max(1, signIns.length),
    mainCpuMsPerSignIn: mainCpuMs / Math.max(1, signIns.length),
    cpuShare: cpuMs / wallMs,
  };
  log(
    `${tag} ${stats.count} sign-ins x ${SIGNIN_CONCURRENCY} in flight: ${stats.ok} ok in ${fixed(wallMs, 0)} ms, ` +
      `${fixed(stats.perSec, 1)}/s, p50 ${fixed(stats.total.p50, 1)} ms, p99 ${fixed(stats.total.p99, 1)} ms ` +
      `(login p50 ${fixed(stats.login.p50, 1)} ms, mfa/login p50 ${fixed(stats.mfa.p50, 1)} ms)`,
  );
  const cores = os.cpus().length;
  log(
    `${tag} sign-in server CPU: ${fixed(stats.cpuMsPerSignIn, 1)} ms per sign-in ` +
      `(main thread ${fixed(stats.mainCpuMsPerSignIn, 1)} ms, other threads ` +
      `${fixed(stats.cpuMsPerSignIn - stats.mainCpuMsPerSignIn, 1)} ms), ${fixed(stats.cpuShare * 100, 0)} % of a core; ` +
      `CPU-bound ceiling if the server had all ${cores} cores: ~${fixed((cores * 1000) / stats.cpuMsPerSignIn, 0)} sign-ins/s`,
  );
  const failures = signIns.filter((s) => !s.ok);
  if (failures.length > 0) {
    notes.push(`${tag} ${failures.length} of ${signIns.length} sign-ins failed, e.g. ${failures[0].failure}`);
  }
  return stats;
}

/**
 * A second run at log level info: RSS at the start-up milestones (log lines), then /health with one
 * log line per request. In embedded mode it restarts on the data directory the first run initialised
 * (a fresh directory makes PGlite run initdb, which costs start-up time and memory a restart does not
 * pay) and also records that restart's idle RSS; in distributed mode it uses a fresh database again.
 * @param {Mode} mode
 * @param {string} tmpRoot
 * @param {{ durationS: number, connections: number }} options
 * @param {Report} report
 */
async function benchLogging(mode, tmpRoot, options, report) {
  const { goalMb } = MODES[mode];
  const restart = mode === "embedded";
  const label = restart ? "embedded restart" : MODES[mode].label;
  const infoLabel = `${label}, info log`;
  const tag = `[${infoLabel}]`;
  const run = {
    tmpRoot,
    name: `${mode}-info`,
    dataName: restart ? mode : `${mode}-info`,
    logLevel: /** @type {const} */ ("info"),
    label: infoLabel,
    milestones: MILESTONES,
  };
  await withServer(mode, run, async (server) => {
    const ready = await server.memory();
    const where = restart ? "on the first run's data directory" : "on a fresh database";
    log(`${tag} pid ${server.pid} ${where}, ready after ${fixed(server.readyMs / 1000, 2)} s`);
    for (const milestone of server.milestones) {
      report.breakdown.push({
        stage: `${label}: log "${milestone.msg}"`,
        ms: milestone.ms,
        memory: milestone.memory,
      });
    }
    report.breakdown.push({ stage: `${label}: /health/ready first 200`, ms: server.readyMs, memory: ready });
    if (restart) {
      await sleep(IDLE_MS);
      const idle = await server.memory();
      log(`${tag} idle ${IDLE_MS / 1000} s after ready: ${describeMemory(idle)}, ${idle.threads} threads`);
      log(`${tag} goal: idle RSS <= ${goalMb} MB -> ${idle.rss <= goalMb ? "met" : "NOT met"}`);
      report.memory.push({ mode, label: infoLabel, readyMs: server.readyMs, idle, after: null });
    }

    const load = await measure(server, "/health", options, report.notes, tag);
    report.loads.push({ mode: infoLabel, route: "/health", load });
    if (restart) {
      const after = await server.memory();
      log(`${tag} after load: ${describeMemory(after)}`);
      report.memory[report.memory.length - 1].after = after;
    }
    await stopAndCheck(server, tag, report);
    const lines = requestLogLines(server.options.logFile);
    report.notes.push(
      `${tag} ${lines.count} "request" log lines (warm-up included), ~${fixed(lines.bytes / Math.max(1, lines.count), 0)} ` +
        `bytes each, e.g. ${lines.sample}`,
    );
  });
}

/**
 * The per-request log lines the server wrote (read after it stopped, so nothing is still buffered).
 * @param {string} logFile
 */
function requestLogLines(logFile) {
  let count = 0;
  let bytes = 0;
  let sample = "";
  for (const line of readFileSync(logFile, "utf8").split("\n")) {
    if (!line.includes('"msg":"request"')) continue;
    count += 1;
    bytes += Buffer.byteLength(line) + 1;
    sample ||= line;
  }
  return { count, bytes, sample };
}

/** RSS of a bare Node.js process doing nothing, for scale. */
async function nodeBaseline() {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  const stop = onCleanup(
    "stop baseline node",
    async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGKILL");
        await exited;
      }
    },
    () => child.kill("SIGKILL"),
  );
  try {
    await sleep(1_500);
    return readMemory(/** @type {number} */ (child.pid));
  } finally {
    await stop();
  }
}

/** @param {Report} report */
function printReport(report, { durationS = 0, connections = 0 } = {}) {
  log(`\n${"=".repeat(100)}`);
  log(
    `Bifrost server bench: ${durationS} s x ${connections} connections per route after a ${WARMUP_S} s warm-up`,
  );
  const loadavg = (/** @type {number[]} */ l) => l.map((v) => v.toFixed(2)).join(" ");
  log(
    `node ${process.version}, ${os.cpus().length} CPUs; load average (1/5/15 min) at start ` +
      `${loadavg(report.loadavgAtStart)}, at end ${loadavg(os.loadavg())}`,
  );
  log(`PGlite template: ${describeTemplate()}`);

  if (report.loads.length > 0) {
    log("\nThroughput and latency (latencies over every response, whatever its status)\n");
    log(
      formatTable(
        [
          "mode",
          "route",
          "req/s",
          "p50 ms",
          "p99 ms",
          "max ms",
          "CPU us/req",
          "responses",
          "errors",
          "non-2xx",
        ],
        report.loads.map(({ mode, route, load }) => [
          mode,
          route,
          fixed(load.reqPerSec, 0),
          fixed(load.p50, 2),
          fixed(load.p99, 2),
          fixed(load.max, 1),
          fixed(load.cpuUsPerRequest, 0),
          String(load.total),
          String(load.errors),
          String(load.non2xx),
        ]),
      ),
    );
  }

  if (report.auth.length > 0) {
    log(
      `\nAuth: GET ${ME_ROUTE} with the first admin's bearer token (row above); complete sign-ins ` +
        `(POST /auth/login + POST /auth/mfa/login), ${SIGNIN_CONCURRENCY} in flight, each a distinct MFA user\n`,
    );
    /** @type {string[][]} */
    const rows = [];
    for (const { label, me, signIns } of report.auth) {
      rows.push([
        label,
        `GET ${ME_ROUTE}`,
        `${fixed(me.reqPerSec, 0)} req/s`,
        fixed(me.p50, 2),
        fixed(me.p99, 2),
        `${fixed(me.cpuUsPerRequest, 0)} us/req`,
        `>= ${ME_GOAL_REQ_PER_SEC} req/s`,
        me.reqPerSec >= ME_GOAL_REQ_PER_SEC ? "yes" : "NO",
      ]);
      if (typeof signIns === "string") {
        rows.push([label, "sign-in", signIns, "", "", "", "", ""]);
        continue;
      }
      const failed = signIns.count - signIns.ok;
      rows.push(
        [
          label,
          `sign-in, ${signIns.count} users${failed > 0 ? ` (${failed} FAILED)` : ""}`,
          `${fixed(signIns.perSec, 1)} /s`,
          fixed(signIns.total.p50, 1),
          fixed(signIns.total.p99, 1),
          `${fixed(signIns.cpuMsPerSignIn, 1)} ms/sign-in (main ${fixed(signIns.mainCpuMsPerSignIn, 1)})`,
          "",
          "",
        ],
        [
          label,
          "  step 1: POST /auth/login",
          "",
          fixed(signIns.login.p50, 1),
          fixed(signIns.login.p99, 1),
          "",
          "",
          "",
        ],
        [
          label,
          "  step 2: POST /auth/mfa/login",
          "",
          fixed(signIns.mfa.p50, 1),
          fixed(signIns.mfa.p99, 1),
          "",
          "",
          "",
        ],
      );
    }
    log(
      formatTable(["mode", "measurement", "rate", "p50 ms", "p99 ms", "server CPU", "goal", "met?"], rows, [
        "left",
        "left",
        "right",
        "right",
        "right",
        "right",
        "left",
        "left",
      ]),
    );
  }

  if (report.memory.length > 0) {
    log(
      `\nMemory of the server process (VmRSS, MB = 2^20 bytes; idle = ${IDLE_MS / 1000} s after ready, before load)\n`,
    );
    log(
      formatTable(
        ["mode", "ready s", "idle RSS MB", "after-load RSS MB", "peak RSS MB", "goal (idle)", "met?"],
        report.memory.map(({ mode, label, readyMs, idle, after }) => [
          label,
          fixed(readyMs / 1000, 2),
          mb(idle.rss),
          after ? mb(after.rss) : "(no load)",
          mb((after ?? idle).hwm),
          `<= ${MODES[mode].goalMb} MB`,
          idle.rss <= MODES[mode].goalMb ? "yes" : "NO",
        ]),
        ["left", "right", "right", "right", "right", "left", "left"],
      ),
    );
  }

  const idleRows = report.memory.map(({ label, idle }) => ({
    stage: `${label}: idle`,
    ms: null,
    memory: idle,
  }));
  const breakdown = [...report.breakdown, ...idleRows];
  if (breakdown.length > 1) {
    log("\nWhere the memory is (RssAnon: heap, wasm and malloc memory; RssFile: mapped code)\n");
    log(
      formatTable(
        ["stage", "t ms", "RSS MB", "anon MB", "file MB"],
        breakdown.map(({ stage, ms, memory }) => [
          stage,
          ms === null ? "" : fixed(ms, 0),
          mb(memory.rss),
          mb(memory.anon),
          mb(memory.file),
        ]),
        ["left", "right", "right", "right", "right"],
      ),
    );
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
 * A failed mode is recorded for the report (the other modes still run). Start-up failures carry the
 * server's last output; anything else is a bench bug, reported with its stack.
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
  const { durationS, connections, signIns, modes } = options;
  const tmpRoot = mkdtempSync(path.join(os.tmpdir(), "bifrost-bench-"));
  onCleanup(
    `remove ${tmpRoot}`,
    () => rmSync(tmpRoot, { recursive: true, force: true }),
    () => rmSync(tmpRoot, { recursive: true, force: true }),
  );
  /** @type {Report} */
  const report = {
    loads: [],
    memory: [],
    breakdown: [],
    auth: [],
    notes: [],
    failures: [],
    loadavgAtStart: os.loadavg(),
  };
  log(
    `bench: modes ${modes.join(", ")}; ${durationS} s x ${connections} connections per route; ` +
      `${signIns} sign-ins; temp dir ${tmpRoot}`,
  );
  try {
    const baseline = await nodeBaseline();
    report.breakdown.push({ stage: "bare node process (idle, for scale)", ms: null, memory: baseline });
    for (const mode of modes) {
      try {
        await benchMode(mode, tmpRoot, options, report);
      } catch (error) {
        recordFailure(report, MODES[mode].label, error);
      }
    }
    // Logging cost and start-up milestones: one more run of the first mode that worked, at info.
    const loggingMode = modes.find((mode) => report.memory.some((m) => m.mode === mode));
    if (loggingMode) {
      try {
        await benchLogging(loggingMode, tmpRoot, options, report);
      } catch (error) {
        recordFailure(report, `${MODES[loggingMode].label} (info log run)`, error);
      }
    }
  } catch (error) {
    recordFailure(report, "bench", error);
  } finally {
    await runCleanup();
    printReport(report, { durationS, connections });
  }
  const goals = report.memory.map(({ mode, idle }) => idle.rss <= MODES[mode].goalMb);
  if (goals.includes(false))
    log("\nA memory goal was missed (reported above; this does not fail the bench).");
  return report.failures.length > 0 ? 1 : 0;
}

process.exitCode = await main();
