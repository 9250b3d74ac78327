// Bifrost web client benchmark: initial JS size (gzip), time to interactive of the execution history
// with 10,000 executions, and the frame rate of the log view while a run prints 1,000 lines/s. A real
// distributed deployment (api + worker on PostgreSQL, Redis, RabbitMQ) serves the built client
// (apps/web/dist, or BIFROST_WEB_DIR); headless Chromium (playwright-core) loads the pages. Run from
// the repository root after a build: `node bench/web.mjs` (also part of `npm run bench`).
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { CHROMIUM_ARGS, CHROMIUM_PATH, launchBrowser, signInFirstAdminWithCookies } from "./lib/browser.mjs";
import { registerQueueCleanup } from "./lib/rabbitmq.mjs";
import { onCleanup, runCleanup } from "./lib/cleanup.mjs";
import { startProfile } from "./lib/cpu-profile.mjs";
import {
  DROPPED_FRAME_MS,
  frameStats,
  idleFrameRate,
  JANK_FRAME_MS,
  WAIT_MS,
  rafFor,
  recordLogFrames,
  waitForFirstLines,
} from "./lib/frames.mjs";
import { percentile } from "./lib/load.mjs";
import { createBenchDatabase } from "./lib/postgres.mjs";
import { freePort, REPO_ROOT, ServerProcess, ServerProcessError } from "./lib/server.mjs";
import { fixed, formatTable, log } from "./lib/table.mjs";
import { benchLoadMore, describeTti, loadHistory, PAGE_PROBE } from "./lib/web-history.mjs";
import { analyseBuild, recordScripts, sumBytes, sumGzip } from "./lib/web-assets.mjs";

const USAGE = `Usage: node bench/web.mjs [--runs <n>] [--executions <n>] [--log-seconds <s>] [--load-more <n>]

  --runs <n>          cold loads of /executions timed (default 5; one untimed load warms the server first)
  --executions <n>    executions in the history (default 10000)
  --log-seconds <s>   how long the streaming run prints 100 lines every 100 ms (default 10: 10,000 lines)
  --load-more <n>     "Load more" clicks timed on the history page (default 5)

The client served is apps/web/dist unless BIFROST_WEB_DIR names another build. Chromium:
/usr/bin/chromium unless BIFROST_CHROMIUM_PATH is set. Services (override with BENCH_POSTGRES_URL,
BENCH_REDIS_URL, BENCH_RABBITMQ_URL): PostgreSQL postgres://postgres@127.0.0.1:5432 (a fresh database
is created and dropped), Redis redis://127.0.0.1:6379, RabbitMQ amqp://guest:guest@127.0.0.1:5672
(queues of a namespace of the bench's own, deleted afterwards).`;

/** Goals of the issue. */
const GOALS = { initialJsKb: 300, historyTtiMs: 1_500, logFps: 50 };
const LINES_PER_TICK = 100;
const TICK_MS = 100;
const WORKFLOW_PATH = "bench/web.ts";

const services = {
  postgres: process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432",
  redis: process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379",
  rabbitmq: process.env.BENCH_RABBITMQ_URL ?? "amqp://guest:guest@127.0.0.1:5672",
};

/** @param {number} bytes */
const kb = (bytes) => bytes / 1024;
/** @param {number[]} values */
const sorted = (values) => Float64Array.from(values).sort();
/** @param {number[]} values */
const median = (values) => percentile(sorted(values), 50);

class UsageError extends Error {}

