import WebSocket from "ws";
import { expect } from "vitest";
import { call } from "./login-journey.js";
import { eventually } from "./server-process.js";

export const JOURNEY_WORKFLOW = `
import { workflow, z } from "@bifrost/sdk";

export const greet = workflow({
  description: "Greets someone, logging as it goes",
  params: z.object({ name: z.string(), lines: z.number().int().default(3) }),
  async run({ name, lines }, ctx) {
    for (let i = 1; i <= lines; i++) ctx.log.info("step " + i);
    return { greeting: "Hello, " + name, organization: ctx.organization.name };
  },
});

export const nap = workflow({
  params: z.object({ ms: z.number().int() }),
  async run({ ms }, ctx) {
    ctx.log.info("napping");
    await new Promise((resolve) => setTimeout(resolve, ms));
    return { napped: ms };
  },
});
`;

/** Creates the first platform admin (MFA off on the server) and signs in; answers the access token. */
export async function firstAdminToken(baseUrl: string): Promise<string> {
  const admin = { email: "ops@msp.example", password: "a perfectly long passphrase", name: "Ops" };
  expect((await call(`${baseUrl}/auth/setup`, "POST", admin)).status).toBe(201);
  const login = await call(`${baseUrl}/auth/login`, "POST", { email: admin.email, password: admin.password });
  expect(login.status).toBe(200);
  return String(login.body.accessToken);
}

/** Writes a workspace file through the editor API, as the editor does; fails the test unless 200. */
export async function writeWorkspaceFile(
  baseUrl: string,
  auth: Record<string, string>,
  path: string,
  content: string,
): Promise<void> {
  const written = await call(`${baseUrl}/api/files/editor/content`, "PUT", { path, content }, auth);
  expect(written.status, JSON.stringify(written.body)).toBe(200);
}

/**
 * What acceptance asks of a deployment: write a workflow file through the API, run it sync and
 * async, see `Success` with the result, the logs in order, and the `execution_update` on the
 * WebSocket.
 */
export async function runEngineJourney(baseUrl: string, token: string): Promise<void> {
  const auth = { authorization: `Bearer ${token}` };
  await writeWorkspaceFile(baseUrl, auth, "journey.ts", JOURNEY_WORKFLOW);

  const sync = await call(
    `${baseUrl}/api/workflows/execute`,
    "POST",
    { workflowName: "greet", inputData: { name: "Ada" }, sync: true },
    auth,
  );
  expect(sync.status, JSON.stringify(sync.body)).toBe(200);
  expect(sync.body).toMatchObject({ status: "Success", result: { greeting: "Hello, Ada" } });
  const logs = await call(
    `${baseUrl}/api/executions/${String(sync.body.executionId)}/logs`,
    "GET",
    undefined,
    auth,
  );
  expect((logs.body.items as Array<{ message: string }>).map((l) => l.message)).toEqual([
    "step 1",
    "step 2",
    "step 3",
  ]);

  const accepted = await call(
    `${baseUrl}/api/workflows/execute`,
    "POST",
    { workflowName: "nap", inputData: { ms: 300 } },
    auth,
  );
  expect(accepted.status).toBe(202);
  const executionId = String(accepted.body.executionId);
  const socket = new WebSocket(
    `${baseUrl.replace(/^http/, "ws")}/ws/connect?channels=execution:${executionId}`,
    {
      headers: auth,
    },
  );
  const messages: Array<Record<string, unknown>> = [];
  socket.on("message", (data: Buffer) =>
    messages.push(JSON.parse(data.toString()) as Record<string, unknown>),
  );
  try {
    const update = await eventually(
      () => Promise.resolve(messages.find((m) => m.type === "execution_update" && m.status === "Success")),
      { timeoutMs: 20_000, what: "the execution_update of the async run" },
    );
    expect(update).toMatchObject({ executionId, result: { napped: 300 } });
  } finally {
    socket.terminate();
  }
  const detail = await call(`${baseUrl}/api/executions/${executionId}`, "GET", undefined, auth);
  expect(detail.body).toMatchObject({ status: "Success", attempt: 1 });

  // Re-run the sync one: a new execution with the same input, linked to the first.
  const first = String(sync.body.executionId);
  const rerun = await call(`${baseUrl}/api/executions/${first}/rerun`, "POST", undefined, auth);
  expect(rerun.status, JSON.stringify(rerun.body)).toBe(202);
  const again = await eventually(
    async () => {
      const answer = await call(
        `${baseUrl}/api/executions/${String(rerun.body.executionId)}`,
        "GET",
        undefined,
        auth,
      );
      return answer.body.status === "Success" ? answer.body : undefined;
    },
    { timeoutMs: 20_000, what: "the re-run to succeed" },
  );
  expect(again).toMatchObject({
    rerunOf: first,
    inputData: { name: "Ada" },
    result: { greeting: "Hello, Ada" },
  });
}
