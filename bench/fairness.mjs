// Fairness between organizations at full scale (issue 20): the distributed deployment (api,
// scheduler and two workers on PostgreSQL, Redis and RabbitMQ); organization A queues a backlog of
// runs, then organization B queues one run at a few points of A's backlog. Prints how long each of
// B's runs waited to start, how much of A's backlog was done by then, and A's throughput.
// Run from the repository root after a build: `node bench/fairness.mjs [--backlog 5000] [--run-ms 50]`.
import http from "node:http";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import pg from "pg";
import { requestJson } from "./lib/auth.mjs";
import { onCleanup, runCleanup } from "./lib/cleanup.mjs";
import { closedLoop, signInFirstAdmin } from "./lib/engine-api.mjs";
import { createBenchDatabase } from "./lib/postgres.mjs";
import { registerQueueCleanup } from "./lib/rabbitmq.mjs";
import { freePort, ServerProcess, startBackgroundRole } from "./lib/server.mjs";
import { count, fixed, formatTable, log } from "./lib/table.mjs";

const USAGE = `Usage: node bench/fairness.mjs [--backlog <n>] [--run-ms <ms>] [--probes <n>] [--server-root <dir>]

  --backlog <n>        runs organization A queues (default 5000)
  --run-ms <ms>        how long each of A's runs takes (default 200)
  --probes <n>         runs organization B queues, one at a time, 5 s apart, once A has queued
                       its backlog (default 3)
  --server-root <dir>  the checkout whose server runs (default: this one), e.g. an earlier commit's
                       worktree for a before/after figure`;

const PROBE_EVERY_MS = 5_000;

const services = {
  postgres: process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432",
  redis: process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379",
  rabbitmq: process.env.BENCH_RABBITMQ_URL ?? "amqp://guest:guest@127.0.0.1:5672",
};

const WORKFLOWS = `import { workflow, z } from "@bifrost/sdk";

export const work = workflow({
  params: z.object({ ms: z.number().int() }),
  async run({ ms }) {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return { ms };
  },
});
`;

/**
 * @param {pg.Pool} pool
 * @param {string} organizationId
 */
async function progressOf(pool, organizationId) {
  const { rows } = await pool.query(
    `select count(*) filter (where completed_at is not null)::int as done,
            count(*) filter (where status = 'Pending' and queued_at is null)::int as waiting
       from executions where organization_id = $1`,
    [organizationId],
  );
  return { done: Number(rows[0]?.done ?? 0), waiting: Number(rows[0]?.waiting ?? 0) };
}

