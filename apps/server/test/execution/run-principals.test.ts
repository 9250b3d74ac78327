import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedInUser, type Client } from "../support/context.js";
import { createEngine, type Engine } from "../support/engine.js";
import { waitUntil } from "../support/wait.js";
import { LONG_HAUL_WORKFLOW } from "../workspace/workspace-fixtures.js";

// A run acts as its caller inside its organization (issue 17.9). When the caller is deactivated or
// moved, or the organization deactivated or deleted, the runs still going must stop acting for them:
// running ones end Cancelled, waiting and deferred ones never start (their tokens are revoked too).

const WORKFLOWS = `
import { executions, workflow } from "@bifrost/sdk";
${LONG_HAUL_WORKFLOW}`;

let engine: Engine;

beforeAll(async () => {
  engine = await createEngine();
  const [longHaul] = await engine.writeWorkflow("run-principals.ts", WORKFLOWS);
  // Open to every signed-in user: organization users start it as themselves.
  const opened = await engine.admin.request("PATCH", `/api/workflows/${longHaul?.id}`, {
    accessLevel: "authenticated",
  });
  expect(opened.statusCode).toBe(200);
}, 60_000);
afterAll(async () => engine?.close());

/** Starts `longHaul` as `caller` (async, or deferred a minute); answers its execution id. */
async function start(caller: Client, deferred = false): Promise<string> {
  const response = await engine.execute(caller, {
    workflowName: "longHaul",
    inputData: {},
    ...(deferred ? { delaySeconds: 60 } : {}),
  });
  expect(response.statusCode, JSON.stringify(response.json())).toBe(202);
  return response.json<{ executionId: string }>().executionId;
}

const statusOf = async (id: string): Promise<string> =>
  (await engine.admin.request("GET", `/api/executions/${id}`)).json<{ status: string }>().status;

async function running(id: string): Promise<void> {
  await waitUntil(`${id} is running`, async () => (await statusOf(id)) === "Running", 20_000);
}

async function cancelled(id: string): Promise<void> {
  await waitUntil(`${id} ends Cancelled`, async () => (await statusOf(id)) === "Cancelled", 15_000);
}

describe("runs whose caller or organization is no longer allowed", () => {
  it("deactivating the caller cancels their running and deferred runs; another user's run goes on", async () => {
    const caller = await signedInUser(engine, engine.orgA.id);
    const bystander = await signedInUser(engine, engine.orgA.id);
    const live = await start(caller);
    const later = await start(caller, true);
    const other = await start(bystander);
    await running(live);
    await running(other);
    expect(await statusOf(later)).toBe("Scheduled");

    const patched = await engine.admin.request("PATCH", `/api/users/${caller.userId}`, { isActive: false });
    expect(patched.statusCode).toBe(200);
    await cancelled(live);
    await cancelled(later);
    expect(await statusOf(other)).toBe("Running");
    expect((await engine.admin.request("POST", `/api/executions/${other}/cancel`)).statusCode).toBe(200);
    await cancelled(other);
  }, 60_000);

  it("moving the caller to another organization cancels their runs in the old one", async () => {
    const caller = await signedInUser(engine, engine.orgA.id);
    const live = await start(caller);
    await running(live);
    const moved = await engine.admin.request("PATCH", `/api/users/${caller.userId}`, {
      organizationId: engine.orgB.id,
    });
    expect(moved.statusCode).toBe(200);
    await cancelled(live);
  }, 60_000);

  it("deleting the organization cancels every run in it, whoever started it", async () => {
    const created = await engine.admin.request("POST", "/api/organizations", { name: "Doomed Ltd" });
    const organizationId = created.json<{ id: string }>().id;
    const first = await signedInUser(engine, organizationId);
    const second = await signedInUser(engine, organizationId);
    const live = [await start(first), await start(second)];
    const later = await start(first, true);
    for (const id of live) await running(id);
    expect((await engine.admin.request("DELETE", `/api/organizations/${organizationId}`)).statusCode).toBe(
      204,
    );
    for (const id of [...live, later]) await cancelled(id);
  }, 60_000);
});
