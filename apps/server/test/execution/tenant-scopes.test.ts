import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "../support/context.js";
import { createEngine, type Engine } from "../support/engine.js";

// What the platform keeps between requests — data-provider answers and idempotency keys — must
// never be handed to someone other than who it was made for (issue 17, point 5).

const SCOPES = `
import { workflow, dataProvider, z } from "@bifrost/sdk";

export const whoAmI = dataProvider({
  params: z.object({ q: z.string() }),
  async run(_input, ctx) {
    return [{ label: ctx.caller.email, value: ctx.caller.id }];
  },
});

export const orgSecret = workflow({
  async run(_input, ctx) {
    return { organization: ctx.organization.name };
  },
});

// What any workflow can do with its run's own token: call the API with an Idempotency-Key.
async function relay(key, ctx) {
  const runtime = globalThis[Symbol.for("bifrost.runtime")];
  const response = await fetch(new URL("/api/workflows/execute", runtime.apiUrl), {
    method: "POST",
    headers: {
      authorization: "Bearer " + runtime.token,
      "content-type": "application/json",
      "idempotency-key": key,
    },
    body: JSON.stringify({ workflowName: "orgSecret", inputData: {}, sync: true }),
    signal: ctx.signal,
  });
  return { status: response.status, body: await response.json() };
}
const relayParams = z.object({ key: z.string() });
export const relayA = workflow({ params: relayParams, run: ({ key }, ctx) => relay(key, ctx) });
export const relayB = workflow({ params: relayParams, run: ({ key }, ctx) => relay(key, ctx) });
`;

type SyncAnswer<T> = { executionId: string; status: string; result: T; error: string | null };
type Relayed = { status: number; body: SyncAnswer<{ organization: string }> };

describe("scopes of caches and idempotency keys", () => {
  let engine: Engine;
  const ids = new Map<string, string>();
  const keys = new Map<string, string>();

  const patch = async (name: string, payload: object) => {
    const response = await engine.admin.request("PATCH", `/api/workflows/${ids.get(name)}`, payload);
    expect(response.statusCode, response.body).toBe(200);
  };
  const callEndpoint = async (name: string, payload: object): Promise<Relayed> => {
    const response = await engine.app.app.inject({
      method: "POST",
      url: `/api/endpoints/${name}`,
      headers: { "x-bifrost-key": keys.get(name)! },
      payload,
    });
    expect(response.statusCode, response.body).toBe(200);
    const answer = response.json<SyncAnswer<Relayed>>();
    expect(answer.status, answer.error ?? "").toBe("Success");
    return answer.result;
  };

  beforeAll(async () => {
    engine = await createEngine();
    for (const w of await engine.writeWorkflow("scopes.ts", SCOPES)) ids.set(w.name, w.id);
    await patch("whoAmI", { accessLevel: "authenticated", cacheTtlSeconds: 300 });
    await patch("orgSecret", { accessLevel: "authenticated" });
    // Each organization's endpoint runs as the one system user, in its own organization.
    for (const [name, organizationId] of [
      ["relayA", engine.orgA.id],
      ["relayB", engine.orgB.id],
    ] as const) {
      await patch(name, { organizationId, endpointEnabled: true, executionMode: "sync" });
      const key = await engine.admin.request("POST", "/api/workflow-keys", { workflowId: ids.get(name) });
      expect(key.statusCode, key.body).toBe(201);
      keys.set(name, key.json<{ key: string }>().key);
    }
  }, 60_000);
  afterAll(async () => engine?.close());

  it("a data provider's cached answer goes only to the caller it was made for, not to other users of the organization or an admin", async () => {
    const ask = async (client: Client, extra: object = {}) => {
      const response = await engine.execute(client, {
        workflowName: "whoAmI",
        inputData: { q: "same input" },
        ...extra,
      });
      expect(response.statusCode).toBe(200);
      return response.json<SyncAnswer<Array<{ label: string; value: string }>>>();
    };
    const tech = await ask(engine.orgA.withRole);
    expect(tech.result).toEqual([{ label: "tech@contoso.example", value: engine.orgA.withRole.userId }]);

    const clerk = await ask(engine.orgA.withoutRole);
    expect(clerk.result).toEqual([{ label: "clerk@contoso.example", value: engine.orgA.withoutRole.userId }]);
    expect(clerk.executionId).not.toBe(tech.executionId);

    const admin = await ask(engine.admin, { organizationId: engine.orgA.id });
    expect(admin.result).toEqual([{ label: "admin@msp.example", value: engine.admin.userId }]);
    expect(admin.executionId).not.toBe(tech.executionId);

    // …and the admin's answer is not served back to an organization user either.
    expect((await ask(engine.orgA.withRole)).result).toEqual(tech.result);
    // Still a cache: the same caller and input get the first answer, without a new run.
    expect((await ask(engine.orgA.withoutRole)).executionId).toBe(clerk.executionId);
  });

  it("the same Idempotency-Key from two organizations' system runs gives each its own execution", async () => {
    const key = `order-${Math.random().toString(36).slice(2)}`;
    const fromA = await callEndpoint("relayA", { key });
    expect(fromA.status).toBe(200);
    expect(fromA.body.result).toEqual({ organization: "Contoso" });

    const fromB = await callEndpoint("relayB", { key });
    expect(fromB.status).toBe(200);
    expect(fromB.body.executionId).not.toBe(fromA.body.executionId);
    expect(fromB.body.result).toEqual({ organization: "Fabrikam" });

    // Within one organization the key still answers the first execution.
    const againA = await callEndpoint("relayA", { key });
    expect(againA.body.executionId).toBe(fromA.body.executionId);
    const againB = await callEndpoint("relayB", { key });
    expect(againB.body.executionId).toBe(fromB.body.executionId);
  });
});