async function main() {
  const { values } = parseArgs({
    options: {
      backlog: { type: "string", default: "5000" },
      "run-ms": { type: "string", default: "200" },
      "server-root": { type: "string" },
      probes: { type: "string", default: "3" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const backlog = Number(values.backlog);
  const runMs = Number(values["run-ms"]);
  const probes = Number(values.probes);
  const root = values["server-root"] ? path.resolve(values["server-root"]) : undefined;
  if (![backlog, runMs, probes].every((n) => Number.isInteger(n) && n > 0)) {
    console.error(`bench: --backlog, --run-ms and --probes take positive whole numbers\n\n${USAGE}`);
    return 2;
  }
  const tmpRoot = mkdtempSync(path.join(os.tmpdir(), "bifrost-fairness-bench-"));
  onCleanup(`remove ${tmpRoot}`, () => rmSync(tmpRoot, { recursive: true, force: true }));
  const databaseName = `bifrost_fairness_${process.pid}`;
  const database = createBenchDatabase(services.postgres, databaseName);
  onCleanup("drop the bench database", database.drop);
  const namespace = `benchfair-${process.pid}`;
  const deleteQueues = registerQueueCleanup(services.rabbitmq, namespace);
  onCleanup("delete the RabbitMQ queues", deleteQueues);
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  pool.on("error", () => undefined);
  onCleanup("close the PostgreSQL pool", () => pool.end());

  const apiPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  mkdirSync(path.join(tmpRoot, "tmp"), { recursive: true });
  const env = {
    TMPDIR: path.join(tmpRoot, "tmp"),
    BIFROST_DATA_DIR: path.join(tmpRoot, "data"),
    DATABASE_URL: database.url,
    REDIS_URL: services.redis,
    RABBITMQ_URL: services.rabbitmq,
    BIFROST_SECRET_KEY: randomBytes(36).toString("base64url"),
    BIFROST_NAMESPACE: namespace,
    BIFROST_MFA_REQUIRED: "false",
    BIFROST_LOG_LEVEL: "warn",
    BIFROST_API_URL: apiUrl,
  };
  log(`fairness bench: api, scheduler and two workers; logs in ${tmpRoot}`);
  const api = new ServerProcess(
    { label: "api", role: "api", env, logFile: path.join(tmpRoot, "api.log"), ...(root ? { root } : {}) },
    apiPort,
  );
  onCleanup("stop the api", () => api.stop(5_000));
  await api.waitReady();
  const roles = await Promise.all(
    /** @type {const} */ ([
      ["scheduler", "scheduler"],
      ["worker", "worker-1"],
      ["worker", "worker-2"],
    ]).map(([role, name]) => startBackgroundRole(name, role, env, path.join(tmpRoot, `${name}.log`), root)),
  );
  for (const server of roles) onCleanup(`stop ${server.options.label}`, () => server.stop(5_000));
  const token = await signInFirstAdmin(apiUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  /** @param {string} method @param {string} route @param {unknown} [body] */
  const call = async (method, route, body) => {
    const answer = await requestJson(apiUrl, method, route, { body, bearer: token, agent });
    if (answer.status >= 300)
      throw new Error(`${method} ${route} → ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  await call("PUT", "/api/files/editor/content", { path: "bench/fairness.ts", content: WORKFLOWS });
  const a = String((await call("POST", "/api/organizations", { name: "Backlog Inc" })).id);
  const b = String((await call("POST", "/api/organizations", { name: "Small Co" })).id);
  await sleep(11_000); // both workers' heartbeats are in: the dispatch window counts their pools
  // A server from before issue 20 has no queue route and no window.
  const window = await call("GET", "/api/platform/queue")
    .then((queue) => String(queue.dispatchWindow))
    .catch(() => "none");
  log(`dispatch window: ${window} runs per organization`);

  const submitted = await closedLoop(backlog, 32, async () => {
    const started = performance.now();
    try {
      const body = await call("POST", "/api/workflows/execute", {
        workflowName: "work",
        inputData: { ms: runMs },
        organizationId: a,
      });
      return {
        ok: true,
        ms: performance.now() - started,
        executionId: String(body.executionId),
        failure: "",
      };
    } catch (error) {
      return { ok: false, ms: performance.now() - started, executionId: "", failure: String(error) };
    }
  });
  const refused = submitted.answers.filter((r) => !r.ok);
  if (refused.length > 0) {
    const errors = readFileSync(path.join(tmpRoot, "api.log"), "utf8")
      .split("\n")
      .filter((line) => /"level":(50|60)/.test(line))
      .slice(0, 3);
    log(`the api's first errors:\n${errors.join("\n")}`);
  }
  log(
    `A queued ${count(backlog - refused.length)} runs in ${fixed(submitted.wallMs / 1000, 1)} s` +
      (refused.length > 0 ? ` (${refused.length} refused: ${refused[0]?.failure})` : ""),
  );

  /** @type {string[][]} */
  const rows = [];
  for (let probe = 0; probe < probes; probe++) {
    const before = await progressOf(pool, a);
    const answer = await call("POST", "/api/workflows/execute", {
      workflowName: "work",
      inputData: { ms: 10 },
      organizationId: b,
    });
    const id = String(answer.executionId);
    /** @type {{ created_at: Date, started_at: Date | null }} */
    let bRow;
    for (;;) {
      const { rows: found } = await pool.query(
        "select created_at, started_at from executions where id = $1",
        [id],
      );
      bRow = found[0];
      if (bRow?.started_at) break;
      await sleep(20);
    }
    const startedAt = /** @type {Date} */ (bRow.started_at);
    const { rows: doneRows } = await pool.query(
      "select count(*)::int as n from executions where organization_id = $1 and completed_at <= $2",
      [a, startedAt],
    );
    const doneAtStart = Number(doneRows[0]?.n ?? 0);
    const remaining = backlog - before.done;
    rows.push([
      String(probe + 1),
      count(before.done),
      count(remaining),
      `${fixed(startedAt.getTime() - bRow.created_at.getTime(), 0)} ms`,
      count(doneAtStart - before.done),
      `${fixed((100 * (doneAtStart - before.done)) / Math.max(1, remaining), 1)} %`,
    ]);
    if (probe < probes - 1) await sleep(PROBE_EVERY_MS);
  }
  for (;;) {
    const progress = await progressOf(pool, a);
    if (progress.done >= backlog - refused.length) break;
    await sleep(250);
  }
  const { rows: span } = await pool.query(
    `select extract(epoch from max(completed_at) - min(created_at)) * 1000 as ms,
            max(attempt) as attempts from executions where organization_id = $1`,
    [a],
  );
  const drainMs = Number(span[0]?.ms ?? 0);
  log(
    `\nB's runs while A's backlog ran (${count(backlog)} runs of ${runMs} ms, two workers, window ${window}):\n`,
  );
  log(
    formatTable(
      ["B run", "A done when B asked", "A left", "B waited", "A runs ended meanwhile", "of what was left"],
      rows,
    ),
  );
  log(
    `\nA's backlog: ${count(backlog)} runs from first accept to last end in ${fixed(drainMs / 1000, 1)} s ` +
      `(${fixed((backlog * 1000) / drainMs, 0)} runs/s; submitting took ${fixed(submitted.wallMs / 1000, 1)} s)`,
  );
  agent.destroy();
  return 0;
}

let code = 1;
try {
  code = await main();
} catch (error) {
  console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : error}`);
} finally {
  await runCleanup();
}
process.exit(code);
