// The API calls of the execution-engine bench: the first admin with MFA off, the bench workflows
// written through the workspace editor, runs started through POST /api/workflows/execute, and a
// closed loop of requests (each lane sends its next request when its answer has arrived).
import { requestJson } from "./auth.mjs";

/** The bench workflows, one workspace file (TypeScript, as a user would write it in the editor). */
const BENCH_WORKFLOW_PATH = "bench/engine.ts";
export const LOG_LINES_PER_RUN = 100;
const BENCH_WORKFLOWS = `import { workflow, z } from "@bifrost/sdk";

export const trivial = workflow({
  async run() {
    return { ok: true };
  },
});

export const chatty = workflow({
  params: z.object({}),
  async run(_params, ctx) {
    for (let i = 1; i <= ${LOG_LINES_PER_RUN}; i++) ctx.log.info("bench log line " + i);
    return { lines: ${LOG_LINES_PER_RUN} };
  },
});
`;

/**
 * Creates the first platform admin and signs in (the server runs with BIFROST_MFA_REQUIRED=false,
 * so the login answers the tokens at once). Returns the access token.
 * @param {string} baseUrl
 */
export async function signInFirstAdmin(baseUrl) {
  const admin = { email: "bench-admin@bench.example", password: "a long bench passphrase", name: "Bench" };
  const setup = await requestJson(baseUrl, "POST", "/auth/setup", { body: admin });
  if (setup.status !== 201)
    throw new Error(`POST /auth/setup answered ${setup.status}: ${brief(setup.body)}`);
  const login = await requestJson(baseUrl, "POST", "/auth/login", {
    body: { email: admin.email, password: admin.password },
  });
  if (login.status !== 200 || typeof login.body?.accessToken !== "string") {
    throw new Error(`POST /auth/login answered ${login.status} without tokens: ${brief(login.body)}`);
  }
  return /** @type {string} */ (login.body.accessToken);
}

/**
 * Writes the bench workflows through PUT /api/files/editor/content and checks that both were found.
 * @param {string} baseUrl
 * @param {string} token
 * @returns {Promise<string[]>} the workflow names the server discovered
 */
export async function writeBenchWorkflows(baseUrl, token) {
  const response = await fetch(`${baseUrl}/api/files/editor/content`, {
    method: "PUT",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ path: BENCH_WORKFLOW_PATH, content: BENCH_WORKFLOWS }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (response.status !== 200) {
    throw new Error(`PUT /api/files/editor/content answered ${response.status}: ${text.slice(0, 300)}`);
  }
  /** @type {{ workflows?: Array<{ name: string }> }} */
  const body = JSON.parse(text);
  const names = (body.workflows ?? []).map((w) => w.name);
  for (const expected of ["trivial", "chatty"]) {
    if (!names.includes(expected)) {
      throw new Error(
        `the workspace file defines [${names.join(", ")}], not "${expected}": ${text.slice(0, 300)}`,
      );
    }
  }
  return names;
}

/**
 * @typedef {object} RunAnswer
 * @property {boolean} ok        sync: 200 with status "Success"; async: 202 with an executionId
 * @property {number} ms         from sending the request to the end of the answer
 * @property {string} executionId
 * @property {string} failure    what was wrong, when not ok
 */

/**
 * POST /api/workflows/execute over `agent` (keep-alive); never rejects (a failed request is `ok: false`).
 * @param {{ baseUrl: string, token: string, agent: import("node:http").Agent }} target
 * @param {string} workflowName
 * @param {boolean} sync
 * @returns {Promise<RunAnswer>}
 */
export async function executeRun({ baseUrl, token, agent }, workflowName, sync) {
  const started = performance.now();
  try {
    const response = await requestJson(baseUrl, "POST", "/api/workflows/execute", {
      agent,
      bearer: token,
      body: sync ? { workflowName, inputData: {}, sync: true } : { workflowName, inputData: {} },
    });
    const executionId = typeof response.body?.executionId === "string" ? response.body.executionId : "";
    const ok = sync
      ? response.status === 200 && response.body?.status === "Success"
      : response.status === 202 && executionId !== "";
    return {
      ok,
      ms: response.ms,
      executionId,
      failure: ok ? "" : `${response.status} ${brief(response.body)}`,
    };
  } catch (error) {
    return {
      ok: false,
      ms: performance.now() - started,
      executionId: "",
      failure: error instanceof Error ? error.message : String(error),
    };
  }
}

/**
 * Sends `count` requests, `concurrency` at a time (each lane waits for its answer before the next).
 * @param {number} count
 * @param {number} concurrency
 * @param {() => Promise<RunAnswer>} send
 */
export async function closedLoop(count, concurrency, send) {
  /** @type {RunAnswer[]} */
  const answers = [];
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < count) {
      next += 1;
      answers.push(await send());
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return { answers, wallMs: performance.now() - started };
}

/** @param {unknown} body */
const brief = (body) => JSON.stringify(body)?.slice(0, 200) ?? String(body);