function parseCli() {
  const { values } = parseArgs({
    options: {
      runs: { type: "string", default: "5" },
      executions: { type: "string", default: "10000" },
      "log-seconds": { type: "string", default: "10" },
      "load-more": { type: "string", default: "5" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const runs = Number(values.runs);
  const executions = Number(values.executions);
  const logSeconds = Number(values["log-seconds"]);
  const loadMore = Number(values["load-more"]);
  if (!Number.isInteger(runs) || runs < 1 || runs > 100) throw new UsageError("--runs must be 1..100");
  if (!Number.isInteger(executions) || executions < 1 || executions > 1_000_000) {
    throw new UsageError("--executions must be 1..1000000");
  }
  if (!Number.isInteger(logSeconds) || logSeconds < 1 || logSeconds > 120) {
    throw new UsageError("--log-seconds must be 1..120");
  }
  if (!Number.isInteger(loadMore) || loadMore < 0 || loadMore > 100) {
    throw new UsageError("--load-more must be 0..100");
  }
  return { runs, executions, logSeconds, loadMore };
}

/** @typedef {ReturnType<typeof parseCli>} Options */

/**
 * The bench workflows: one that does nothing (the template of the seeded history) and one that
 * prints LINES_PER_TICK lines every TICK_MS for `seconds` (on a fixed schedule, so it does not drift).
 * @param {number} seconds
 */
function workflowSource(seconds) {
  const ticks = (seconds * 1000) / TICK_MS;
  return `import { workflow, z } from "@bifrost/sdk";

export const webNoop = workflow({
  async run() {
    return { ok: true };
  },
});

export const webLogStream = workflow({
  params: z.object({}),
  async run(_params, ctx) {
    const started = Date.now();
    for (let tick = 0; tick < ${ticks}; tick++) {
      for (let i = 1; i <= ${LINES_PER_TICK}; i++) {
        ctx.log.info("tick " + tick + " line " + i + ": the quick brown fox jumps over the lazy dog");
      }
      const next = started + (tick + 1) * ${TICK_MS};
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())));
    }
    return { lines: ${ticks * LINES_PER_TICK} };
  },
});
`;
}

/**
 * @typedef {object} Report
 * @property {ReturnType<typeof analyseBuild> | null} build
 * @property {{ login: Download | null, executions: Download | null }} downloads
 * @property {TtiRun[]} tti
 * @property {LoadMoreStep[]} loadMore
 * @property {LogRun | null} logs
 * @property {{ fps: number, frames: number } | null} idleFps
 * @property {{ median: number, max: number, bytes: number } | null} apiFirstPage
 * @property {string[]} notes
 * @property {string[]} failures
 * @property {string} chromium
 * @property {number[]} loadavgAtStart
 */

/** @param {import("./lib/web-assets.mjs").Download} d */
const describeDownload = (d) =>
  `${d.files} JS files, ${fixed(kb(d.bytes), 1)} KB raw, ${fixed(kb(d.gzip), 1)} KB gzip -9 ` +
  `(largest: ${d.largest.map((l) => `${l.file} ${fixed(kb(l.gzip), 1)} KB`).join(", ")})`;

/** 1. What the build makes the browser download first, from the files. */
function benchStaticSize(webDir, report) {
  const build = analyseBuild(webDir);
  report.build = build;
  log(`\n[size] ${webDir}: initial JS (index.html entry + modulepreload + their static imports)`);
  for (const a of build.initial) {
    log(
      `  ${a.file.padEnd(44)} ${fixed(kb(a.bytes), 1).padStart(8)} KB raw ${fixed(kb(a.gzip), 1).padStart(7)} KB gzip`,
    );
  }
  const total = sumGzip(build.initial);
  log(
    `  total: ${build.initial.length} files, ${fixed(kb(sumBytes(build.initial)), 1)} KB raw, ${fixed(kb(total), 1)} KB gzip -9 ` +
      `(goal <= ${GOALS.initialJsKb} KB: ${kb(total) <= GOALS.initialJsKb ? "met" : "NOT met"})`,
  );
  log(
    `  initial CSS: ${build.initialCss.map((c) => `${c.file} ${fixed(kb(c.gzip), 1)} KB gzip`).join(", ")}`,
  );
  log(
    `  largest lazy chunks (gzip -9): ${build.lazy
      .slice(0, 5)
      .map((a) => `${a.file} ${fixed(kb(a.gzip), 1)} KB`)
      .join(", ")}`,
  );
}

/**
 * Starts one role and waits for /health/ready (the worker serves it on BIFROST_HEALTH_PORT).
 * @param {"api" | "worker"} role
 * @param {Record<string, string>} env
 * @param {string} logFile
 * @param {number} [port]
 */
async function startRole(role, env, logFile, port) {
  const healthPort = port ?? (await freePort());
  const server = new ServerProcess(
    {
      label: `web bench (${role})`,
      role: /** @type {"api"} */ (role),
      env: role === "api" ? env : { ...env, BIFROST_HEALTH_PORT: String(healthPort) },
      logFile,
    },
    healthPort,
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
 * JSON request with the admin's bearer token; throws unless the status is `expected`.
 * @param {string} baseUrl
 * @param {string} token
 * @param {"GET" | "POST" | "PUT"} method
 * @param {string} route
 * @param {number} expected
 * @param {unknown} [body]
 */
async function api(baseUrl, token, method, route, expected, body) {
  const response = await fetch(`${baseUrl}${route}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  if (response.status !== expected) {
    throw new Error(
      `${method} ${route} answered ${response.status} (expected ${expected}): ${text.slice(0, 300)}`,
    );
  }
  return text ? JSON.parse(text) : null;
}

/**
 * Times `count` sequential GETs of a route (the server's share of a page load).
 * @param {string} baseUrl
 * @param {string} token
 * @param {string} route
 * @param {number} count
 */
async function timeApi(baseUrl, token, route, count) {
  /** @type {number[]} */
  const times = [];
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const response = await fetch(`${baseUrl}${route}`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(30_000),
    });
    const body = await response.arrayBuffer();
    times.push(performance.now() - started);
    if (response.status !== 200) throw new Error(`GET ${route} answered ${response.status}`);
    bytes = body.byteLength;
  }
  return { median: median(times), max: Math.max(...times), bytes };
}

/**
 * Seeds the history: one real run of webNoop, then `count - 1` copies of its row (spread over the
 * past days, one in ten Failed) inserted with SQL.
 * @param {{ baseUrl: string, token: string, databaseUrl: string }} target
 * @param {number} count
 */
async function seedHistory({ baseUrl, token, databaseUrl }, count) {
  const started = performance.now();
  const run = await api(baseUrl, token, "POST", "/api/workflows/execute", 200, {
    workflowName: "webNoop",
    inputData: {},
    sync: true,
  });
  if (run.status !== "Success")
    throw new Error(`the template run ended ${run.status}: ${JSON.stringify(run)}`);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO executions (workflow_id, workflow_name, status, organization_id, executed_by,
         executed_by_name, privileged, triggered_by, input_data, result, result_size, error, error_type,
         attempt, max_attempts, workspace_version, duration_ms, log_count, created_at, started_at,
         completed_at)
       SELECT t.workflow_id, t.workflow_name,
              CASE WHEN g % 10 = 0 THEN 'Failed' ELSE 'Success' END,
              t.organization_id, t.executed_by, t.executed_by_name, t.privileged, t.triggered_by,
              t.input_data, CASE WHEN g % 10 = 0 THEN NULL ELSE t.result END, t.result_size,
              CASE WHEN g % 10 = 0 THEN 'seeded failure' END, CASE WHEN g % 10 = 0 THEN 'Error' END,
              t.attempt, t.max_attempts, t.workspace_version, 5 + g % 300, 0,
              t.created_at - g * interval '13 seconds',
              t.created_at - g * interval '13 seconds' + interval '10 milliseconds',
              t.created_at - g * interval '13 seconds' + (15 + g % 300) * interval '1 millisecond'
         FROM executions t, generate_series(1, $2::int) g
        WHERE t.id = $1`,
      [run.executionId, count - 1],
    );
    await client.query("ANALYZE executions");
    const { rows } = await client.query("SELECT count(*)::int AS n FROM executions");
    return { total: /** @type {number} */ (rows[0].n), ms: performance.now() - started };
  } finally {
    await client.end();
  }
}

/**
 * 3. A run printing 1,000 lines/s; its execution page open while it runs; the page's frames.
 * @param {import("playwright-core").Browser} browser
 * @param {{ baseUrl: string, token: string, cookies: any[] }} session
 * @param {Options} options
 * @returns {Promise<import("./lib/frames.mjs").LogRun>}
 */
async function benchLogView(browser, { baseUrl, token, cookies }, options) {
  const expected = (options.logSeconds * 1000 * LINES_PER_TICK) / TICK_MS;
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    await context.addCookies(cookies);
    await context.addInitScript(PAGE_PROBE);
    const page = await context.newPage();
    // Warm the page's chunks first (a user opening a run usually has the app loaded).
    await page.goto(`${baseUrl}/executions`, { waitUntil: "load", timeout: WAIT_MS });
    const started = await api(baseUrl, token, "POST", "/api/workflows/execute", 202, {
      workflowName: "webLogStream",
      inputData: {},
    });
    const executionId = /** @type {string} */ (started.executionId);
    log(
      `[logs] run ${executionId} started (${expected} lines over ${options.logSeconds} s); opening its page`,
    );
    await page.goto(`${baseUrl}/executions/${executionId}`, { waitUntil: "commit", timeout: WAIT_MS });
    await waitForFirstLines(page);
    const stopProfile = await startProfile(context, page);
    const recorded = await recordLogFrames(page, {
      expected,
      maxMs: options.logSeconds * 1000 + 15_000,
      settleMs: 3_000,
    });
    const profile = await stopProfile();
    // The same page once the stream has ended: what it costs to just sit there.
    const after = frameStats(await rafFor(page, 2_000));
    // The run's own account of its lines.
    let detail = await api(baseUrl, token, "GET", `/api/executions/${executionId}`, 200);
    for (let i = 0; i < 50 && ["Pending", "Running", "Scheduled"].includes(detail.status); i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      detail = await api(baseUrl, token, "GET", `/api/executions/${executionId}`, 200);
    }
    // The lines the server stored, read like the page's catch-up does (up to 10,000 a page).
    let stored = 0;
    let cursor = "";
    for (let i = 0; i < 100; i++) {
      const page = await api(
        baseUrl,
        token,
        "GET",
        `/api/executions/${executionId}/logs${cursor ? `?cursor=${cursor}` : ""}`,
        200,
      );
      stored += page.items.length;
      if (!page.nextCursor || page.items.length === 0) break;
      cursor = encodeURIComponent(page.nextCursor);
    }
    const stats = frameStats(recorded.frames);
    return {
      ...stats,
      linesAtStart: recorded.linesAtStart,
      linesAtEnd: recorded.linesAtEnd,
      maxSequenceShown: recorded.maxSequenceShown,
      expected,
      apiLogCount: stored,
      apiStatus: String(detail.status),
      longTasks: recorded.longTasks,
      longTaskMs: recorded.longTaskMs,
      samples: recorded.samples,
      profile,
      afterFps: after.fps,
    };
  } finally {
    await context.close();
  }
}

/**
 * The deployment, then every browser measurement.
 * @param {string} tmpRoot
 * @param {string} webDir
 * @param {Options} options
 * @param {Report} report
 */
async function benchDeployment(tmpRoot, webDir, options, report) {
  const databaseName = `bifrost_web_${process.pid}`;
  const database = createBenchDatabase(services.postgres, databaseName);
  const namespace = `benchweb-${process.pid}`;
  const deleteQueues = registerQueueCleanup(services.rabbitmq, namespace);
  const apiPort = await freePort();
  const baseUrl = `http://127.0.0.1:${apiPort}`;
  const tmpDir = path.join(tmpRoot, "tmp");
  mkdirSync(tmpDir, { recursive: true });
  const env = {
    TMPDIR: tmpDir,
    BIFROST_DATA_DIR: path.join(tmpRoot, "data"),
    BIFROST_MFA_REQUIRED: "false",
    BIFROST_LOG_LEVEL: "warn",
    BIFROST_LOGIN_RATE_LIMIT: "1000000",
    BIFROST_WEB_DIR: webDir,
    DATABASE_URL: database.url,
    REDIS_URL: services.redis,
    RABBITMQ_URL: services.rabbitmq,
    BIFROST_SECRET_KEY: randomBytes(36).toString("base64url"),
    BIFROST_NAMESPACE: namespace,
    BIFROST_API_URL: baseUrl,
  };
  log(
    `\n[deploy] database ${databaseName}, namespace ${namespace}; api and worker (output: ${tmpRoot}/*.log)`,
  );
  try {
    const apiServer = await startRole("api", env, path.join(tmpRoot, "api.log"), apiPort);
    const worker = await startRole("worker", env, path.join(tmpRoot, "worker.log"));
    try {
      log(`[deploy] api pid ${apiServer.pid} on ${baseUrl}, worker pid ${worker.pid}`);
      const { token, cookies } = await signInFirstAdminWithCookies(baseUrl);
      const written = await api(baseUrl, token, "PUT", "/api/files/editor/content", 200, {
        path: WORKFLOW_PATH,
        content: workflowSource(options.logSeconds),
      });
      const names = (written.workflows ?? []).map((/** @type {{ name: string }} */ w) => w.name);
      for (const name of ["webNoop", "webLogStream"]) {
        if (!names.includes(name))
          throw new Error(`${WORKFLOW_PATH} defines [${names.join(", ")}], not ${name}`);
      }
      const session = { baseUrl, token, cookies };

      const { browser, version } = await launchBrowser();
      report.chromium = `Chromium ${version} (${CHROMIUM_PATH})`;
      log(`[browser] ${report.chromium}, flags: ${CHROMIUM_ARGS.join(" ")}`);
      report.idleFps = await idleFrameRate(browser);
      log(
        `[browser] rAF on an empty page: ${fixed(report.idleFps.fps, 1)} fps over ${report.idleFps.frames} frames`,
      );

      // 1b. What the browser downloads on a cold /login (signed out).
      {
        const context = await browser.newContext();
        try {
          const page = await context.newPage();
          const scripts = recordScripts(page);
          await page.goto(`${baseUrl}/login`, { waitUntil: "load", timeout: WAIT_MS });
          await page
            .locator('input[type="password"]')
            .first()
            .waitFor({ state: "visible", timeout: WAIT_MS });
          await page.waitForLoadState("networkidle", { timeout: WAIT_MS });
          report.downloads.login = await scripts();
          log(`[size] cold /login downloads ${describeDownload(report.downloads.login)}`);
        } finally {
          await context.close();
        }
      }

      // 2. The history.
      const seeded = await seedHistory({ baseUrl, token, databaseUrl: database.url }, options.executions);
      log(`[history] ${seeded.total} executions in the database (seeded in ${fixed(seeded.ms, 0)} ms)`);
      if (seeded.total < options.executions) {
        report.notes.push(`only ${seeded.total} executions in the database, not ${options.executions}`);
      }
      report.apiFirstPage = await timeApi(baseUrl, token, "/api/executions?limit=50", 20);
      log(
        `[history] GET /api/executions?limit=50 from node, 20 sequential: median ${fixed(report.apiFirstPage.median, 1)} ms, ` +
          `max ${fixed(report.apiFirstPage.max, 1)} ms (${fixed(kb(report.apiFirstPage.bytes), 1)} KB JSON)`,
      );
      const warm = await loadHistory(browser, session);
      await warm.close();
      log(`[history] warm-up load (untimed): ${describeTti(warm.run)}`);
      report.downloads.executions = warm.run.download;
      log(`[size] cold /executions (signed in) downloads ${describeDownload(warm.run.download)}`);
      for (let i = 0; i < options.runs; i++) {
        const loaded = await loadHistory(browser, session);
        report.tti.push(loaded.run);
        log(`[history] run ${i + 1}: ${describeTti(loaded.run)}`);
        if (i === options.runs - 1 && options.loadMore > 0) {
          report.loadMore = await benchLoadMore(loaded.page, options.loadMore);
        }
        await loaded.close();
      }

      // 3. The log view.
      report.logs = await benchLogView(browser, session, options);
      const l = report.logs;
      log(
        `[logs] ${l.frames} frames over ${fixed(l.windowMs / 1000, 2)} s: ${fixed(l.fps, 1)} fps, ` +
          `${l.over20} frames > ${DROPPED_FRAME_MS} ms, ${l.over50} > ${JANK_FRAME_MS} ms, p99 ${fixed(l.p99, 1)} ms, ` +
          `max ${fixed(l.maxFrame, 1)} ms; ${l.longTasks} long tasks (${fixed(l.longTaskMs, 0)} ms)`,
      );
      log(
        `[logs] lines in the view: ${l.linesAtStart} when the window opened, ${l.linesAtEnd} at the end ` +
          `(newest rendered #${l.maxSequenceShown}); expected ${l.expected}; the API says ${l.apiLogCount} (${l.apiStatus})`,
      );
      log(
        `[logs] lines over time (s: lines): ${l.samples
          .filter((_, i) => i % 4 === 0)
          .map(([t, n]) => `${fixed(t / 1000, 1)}: ${n}`)
          .join(", ")}`,
      );
      const p = l.profile;
      log(
        `[logs] the page's main thread in the window (V8 profile, ${fixed(p.totalMs, 0)} ms sampled): ` +
          `idle ${fixed(p.idleMs, 0)} ms, native (style/layout/paint/parse) ${fixed(p.programMs, 0)} ms, ` +
          `GC ${fixed(p.gcMs, 0)} ms; ${p.wsFrames} WebSocket frames received (${fixed(kb(p.wsBytes), 0)} KB)`,
      );
      log(
        `[logs] JavaScript self time by script: ${p.byScript.map((b) => `${b.name} ${fixed(b.ms, 0)} ms`).join(", ")}`,
      );
      log(`[logs] top functions (self time):`);
      for (const f of p.top) log(`    ${fixed(f.ms, 0).padStart(6)} ms  ${f.name}`);
      log(`[logs] the same page after the stream ended: ${fixed(l.afterFps, 1)} fps`);
      if (l.linesAtEnd <= l.linesAtStart) {
        throw new Error(
          `the log view did not grow during the measurement (${l.linesAtStart} lines at both ends): the frame rate measured nothing`,
        );
      }
      if (l.linesAtEnd < l.expected) {
        report.notes.push(
          `the log view showed ${l.linesAtEnd} of ${l.expected} lines when the measurement ended`,
        );
      }
    } finally {
      await runCleanupOf([worker, apiServer]);
    }
  } finally {
    await deleteQueues().catch((/** @type {unknown} */ e) =>
      console.error(`bench: could not delete the queues: ${e}`),
    );
    await database.drop();
  }
}

/** @param {ServerProcess[]} servers */
async function runCleanupOf(servers) {
  for (const server of servers) if (server.alive) await server.stop(10_000);
}

/** @param {number[]} values */
const loadavg = (values) => values.map((v) => v.toFixed(2)).join(" ");

/**
 * @param {Report} report
 * @param {Options} options
 */
function printReport(report, options) {
  log(`\n${"=".repeat(100)}`);
  log(
    `Bifrost web client bench (${report.chromium || "no browser"}; node ${process.version}, ${os.cpus().length} CPUs, ` +
      `load average (1/5/15 min) at start ${loadavg(report.loadavgAtStart)}, at end ${loadavg(os.loadavg())}). ` +
      "KB = 1024 bytes; sizes are gzip -9.",
  );
  /** @type {Array<Array<string>>} */
  const rows = [];
  /** @param {boolean} ok */
  const met = (ok) => (ok ? "yes" : "NO");
  if (report.build) {
    const total = kb(sumGzip(report.build.initial));
    rows.push([
      `initial JS, from index.html (${report.build.initial.length} files)`,
      `${fixed(total, 1)} KB`,
      `<= ${GOALS.initialJsKb} KB`,
      met(total <= GOALS.initialJsKb),
    ]);
    const lazy = report.build.lazy[0];
    if (lazy)
      rows.push([`  largest lazy chunk: ${lazy.file}`, `${fixed(kb(lazy.gzip), 1)} KB`, "(info)", ""]);
  }
  for (const [label, d] of /** @type {const} */ ([
    ["JS downloaded, cold /login", report.downloads.login],
    ["JS downloaded, cold /executions signed in", report.downloads.executions],
  ])) {
    if (d)
      rows.push([
        `${label} (${d.files} files)`,
        `${fixed(kb(d.gzip), 1)} KB`,
        `<= ${GOALS.initialJsKb} KB`,
        met(kb(d.gzip) <= GOALS.initialJsKb),
      ]);
  }
  if (report.tti.length > 0) {
    const tti = report.tti.map((r) => r.ttiMs);
    const rowsMs = report.tti.map((r) => r.rowsMs);
    const max = Math.max(...tti);
    rows.push(
      [
        `history (${options.executions} executions): rows shown, median of ${tti.length}`,
        `${fixed(median(rowsMs), 0)} ms`,
        "",
        "",
      ],
      [
        "  of which GET /api/executions?limit=50 (server, median from node)",
        report.apiFirstPage ? `${fixed(report.apiFirstPage.median, 0)} ms` : "n/a",
        "(info)",
        "",
      ],
      [
        `history TTI, median of ${tti.length}`,
        `${fixed(median(tti), 0)} ms`,
        `<= ${GOALS.historyTtiMs} ms`,
        met(median(tti) <= GOALS.historyTtiMs),
      ],
      [
        `history TTI, max of ${tti.length}`,
        `${fixed(max, 0)} ms`,
        `<= ${GOALS.historyTtiMs} ms`,
        met(max <= GOALS.historyTtiMs),
      ],
    );
  }
  if (report.loadMore.length > 0) {
    const painted = report.loadMore.map((s) => s.paintedMs);
    const last = report.loadMore[report.loadMore.length - 1];
    rows.push([
      `"Load more" per page, median of ${painted.length} (max; up to ${last.after} rows)`,
      `${fixed(median(painted), 0)} ms (${fixed(Math.max(...painted), 0)})`,
      "(info)",
      "",
    ]);
  }
  if (report.idleFps)
    rows.push(["rAF rate of an empty page (ceiling)", `${fixed(report.idleFps.fps, 1)} fps`, "(info)", ""]);
  if (report.logs) {
    const l = report.logs;
    rows.push(
      [
        `log view while streaming, ${fixed(l.windowMs / 1000, 1)} s window: average`,
        `${fixed(l.fps, 1)} fps`,
        `>= ${GOALS.logFps} fps`,
        met(l.fps >= GOALS.logFps),
      ],
      [
        `  frames > ${DROPPED_FRAME_MS} ms (dropped) / > ${JANK_FRAME_MS} ms, of ${l.frames}`,
        `${l.over20} / ${l.over50}`,
        "",
        "",
      ],
      ["  frame time p99 / max", `${fixed(l.p99, 1)} / ${fixed(l.maxFrame, 1)} ms`, "", ""],
      [
        "  main thread busy in the window (JS self / native / GC)",
        `${fixed(100 - (l.profile.idleMs * 100) / Math.max(1, l.profile.totalMs), 0)} % (${fixed(
          l.profile.totalMs - l.profile.idleMs - l.profile.programMs - l.profile.gcMs,
          0,
        )} / ${fixed(l.profile.programMs, 0)} / ${fixed(l.profile.gcMs, 0)} ms)`,
        "(info)",
        "",
      ],
      ["  same page after the stream ended", `${fixed(l.afterFps, 1)} fps`, "(info)", ""],
      [
        "  lines in the view at the end (lines stored, API)",
        `${l.linesAtEnd} of ${l.expected} (${l.apiLogCount})`,
        `${l.expected}`,
        met(l.linesAtEnd >= l.expected),
      ],
    );
  }
  if (rows.length > 0) {
    log("");
    log(formatTable(["measurement", "measured", "goal", "met?"], rows, ["left", "right", "left", "left"]));
  }
  if (report.tti.length > 0) {
    log("\nHistory loads (ms from navigation start)\n");
    log(
      formatTable(
        [
          "run",
          "html",
          "JS loaded",
          "API calls before the rows (start-end)",
          "rows",
          "long tasks (start+ms)",
          "TTI",
        ],
        report.tti.map((r, i) => [
          String(i + 1),
          fixed(r.htmlMs, 0),
          fixed(r.jsMs, 0),
          r.requests
            .map((q) => `${q.name.replace(/\?.*/, "")} ${fixed(q.start, 0)}-${fixed(q.end, 0)}`)
            .join(", "),
          fixed(r.rowsMs, 0),
          r.tasks.map((t) => `${fixed(t.start, 0)}+${fixed(t.duration, 0)}`).join(", ") || "none",
          fixed(r.ttiMs, 0),
        ]),
        ["right", "right", "right", "left", "right", "right", "right"],
      ),
    );
  }
  const cores = os.cpus().length;
  const busiest = Math.max(report.loadavgAtStart[0], os.loadavg()[0]);
  if (busiest > cores) {
    report.notes.push(
      `the machine was busy (1-minute load average up to ${busiest.toFixed(1)} on ${cores} CPUs): the browser, ` +
        "the servers and the services share the CPUs with other work, so times are pessimistic and the frame rate " +
        "varies from run to run; compare the main-thread busy share and the empty-page ceiling",
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

async function main() {
  let options;
  try {
    options = parseCli();
  } catch (error) {
    console.error(`bench: ${error instanceof Error ? error.message : error}\n\n${USAGE}`);
    return 2;
  }
  const webDir = path.resolve(process.env.BIFROST_WEB_DIR ?? path.join(REPO_ROOT, "apps/web/dist"));
  /** @type {Report} */
  const report = {
    build: null,
    downloads: { login: null, executions: null },
    tti: [],
    loadMore: [],
    logs: null,
    idleFps: null,
    apiFirstPage: null,
    notes: [],
    failures: [],
    chromium: "",
    loadavgAtStart: os.loadavg(),
  };
  const tmpRoot = mkdtempSync(path.join(os.tmpdir(), "bifrost-web-bench-"));
  onCleanup(`remove ${tmpRoot}`, () => rmSync(tmpRoot, { recursive: true, force: true }));
  log(
    `web bench: client ${webDir}; ${options.executions} executions, ${options.runs} runs; temp dir ${tmpRoot}`,
  );
  try {
    if (!existsSync(path.join(webDir, "index.html"))) {
      throw new Error(`${webDir}/index.html is missing: build the client first (npm run build)`);
    }
    benchStaticSize(webDir, report);
    await benchDeployment(tmpRoot, webDir, options, report);
  } catch (error) {
    report.failures.push(
      error instanceof ServerProcessError
        ? error.message
        : error instanceof Error
          ? (error.stack ?? error.message)
          : String(error),
    );
    console.error("bench: the web bench failed; details at the end");
  } finally {
    await runCleanup();
    printReport(report, options);
  }
  return report.failures.length > 0 ? 1 : 0;
}

process.exitCode = await main();
