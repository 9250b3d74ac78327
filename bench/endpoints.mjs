// Bifrost workflow-endpoint benchmark: `POST /api/endpoints/{workflowName}` in sync mode with an
// `X-Bifrost-Key` (key check, input validation, the run as the system user, its result), one request
// at a time. Run from the repository root after a build: `node bench/endpoints.mjs` (also part of
// `npm run bench`). See bench/README.md.
import http from "node:http";
import { parseArgs } from "node:util";
import { requestJson } from "./lib/auth.mjs";
import { runCleanup } from "./lib/cleanup.mjs";
import { signInFirstAdmin } from "./lib/engine-api.mjs";
import { percentile } from "./lib/load.mjs";
import { fixed, formatTable, log } from "./lib/table.mjs";
import { startBenchServer, writeWorkspaceFile } from "./lib/embedded-bench.mjs";

/** Goal (bench/README.md, issue "Triggers"). */
const GOAL_P50_MS = 10;
const POSTGRES = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432";
const WARMUP = 100;

const USAGE = `Usage: node bench/endpoints.mjs [--requests <n>]

  --requests <n>   endpoint calls timed, one at a time, after ${WARMUP} warm-up calls (default 1000)

bifrost-server start on a fresh database of the machine's PostgreSQL (BENCH_POSTGRES_URL, default
${POSTGRES}), embedded queue and bus.`;

const WORKFLOWS = `import { workflow, z } from "@bifrost/sdk";

export const benchEndpoint = workflow({
  params: z.object({ n: z.number().int() }),
  run: ({ n }) => ({ n }),
});
`;

function parseCli() {
  const { values } = parseArgs({ options: { requests: { type: "string" }, help: { type: "boolean" } } });
  if (values.help) {
    log(USAGE);
    process.exit(0);
  }
  const requests = Number(values.requests ?? 1_000);
  if (!Number.isInteger(requests) || requests < 1) throw new Error("--requests must be a positive integer");
  return { requests };
}

/**
 * One endpoint call with the key; answers the status, the parsed body and the time.
 * @param {string} baseUrl
 * @param {string} key
 * @param {http.Agent} agent
 * @param {unknown} body
 * @returns {Promise<{ status: number, body: any, ms: number }>}
 */
function callEndpoint(baseUrl, key, agent, body) {
  const payload = Buffer.from(JSON.stringify(body));
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.request(
      new URL("/api/endpoints/benchEndpoint?n=1", baseUrl),
      {
        method: "POST",
        agent,
        timeout: 10_000,
        headers: {
          accept: "application/json",
          "content-type": "application/json",
          "content-length": payload.length,
          "x-bifrost-key": key,
        },
      },
      (response) => {
        /** @type {Buffer[]} */
        const chunks = [];
        response.on("data", (chunk) => chunks.push(chunk));
        response.on("error", reject);
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({
            status: response.statusCode ?? 0,
            body: JSON.parse(text),
            ms: performance.now() - started,
          });
        });
      },
    );
    request.on("timeout", () => request.destroy(new Error("no answer within 10 s")));
    request.on("error", reject);
    request.end(payload);
  });
}

async function main() {
  const options = parseCli();
  const { server } = await startBenchServer(
    POSTGRES,
    "endpoints",
    `endpoints bench: ${options.requests} sync calls`,
  );
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const bearer = await signInFirstAdmin(server.baseUrl);
    const call = (
      /** @type {"POST" | "PATCH"} */ method,
      /** @type {string} */ route,
      /** @type {unknown} */ body,
    ) => requestJson(server.baseUrl, method, route, { body, bearer, agent });
    const workflows = await writeWorkspaceFile(server.baseUrl, bearer, "bench/endpoints.ts", WORKFLOWS);
    const workflowId = workflows.find((w) => w.name === "benchEndpoint")?.id;
    const patched = await call("PATCH", `/api/workflows/${workflowId}`, { endpointEnabled: true });
    if (patched.status !== 200)
      throw new Error(`PATCH workflow: ${patched.status} ${JSON.stringify(patched.body)}`);
    const created = await call("POST", "/api/workflow-keys", { workflowId });
    if (created.status !== 201) throw new Error(`POST /api/workflow-keys: ${created.status}`);
    const key = created.body.key;

    const send = () => callEndpoint(server.baseUrl, key, agent, { n: 2 });
    const times = [];
    log("warming up…");
    for (let i = 0; i < WARMUP + options.requests; i++) {
      const answer = await send();
      if (answer.status !== 200 || answer.body?.result?.n !== 2) {
        throw new Error(`unexpected answer ${answer.status}: ${JSON.stringify(answer.body)}`);
      }
      if (i >= WARMUP) times.push(answer.ms);
    }
    times.sort((a, b) => a - b);
    await server.assertAlive();
    const p50 = percentile(times, 50);
    log("");
    log(
      formatTable(
        ["measure", "figure", "goal", "met"],
        [
          [
            "endpoint call, sync, trivial workflow p50",
            `${fixed(p50, 2)} ms`,
            `≤ ${GOAL_P50_MS}`,
            p50 <= GOAL_P50_MS ? "yes" : "NO",
          ],
          [
            "endpoint call p99 / max",
            `${fixed(percentile(times, 99), 2)} / ${fixed(times.at(-1) ?? 0, 2)} ms`,
            "",
            "",
          ],
        ],
      ),
    );
    return 0;
  } finally {
    agent.destroy();
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
