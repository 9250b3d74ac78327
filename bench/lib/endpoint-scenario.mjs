// The webhook-style endpoint scenario of the engine bench (`--peer n8n`): `POST` a small JSON body,
// a workflow adds 1 to a field and the answer carries the result, at 1 and 10 connections with
// autocannon — on Bifrost's `POST /api/endpoints/{name}` (sync, a workflow key) and on n8n's webhook
// (webhook → Set, its default regular mode), each alone on the machine. n8n is installed and started
// by the peers' script (../shared/peers/n8n/run.sh), which puts a Node ≤ 24 first on its own PATH.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import autocannon from "autocannon";
import { requestJson } from "./auth.mjs";
import { writeWorkspaceFile } from "./embedded-bench.mjs";
import { REPO_ROOT } from "./server.mjs";
import { log } from "./table.mjs";

const SCENARIO_CONNECTIONS = [1, 10];
const N8N_SCRIPT = path.resolve(REPO_ROOT, "../shared/peers/n8n/run.sh");
const N8N_URL = "http://127.0.0.1:5678/webhook/bench";

const ENDPOINT_WORKFLOW = `import { workflow, z } from "@bifrost/sdk";

export const benchWebhook = workflow({
  params: z.object({ n: z.number() }),
  run: ({ n }) => ({ ok: n + 1 }),
});
`;

/**
 * @typedef {{ target: string, connections: number, requestsPerS: number, p50: number, p99: number,
 *   errors: number, non2xx: number }} ScenarioRow
 */

/**
 * autocannon against `url` for `durationS` seconds per connection count.
 * @param {string} target
 * @param {string} url
 * @param {Record<string, string>} headers
 * @param {number} durationS
 * @returns {Promise<ScenarioRow[]>}
 */
async function load(target, url, headers, durationS) {
  /** @type {ScenarioRow[]} */
  const rows = [];
  for (const connections of SCENARIO_CONNECTIONS) {
    const common = { url, method: /** @type {const} */ ("POST"), headers, body: '{"n":1}', connections };
    // A short warm-up (JIT, pools, warm children), then the measured window.
    await autocannon({ ...common, duration: 2 });
    const result = await autocannon({ ...common, duration: durationS });
    const row = {
      target,
      connections,
      requestsPerS: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: result.errors + result.timeouts,
      non2xx: result.non2xx,
    };
    rows.push(row);
    log(
      `[peer ${target}] ${connections} connection(s): ${row.requestsPerS.toFixed(1)} req/s, p50 ${row.p50} ms, ` +
        `p99 ${row.p99} ms, ${row.errors} errors, ${row.non2xx} not 2xx`,
    );
  }
  return rows;
}

/**
 * The scenario on a running Bifrost: writes the workflow, enables its endpoint (sync), makes a key.
 * @param {string} baseUrl
 * @param {string} bearer
 * @param {number} durationS
 */
export async function bifrostScenario(baseUrl, bearer, durationS) {
  const workflows = await writeWorkspaceFile(baseUrl, bearer, "bench/webhook.ts", ENDPOINT_WORKFLOW);
  const workflowId = workflows.find((w) => w.name === "benchWebhook")?.id;
  const patched = await requestJson(baseUrl, "PATCH", `/api/workflows/${workflowId}`, {
    body: { endpointEnabled: true, executionMode: "sync" },
    bearer,
  });
  if (patched.status !== 200) throw new Error(`PATCH workflow: ${patched.status}`);
  const created = await requestJson(baseUrl, "POST", "/api/workflow-keys", { body: { workflowId }, bearer });
  if (created.status !== 201) throw new Error(`POST /api/workflow-keys: ${created.status}`);
  const headers = { "content-type": "application/json", "x-bifrost-key": created.body.key };
  return await load("bifrost", `${baseUrl}/api/endpoints/benchWebhook`, headers, durationS);
}

/**
 * Installs (once, into `dir`) and starts n8n with the peers' script, runs the scenario, stops it.
 * @param {string} dir
 * @param {number} durationS
 */
export async function n8nScenario(dir, durationS) {
  if (!existsSync(N8N_SCRIPT)) throw new Error(`the peers' script is missing: ${N8N_SCRIPT}`);
  log(`\n[peer n8n] installing (first time: minutes) and starting n8n in ${dir}`);
  const started = spawnSync("bash", [N8N_SCRIPT, dir], { stdio: "inherit" });
  if (started.status !== 0) throw new Error(`${N8N_SCRIPT} failed (${started.status}); see ${dir}/n8n.log`);
  const pid = Number(readFileSync(path.join(dir, "n8n.pid"), "utf8").trim());
  try {
    return await load("n8n", N8N_URL, { "content-type": "application/json" }, durationS);
  } finally {
    // setsid made n8n the leader of its own process group: stop the group, then make sure.
    try {
      process.kill(-pid, "SIGTERM");
    } catch {
      // Already gone.
    }
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // Exited on SIGTERM.
    }
  }
}
