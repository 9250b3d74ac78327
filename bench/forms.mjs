// Bifrost forms benchmark: `POST /api/forms/{id}/execute` (sync, a trivial workflow; the values are
// checked against the form's fields first) and `POST /api/forms/{id}/fields/{name}/options` of a
// data-provider select with a warm cache (the provider's answer is in the engine's data-provider
// cache). Run from the repository root after a build: `node bench/forms.mjs` (also part of
// `npm run bench`). See bench/README.md.
import http from "node:http";
import { parseArgs } from "node:util";
import { requestJson } from "./lib/auth.mjs";
import { runCleanup } from "./lib/cleanup.mjs";
import { signInFirstAdmin } from "./lib/engine-api.mjs";
import { percentile } from "./lib/load.mjs";
import { fixed, formatTable, log } from "./lib/table.mjs";
import { startBenchServer, writeWorkspaceFile } from "./lib/embedded-bench.mjs";

/** Goals (bench/README.md, issue "Integrations … and forms"). */
const GOALS = { executeP50Ms: 15, optionsP50Ms: 3 };
const POSTGRES = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432";
const WARMUP = 100;

const USAGE = `Usage: node bench/forms.mjs [--requests <n>]

  --requests <n>   requests timed per measure, one at a time, after ${WARMUP} warm-up requests (default 1000)

bifrost-server start on a fresh database of the machine's PostgreSQL (BENCH_POSTGRES_URL, default
${POSTGRES}), embedded queue and bus.`;

const WORKFLOWS = `import { dataProvider, workflow, z } from "@bifrost/sdk";

export const formTrivial = workflow({
  params: z.object({ note: z.string().optional(), licence: z.string().optional() }),
  run: () => ({ ok: true }),
});

export const formLicences = dataProvider({
  params: z.object({ tier: z.string().default("basic") }),
  run: ({ tier }) => [{ label: "E3", value: "E3" }, { label: tier, value: tier }],
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
 * Sends `count` requests one after the other and answers their sorted times; any other answer stops.
 * @param {number} count
 * @param {() => Promise<{ status: number, body: any, ms: number }>} send
 * @param {(answer: { status: number, body: any }) => boolean} ok
 */
async function timed(count, send, ok) {
  const times = [];
  for (let i = 0; i < count; i++) {
    const answer = await send();
    if (!ok(answer)) throw new Error(`unexpected answer ${answer.status}: ${JSON.stringify(answer.body)}`);
    times.push(answer.ms);
  }
  return times.sort((a, b) => a - b);
}

async function main() {
  const options = parseCli();
  const { server } = await startBenchServer(
    POSTGRES,
    "forms",
    `forms bench: ${options.requests} requests per measure`,
  );
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const bearer = await signInFirstAdmin(server.baseUrl);
    const call = (
      /** @type {"GET" | "POST"} */ method,
      /** @type {string} */ route,
      /** @type {unknown} */ body,
    ) => requestJson(server.baseUrl, method, route, { body, bearer, agent });
    const workflows = await writeWorkspaceFile(server.baseUrl, bearer, "bench/forms.ts", WORKFLOWS);
    const idOf = (/** @type {string} */ name) => workflows.find((w) => w.name === name)?.id;
    const created = await call("POST", "/api/forms", {
      name: "bench form",
      workflowId: idOf("formTrivial"),
      accessLevel: "authenticated",
      fields: [
        { name: "tier", label: "Tier", type: "text" },
        { name: "note", label: "Note", type: "text", required: true, validation: { maxLength: 100 } },
        {
          name: "licence",
          label: "Licence",
          type: "select",
          dataProvider: { workflowId: idOf("formLicences"), inputs: { tier: "{{ tier }}" } },
        },
      ],
    });
    if (created.status !== 201)
      throw new Error(`POST /api/forms: ${created.status} ${JSON.stringify(created.body)}`);
    const formId = created.body.id;

    // The execute measure has no data-provider value: it times the form checks and the sync run.
    const execute = () =>
      call("POST", `/api/forms/${formId}/execute`, { values: { note: "hello" }, sync: true });
    const executed = (/** @type {{ status: number, body: any }} */ a) =>
      a.status === 200 && a.body?.status === "Success";
    const options_ = () =>
      call("POST", `/api/forms/${formId}/fields/licence/options`, { values: { tier: "pro", note: "x" } });
    const listed = (/** @type {{ status: number, body: any }} */ a) =>
      a.status === 200 && a.body?.options?.length === 2;

    log("execute: warming up…");
    await timed(WARMUP, execute, executed);
    const executeTimes = await timed(options.requests, execute, executed);
    log("options: warming up (the first call fills the cache)…");
    await timed(WARMUP, options_, listed);
    const optionTimes = await timed(options.requests, options_, listed);
    await server.assertAlive();
    log("");
    log(
      formatTable(
        ["measure", "figure", "goal", "met"],
        [
          [
            "form execute, sync, trivial workflow p50",
            `${fixed(percentile(executeTimes, 50), 2)} ms`,
            `≤ ${GOALS.executeP50Ms}`,
            percentile(executeTimes, 50) <= GOALS.executeP50Ms ? "yes" : "NO",
          ],
          [
            "form execute p99 / max",
            `${fixed(percentile(executeTimes, 99), 2)} / ${fixed(executeTimes.at(-1) ?? 0, 2)} ms`,
            "",
            "",
          ],
          [
            "data-provider options, warm cache p50",
            `${fixed(percentile(optionTimes, 50), 2)} ms`,
            `≤ ${GOALS.optionsP50Ms}`,
            percentile(optionTimes, 50) <= GOALS.optionsP50Ms ? "yes" : "NO",
          ],
          [
            "options p99 / max",
            `${fixed(percentile(optionTimes, 99), 2)} / ${fixed(optionTimes.at(-1) ?? 0, 2)} ms`,
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
