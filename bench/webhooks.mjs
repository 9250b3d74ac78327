// Bifrost webhook-ingest benchmark: `POST /api/hooks/{sourceId}` with an HMAC-SHA256 signature, as
// many as the server takes (autocannon, several connections), on a source with a high rate limit
// and no subscriptions: what is measured is the receiver (source lookup, rate limit on the bus,
// signature check, one event row stored). Run from the repository root after a build:
// `node bench/webhooks.mjs` (also part of `npm run bench`). See bench/README.md.
import { createHmac } from "node:crypto";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import pg from "pg";
import { requestJson } from "./lib/auth.mjs";
import { runCleanup } from "./lib/cleanup.mjs";
import { signInFirstAdmin } from "./lib/engine-api.mjs";
import { fixed, formatTable, log } from "./lib/table.mjs";
import { startBenchServer } from "./lib/embedded-bench.mjs";

/** Goal (bench/README.md, issue "Triggers"). */
const GOAL_EVENTS_PER_S = 2_000;
const POSTGRES = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432";
const SECRET = "bench webhook secret";

const USAGE = `Usage: node bench/webhooks.mjs [--duration <s>] [--connections <n>]

  --duration <s>      measured window (default 10; a 2 s warm-up precedes it)
  --connections <n>   concurrent HTTP connections (default 32)

bifrost-server start on a fresh database of the machine's PostgreSQL (BENCH_POSTGRES_URL, default
${POSTGRES}), embedded queue and bus.`;

function parseCli() {
  const { values } = parseArgs({
    options: { duration: { type: "string" }, connections: { type: "string" }, help: { type: "boolean" } },
  });
  if (values.help) {
    log(USAGE);
    process.exit(0);
  }
  const durationS = Number(values.duration ?? 10);
  const connections = Number(values.connections ?? 32);
  if (!(durationS > 0) || !Number.isInteger(connections) || connections < 1) throw new Error("bad options");
  return { durationS, connections };
}

/**
 * Signed webhook posts for `durationS` seconds; answers autocannon's result.
 * @param {string} url
 * @param {number} connections
 * @param {number} durationS
 */
async function blast(url, connections, durationS) {
  const body = JSON.stringify({ action: "opened", ticket: { id: 42, title: "Printer on fire" } });
  const signature = `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;
  return await autocannon({
    url,
    method: "POST",
    connections,
    duration: durationS,
    timeout: 10,
    pipelining: 1,
    body,
    headers: { "content-type": "application/json", "x-signature": signature },
  });
}

async function main() {
  const options = parseCli();
  const { server, database } = await startBenchServer(
    POSTGRES,
    "webhooks",
    `webhooks bench: ${options.durationS} s, ${options.connections} connections`,
  );
  const pool = new pg.Pool({ connectionString: database.url, max: 1 });
  try {
    const bearer = await signInFirstAdmin(server.baseUrl);
    const created = await requestJson(server.baseUrl, "POST", "/api/events/sources", {
      bearer,
      body: { name: "bench", signatureHeader: "x-signature", secret: SECRET, rateLimitPerMinute: 1_000_000 },
    });
    if (created.status !== 201) throw new Error(`POST /api/events/sources: ${created.status}`);
    const url = `${server.baseUrl}/api/hooks/${created.body.id}`.replace("localhost", "127.0.0.1");

    log("warming up…");
    await blast(url, options.connections, 2);
    const before = Number((await pool.query("select count(*) as n from events")).rows[0].n);
    const result = await blast(url, options.connections, options.durationS);
    const stored = Number((await pool.query("select count(*) as n from events")).rows[0].n) - before;
    await server.assertAlive();
    const accepted = result.statusCodeStats?.["202"]?.count ?? 0;
    const perSecond = accepted / options.durationS;
    log("");
    log(
      formatTable(
        ["measure", "figure", "goal", "met"],
        [
          [
            "webhook events accepted (202) and stored, per second",
            `${fixed(perSecond, 0)} /s`,
            `≥ ${GOAL_EVENTS_PER_S}`,
            perSecond >= GOAL_EVENTS_PER_S ? "yes" : "NO",
          ],
          // Requests in flight when the window closes are stored but their answers are not counted.
          [
            "events stored in the window / 202 answers",
            `${stored} / ${accepted}`,
            "stored ≥ 202s",
            stored >= accepted ? "yes" : "NO",
          ],
          [
            "other answers, errors, timeouts",
            `${result.non2xx} / ${result.errors} / ${result.timeouts}`,
            "0",
            "",
          ],
          [
            "latency p50 / p99",
            `${fixed(result.latency.p50, 1)} / ${fixed(result.latency.p99, 1)} ms`,
            "",
            "",
          ],
        ],
      ),
    );
    return 0;
  } finally {
    await pool.end();
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
