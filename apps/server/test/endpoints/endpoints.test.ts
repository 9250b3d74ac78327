import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executions, workflowKeys } from "../../src/db/schema/index.js";
import { createEngine, type Engine } from "../support/engine.js";

const ENDPOINTS = `
import { workflow, z } from "@bifrost/sdk";

export const hook = workflow({
  params: z.object({ count: z.number().int(), flag: z.boolean().default(false), note: z.string().optional() }),
  async run(input, ctx) {
    return { input, caller: ctx.caller.email, triggeredBy: ctx.triggeredBy, organization: ctx.organization.name };
  },
});
export const later = workflow({ async run() { return { ok: true }; } });
export const closed = workflow({ async run() { return { ok: true }; } });
`;

type Answer = { executionId: string; status: string; result: Record<string, unknown>; error: string | null };

describe("workflow endpoints", () => {
  let engine: Engine;
  const ids = new Map<string, string>();
  const keys = new Map<string, { id: string; key: string }>();

  const call = (method: string, path: string, key: string | undefined, payload?: object) =>
    engine.app.app.inject({
      method: method as "POST",
      url: path,
      headers: key === undefined ? {} : { "x-bifrost-key": key },
      ...(payload ? { payload } : {}),
    });

  const newKey = async (workflow: string, expiresAt?: string) => {
    const response = await engine.admin.request("POST", "/api/workflow-keys", {
      workflowId: ids.get(workflow),
      ...(expiresAt ? { expiresAt } : {}),
    });
    expect(response.statusCode).toBe(201);
    return response.json<{ id: string; workflowId: string; key: string; expiresAt: string | null }>();
  };

  beforeAll(async () => {
    engine = await createEngine();
    for (const w of await engine.writeWorkflow("endpoints.ts", ENDPOINTS)) ids.set(w.name, w.id);
    await engine.admin.request("PATCH", `/api/workflows/${ids.get("hook")}`, {
      endpointEnabled: true,
      allowedMethods: ["GET", "POST"],
    });
    await engine.admin.request("PATCH", `/api/workflows/${ids.get("later")}`, {
      endpointEnabled: true,
      executionMode: "async",
    });
    for (const name of ["hook", "later", "closed"]) keys.set(name, await newKey(name));
  }, 60_000);
  afterAll(async () => engine?.close());

  it("keys: the raw key is shown once (bfk_), stored as SHA-256, listed without it, deleted", async () => {
    const created = await newKey("hook");
    expect(created.key).toMatch(/^bfk_[A-Za-z0-9_-]{43}$/);
    const [row] = await engine.app.database.db
      .select()
      .from(workflowKeys)
      .where(eq(workflowKeys.id, created.id));
    expect(row?.keyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(created.key);
    const list = await engine.admin.request("GET", `/api/workflow-keys?workflowId=${ids.get("hook")}`);
    const items = list.json<{ items: Array<Record<string, unknown>> }>().items;
    expect(items.map((k) => k.id)).toContain(created.id);
    expect(JSON.stringify(items)).not.toContain(created.key);
    expect(items.every((k) => k.workflowId === ids.get("hook"))).toBe(true);
    expect((await engine.admin.request("DELETE", `/api/workflow-keys/${created.id}`)).statusCode).toBe(204);
    expect((await call("POST", "/api/endpoints/hook", created.key, { count: 1 })).statusCode).toBe(401);
    expect((await engine.admin.request("DELETE", `/api/workflow-keys/${created.id}`)).statusCode).toBe(404);
    const past = await engine.admin.request("POST", "/api/workflow-keys", {
      workflowId: ids.get("hook"),
      expiresAt: new Date(Date.now() - 1000).toISOString(),
    });
    expect(past.statusCode).toBe(422);
  });

  it("sync: 200 with the result; runs as system@bifrost.local, triggeredBy endpoint, sourceId the key", async () => {
    const { id, key } = keys.get("hook")!;
    const response = await call("POST", "/api/endpoints/hook", key, { count: 3, note: "hi" });
    expect(response.statusCode).toBe(200);
    const answer = response.json<Answer>();
    expect(answer).toMatchObject({ status: "Success", error: null });
    expect(answer.result).toMatchObject({
      input: { count: 3, flag: false, note: "hi" },
      caller: "system@bifrost.local",
      triggeredBy: "endpoint",
    });
    const [row] = await engine.app.database.db
      .select()
      .from(executions)
      .where(eq(executions.id, answer.executionId));
    expect(row).toMatchObject({ triggeredBy: "endpoint", sourceId: id });
    const [stored] = await engine.app.database.db.select().from(workflowKeys).where(eq(workflowKeys.id, id));
    expect(stored?.lastUsedAt).not.toBeNull();
  });

  it("query values are coerced to the parameter's type; the body wins; body values are not coerced", async () => {
    const { key } = keys.get("hook")!;
    const viaQuery = await call("GET", "/api/endpoints/hook?count=7&flag=true&note=12", key);
    expect(viaQuery.statusCode).toBe(200);
    expect(viaQuery.json<Answer>().result.input).toEqual({ count: 7, flag: true, note: "12" });
    const mixed = await call("POST", "/api/endpoints/hook?count=7&note=q", key, { count: 8 });
    expect(mixed.json<Answer>().result.input).toEqual({ count: 8, flag: false, note: "q" });
    expect((await call("POST", "/api/endpoints/hook", key, { count: "8" })).statusCode).toBe(422);
    expect((await call("GET", "/api/endpoints/hook?count=seven", key)).statusCode).toBe(422);
  });

  it("invalid input 422, wrong method 405 with Allow", async () => {
    const { key } = keys.get("hook")!;
    expect((await call("POST", "/api/endpoints/hook", key, {})).statusCode).toBe(422);
    const put = await call("PUT", "/api/endpoints/hook", key, { count: 1 });
    expect(put.statusCode).toBe(405);
    expect(put.headers.allow).toBe("GET, POST");
  });

  it("missing, wrong, expired or other-workflow key 401; endpoint not enabled 404", async () => {
    expect((await call("POST", "/api/endpoints/hook", undefined, { count: 1 })).statusCode).toBe(401);
    expect((await call("POST", "/api/endpoints/hook", "bfk_wrong", { count: 1 })).statusCode).toBe(401);
    expect((await call("POST", "/api/endpoints/hook", keys.get("later")!.key, { count: 1 })).statusCode).toBe(
      401,
    );
    const expiring = await newKey("hook", new Date(Date.now() + 1500).toISOString());
    expect((await call("POST", "/api/endpoints/hook", expiring.key, { count: 1 })).statusCode).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect((await call("POST", "/api/endpoints/hook", expiring.key, { count: 1 })).statusCode).toBe(401);
    expect((await call("POST", "/api/endpoints/closed", keys.get("closed")!.key)).statusCode).toBe(404);
  });

  it("async mode answers 202 with the execution id", async () => {
    const response = await call("POST", "/api/endpoints/later", keys.get("later")!.key, {});
    expect(response.statusCode).toBe(202);
    expect(response.json<Answer>()).toMatchObject({ status: "Pending" });
    expect(response.json<Answer>().executionId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("the enabled endpoints are in the OpenAPI document with their parameter schema", async () => {
    // Signed in: an anonymous caller gets no endpoints (openapi-endpoints.test.ts).
    const response = await engine.admin.request("GET", "/api/openapi.json");
    const document = response.json<{
      paths: Record<string, Record<string, Record<string, unknown>>>;
      components: { securitySchemes: Record<string, unknown> };
    }>();
    expect(document.components.securitySchemes.workflowKey).toMatchObject({
      in: "header",
      name: "X-Bifrost-Key",
    });
    const hook = document.paths["/api/endpoints/hook"];
    expect(Object.keys(hook ?? {}).sort()).toEqual(["get", "post"]);
    expect(hook?.post?.security).toEqual([{ workflowKey: [] }]);
    const body = hook?.post?.requestBody as { content: Record<string, { schema: { properties: object } }> };
    expect(Object.keys(body.content["application/json"]!.schema.properties).sort()).toEqual([
      "count",
      "flag",
      "note",
    ]);
    expect(document.paths["/api/endpoints/later"]).toBeDefined();
    expect(document.paths["/api/endpoints/closed"]).toBeUndefined();
  });
});
