import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startEmbeddedWithWorkspace, type EmbeddedServer } from "../support/embedded-server.js";
import { call } from "../support/login-journey.js";
import { waitUntil } from "../support/wait.js";
import { LONG_HAUL_WORKFLOW } from "../workspace/workspace-fixtures.js";

// The security review's fixes that ride on the bus, the queue and the worker (issue 17), on the
// embedded default (`bifrost-server start`: PGlite, in-memory bus and queue, the worker in-process):
// a deactivated caller's run is cancelled through the worker; a WebSocket closes when its login ends
// or its caller's access changes; a run's token is refused on the account routes.

const WORKFLOWS = `
import { executions, workflow } from "@bifrost/sdk";
${LONG_HAUL_WORKFLOW}
// The key the runtime installs the run's hooks under (not exported to authors: @bifrost/sdk/internal).
const RUNTIME = Symbol.for("bifrost.runtime");
export const accountProbe = workflow({
  // As user code can: the run's token the SDK itself holds, on an account route.
  async run() {
    const { apiUrl, token } = globalThis[RUNTIME];
    const me = await fetch(apiUrl + "/auth/me", { headers: { authorization: "Bearer " + token } });
    return me.status;
  },
});
`;

const PASSWORD = "a member's long passphrase";

let embedded: EmbeddedServer;
let admin: Record<string, string>;
let organizationId: string;

const api = (method: string, url: string, body?: Record<string, unknown>, auth = admin) =>
  call(`${embedded.url}${url}`, method, body, auth);

/** A new organization user, signed in: their id and bearer header. */
async function member(): Promise<{ id: string; auth: Record<string, string> }> {
  const email = `member-${Math.random().toString(36).slice(2, 10)}@embedded.example`;
  const created = await api("POST", "/api/users", {
    email,
    name: "Member",
    password: PASSWORD,
    organizationId,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const login = await call(`${embedded.url}/auth/login`, "POST", { email, password: PASSWORD });
  expect(login.status).toBe(200);
  const token = String((login.body as { accessToken: string }).accessToken);
  return { id: String((created.body as { id: string }).id), auth: { authorization: `Bearer ${token}` } };
}

beforeAll(async () => {
  ({ embedded, auth: admin } = await startEmbeddedWithWorkspace({ "security.ts": WORKFLOWS }));
  const org = await api("POST", "/api/organizations", { name: "Embedded Ltd" });
  organizationId = String((org.body as { id: string }).id);
  const workflows = (await api("GET", "/api/workflows?limit=100")).body as { items: Array<{ id: string }> };
  for (const workflow of workflows.items) {
    expect(
      (await api("PATCH", `/api/workflows/${workflow.id}`, { accessLevel: "authenticated" })).status,
    ).toBe(200);
  }
}, 120_000);
afterAll(async () => embedded?.close());

describe("the security review's fixes on bifrost-server start", () => {
  it("deactivating the caller cancels their running run through the in-process worker", async () => {
    const caller = await member();
    const started = await api(
      "POST",
      "/api/workflows/execute",
      { workflowName: "longHaul", inputData: {} },
      caller.auth,
    );
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const id = String((started.body as { executionId: string }).executionId);
    const status = async () =>
      String(((await api("GET", `/api/executions/${id}`)).body as { status: string }).status);
    await waitUntil("the run is running", async () => (await status()) === "Running", 20_000);
    expect((await api("PATCH", `/api/users/${caller.id}`, { isActive: false })).status).toBe(200);
    await waitUntil("the run ends Cancelled", async () => (await status()) === "Cancelled", 15_000);
  }, 60_000);

  it("a WebSocket closes when its login ends, and when its caller's roles change", async () => {
    const open = async (auth: Record<string, string>) => {
      const socket = new WebSocket(`${embedded.url.replace("http", "ws")}/ws/connect`, { headers: auth });
      const closed = new Promise<number>((resolve) => socket.on("close", (code) => resolve(code)));
      await new Promise<void>((resolve, reject) => {
        socket.once("open", () => resolve());
        socket.once("error", reject);
      });
      return { closed };
    };
    const leaving = await member();
    const { closed: closedOnLogout } = await open(leaving.auth);
    expect((await api("POST", "/auth/logout", undefined, leaving.auth)).status).toBe(204);
    expect(await closedOnLogout).toBe(4401);

    const promoted = await member();
    const { closed: closedOnRole } = await open(promoted.auth);
    const role = await api("POST", "/api/roles", { name: `role-${promoted.id.slice(0, 8)}` });
    const roleId = String((role.body as { id: string }).id);
    expect((await api("POST", `/api/roles/${roleId}/users`, { userIds: [promoted.id] })).status).toBe(204);
    expect(await closedOnRole).toBe(4403);
  }, 60_000);

  it("a run's token is refused on its caller's account routes", async () => {
    const ran = await api("POST", "/api/workflows/execute", {
      workflowName: "accountProbe",
      inputData: {},
      sync: true,
    });
    expect(ran.body).toMatchObject({ status: "Success", result: 403 });
  }, 60_000);
});
