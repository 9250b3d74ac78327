// Bifrost tables benchmark: bulk insert of documents through the SDK's `tables.insertBatch`, then
// `tables.query` with an equality filter and limit 100 on those documents, both from inside a workflow
// (the SDK calls the API over HTTP with the run's token, as in production). The workflow times its own
// calls and returns the figures. Run from the repository root after a build: `node bench/tables.mjs`
// (also part of `npm run bench`). See bench/README.md.
import { parseArgs } from "node:util";
import { runCleanup } from "./lib/cleanup.mjs";
import { signInFirstAdmin } from "./lib/engine-api.mjs";
import { runSql } from "./lib/postgres.mjs";
import { fixed, formatTable, log } from "./lib/table.mjs";
import { startBenchServer, writeWorkspaceFile } from "./lib/embedded-bench.mjs";

/** Goals (bench/README.md, issue "Workflow data"). */
const GOALS = { queryP50Ms: 5, insertDocsPerS: 20_000 };
const POSTGRES = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432";
/** Distinct values of the filtered field: each equality query matches documents / GROUPS documents. */
const GROUPS = 1_000;
const QUERY_WARMUP = 50;

const USAGE = `Usage: node bench/tables.mjs [--documents <n>] [--queries <n>]

  --documents <n>   documents inserted with tables.insertBatch (default 100000)
  --queries <n>     tables.query calls timed after ${QUERY_WARMUP} warm-up calls (default 1000)

bifrost-server start on a fresh database of the machine's PostgreSQL (BENCH_POSTGRES_URL, default
${POSTGRES}), embedded queue and bus.`;

const WORKFLOWS = `import { workflow, tables, z } from "@bifrost/sdk";

export const tablesBulkInsert = workflow({
  params: z.object({ documents: z.number().int(), groups: z.number().int() }),
  async run({ documents, groups }) {
    const docs = Array.from({ length: documents }, (_, i) => ({
      data: { n: i, group: "g" + (i % groups), name: "document " + i, active: i % 2 === 0 },
    }));
    const started = performance.now();
    const ids = await tables.insertBatch("bench", docs);
    const ms = performance.now() - started;
    return { inserted: ids.length, ms, count: await tables.count("bench") };
  },
});

export const tablesQuery = workflow({
  params: z.object({ queries: z.number().int(), warmup: z.number().int(), groups: z.number().int() }),
  async run({ queries, warmup, groups }) {
    const times = [];
    let items = 0;
    for (let i = 0; i < warmup + queries; i++) {
      const started = performance.now();
      const page = await tables.query("bench", { where: { group: "g" + ((i * 7) % groups) }, limit: 100 });
      const ms = performance.now() - started;
      if (i >= warmup) {
        times.push(ms);
        items += page.items.length;
      }
    }
    times.sort((a, b) => a - b);
    const at = (p) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))];
    return { queries, items, p50: at(50), p90: at(90), p99: at(99), max: times[times.length - 1] };
  },
});
`;

function parseCli() {
  const { values } = parseArgs({
    options: { documents: { type: "string" }, queries: { type: "string" }, help: { type: "boolean" } },
  });
  if (values.help) {
    log(USAGE);
    process.exit(0);
  }
  const documents = Number(values.documents ?? 100_000);
  const queries = Number(values.queries ?? 1_000);
  if (!Number.isInteger(documents) || documents < GROUPS) throw new Error(`--documents must be ≥ ${GROUPS}`);
  if (!Number.isInteger(queries) || queries < 1) throw new Error("--queries must be a positive integer");
  return { documents, queries };
}

/**
 * POST with a JSON body and a bearer token; long timeout (a bulk insert run takes seconds).
 * @param {string} baseUrl
 * @param {string} token
 * @param {string} route
 * @param {unknown} body
 */
async function postJson(baseUrl, token, route, body) {
  const response = await fetch(new URL(route, baseUrl), {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(600_000),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, text };
}

/**
 * Runs a bench workflow synchronously and answers its result.
 * @param {{ baseUrl: string, token: string }} target
 * @param {string} workflowName
 * @param {Record<string, unknown>} inputData
 */
async function runWorkflow({ baseUrl, token }, workflowName, inputData) {
  const answer = await postJson(baseUrl, token, "/api/workflows/execute", {
    workflowName,
    inputData,
    sync: true,
  });
  if (answer.status !== 200 || answer.body?.status !== "Success") {
    throw new Error(`${workflowName} answered ${answer.status}: ${answer.text.slice(0, 500)}`);
  }
  return answer.body.result;
}

async function main() {
  const options = parseCli();
  const { server, database } = await startBenchServer(
    POSTGRES,
    "tables",
    `tables bench: ${options.documents} documents, ${options.queries} queries`,
  );
  try {
    const token = await signInFirstAdmin(server.baseUrl);
    await writeWorkspaceFile(server.baseUrl, token, "bench/tables.ts", WORKFLOWS);
    const target = { baseUrl: server.baseUrl, token };

    log("inserting…");
    const insert = await runWorkflow(target, "tablesBulkInsert", {
      documents: options.documents,
      groups: GROUPS,
    });
    if (insert.count !== options.documents) throw new Error(`the table holds ${insert.count} documents`);
    const docsPerS = (insert.inserted / insert.ms) * 1000;
    const perQuery = options.documents / GROUPS;
    const queryRun = async () => {
      const figures = await runWorkflow(target, "tablesQuery", {
        queries: options.queries,
        warmup: QUERY_WARMUP,
        groups: GROUPS,
      });
      const expected = figures.queries * Math.min(100, perQuery);
      if (figures.items !== expected) {
        throw new Error(`queries answered ${figures.items} items, expected ${expected}`);
      }
      return figures;
    };
    // Right after the bulk load PostgreSQL has no statistics of the new rows yet: the planner may
    // scan the whole table instead of the GIN index until autovacuum's auto-analyze (within about a
    // minute by default) catches up. Both figures are reported; the goal is about the steady state.
    log("querying right after the load…");
    const cold = await queryRun();
    runSql(database.url, "ANALYZE documents");
    log("querying after ANALYZE…");
    const query = await queryRun();
    await server.assertAlive();
    log("");
    log(
      formatTable(
        ["measure", "figure", "goal", "met"],
        [
          [
            `insertBatch ${insert.inserted} docs (${fixed(insert.ms / 1000, 2)} s)`,
            `${Math.round(docsPerS)} docs/s`,
            `≥ ${GOALS.insertDocsPerS}`,
            docsPerS >= GOALS.insertDocsPerS ? "yes" : "NO",
          ],
          [
            `query equality, limit 100 (${perQuery} match) p50, after ANALYZE`,
            `${fixed(query.p50, 2)} ms`,
            `≤ ${GOALS.queryP50Ms}`,
            query.p50 <= GOALS.queryP50Ms ? "yes" : "NO",
          ],
          [
            "query p90 / p99 / max",
            `${fixed(query.p90, 2)} / ${fixed(query.p99, 2)} / ${fixed(query.max, 2)} ms`,
            "",
            "",
          ],
          [
            "query p50 / p99 right after the load, before ANALYZE",
            `${fixed(cold.p50, 2)} / ${fixed(cold.p99, 2)} ms`,
            "",
            "",
          ],
        ],
      ),
    );
    return 0;
  } finally {
    await server.stop(10_000);
    await runCleanup();
  }
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : error}\n\n${USAGE}`);
  await runCleanup();
  process.exitCode = 1;
}
