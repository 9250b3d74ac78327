import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "../support/context.js";
import { createEngine, type Engine } from "../support/engine.js";
import { waitUntil } from "../support/wait.js";

// POST /api/executions/{id}/rerun (API.md, second wave; issue 20): the same input in the same
// organization, a new execution linked to the first; whoever may run the workflow may re-run it.

const WORKFLOWS = `
import { workflow, z } from "@bifrost/sdk";

export const echo = workflow({
  params: z.object({ n: z.number() }),
  async run({ n }, ctx) {
    return { n, organization: ctx.organization.id, caller: ctx.caller.id };
  },
});
`;

type Detail = {
  id: string;
  status: string;
  organizationId: string;
  executedBy: string;
  inputData: Record<string, unknown>;
  result: { n: number; organization: string; caller: string } | null;
  rerunOf: string | null;
};

let engine: Engine;
let echoId = "";
const UNKNOWN = "00000000-0000-4000-8000-0000000000ee";

const rerun = (client: Client, id: string) => client.request("POST", `/api/executions/${id}/rerun`);
const detail = async (client: Client, id: string): Promise<Detail> => {
  const response = await client.request("GET", `/api/executions/${id}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<Detail>();
};
const ended = async (client: Client, id: string): Promise<Detail> => {
  let last: Detail | undefined;
  await waitUntil(`execution ${id} ends`, async () => {
    last = await detail(client, id);
    return !["Scheduled", "Pending", "Running", "Cancelling"].includes(last.status);
  });
  return last!;
};
const runEcho = async (client: Client, n: number): Promise<string> => {
  const response = await engine.execute(client, { workflowName: "echo", inputData: { n }, sync: true });
  expect(response.statusCode).toBe(200);
  return response.json<{ executionId: string }>().executionId;
};

beforeAll(async () => {
  engine = await createEngine();
  const [echo] = await engine.writeWorkflow("rerun.ts", WORKFLOWS);
  echoId = echo!.id;
  const patched = await engine.admin.request("PATCH", `/api/workflows/${echoId}`, {
    accessLevel: "authenticated",
  });
  expect(patched.statusCode, patched.body).toBe(200);
});
afterAll(async () => {
  await engine.close();
});

describe("re-running an execution", () => {
  it("starts a new execution with the same input and organization, linked to the first", async () => {
    const tech = engine.orgA.withRole;
    const first = await runEcho(tech, 7);
    const response = await rerun(tech, first);
    expect(response.statusCode, response.body).toBe(202);
    const { executionId, status } = response.json<{ executionId: string; status: string }>();
    expect(executionId).not.toBe(first);
    expect(status).toBe("Pending");
    const again = await ended(tech, executionId);
    expect(again).toMatchObject({
      status: "Success",
      organizationId: engine.orgA.id,
      executedBy: tech.userId,
      inputData: { n: 7 },
      rerunOf: first,
      result: { n: 7, organization: engine.orgA.id, caller: tech.userId },
    });
    expect((await detail(tech, first)).rerunOf).toBeNull();
  });

  it("a platform admin re-runs in the run's organization, not its own", async () => {
    const first = await runEcho(engine.orgB.withRole, 3);
    const response = await rerun(engine.admin, first);
    expect(response.statusCode, response.body).toBe(202);
    const again = await ended(engine.admin, response.json<{ executionId: string }>().executionId);
    expect(again).toMatchObject({ status: "Success", organizationId: engine.orgB.id, rerunOf: first });
    expect(again.executedBy).toBe(engine.admin.userId);
  });

  it("someone who cannot see the execution gets 404: another organization, another user, an unknown id", async () => {
    const first = await runEcho(engine.orgA.withRole, 1);
    for (const client of [engine.orgB.withRole, engine.orgB.withoutRole, engine.orgA.withoutRole]) {
      const response = await rerun(client, first);
      expect(response.statusCode, response.body).toBe(404);
    }
    expect((await rerun(engine.orgA.withRole, UNKNOWN)).statusCode).toBe(404);
    expect((await rerun(engine.orgA.withRole, "not-an-id")).statusCode).toBe(422);
    expect((await engine.anonymous.request("POST", `/api/executions/${first}/rerun`)).statusCode).toBe(401);
  });

  it("one who sees the execution but may no longer run the workflow gets 404, and nothing is queued", async () => {
    const tech = engine.orgA.withoutRole;
    const first = await runEcho(tech, 2);
    const locked = await engine.admin.request("PATCH", `/api/workflows/${echoId}`, {
      accessLevel: "role_based",
      roleIds: [engine.roleId],
    });
    expect(locked.statusCode, locked.body).toBe(200);
    try {
      const count = async () =>
        (await engine.admin.request("GET", "/api/executions?limit=1000")).json<{ items: unknown[] }>().items
          .length;
      const before = await count();
      expect((await detail(tech, first)).status).toBe("Success");
      expect((await rerun(tech, first)).statusCode).toBe(404);
      expect(await count()).toBe(before);
      // With the role, the same person's colleague still may.
      const holder = await runEcho(engine.orgA.withRole, 4);
      expect((await rerun(engine.orgA.withRole, holder)).statusCode).toBe(202);
    } finally {
      await engine.admin.request("PATCH", `/api/workflows/${echoId}`, { accessLevel: "authenticated" });
    }
  });
});
