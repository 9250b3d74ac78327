import { PROPERTY_ORDER_KEY, propertiesInOrder } from "@bifrost/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../support/context.js";
import { startEmbeddedWithWorkspace, type EmbeddedServer } from "../support/embedded-server.js";
import { call } from "../support/login-journey.js";
import { workflowId, writeWorkspaceFile } from "./workspace-fixtures.js";

// `parameters_schema` is jsonb, which sorts object keys (shorter first, then by bytes): the order in
// which a workflow declares its parameters is kept as `x-order` arrays, on PostgreSQL and on PGlite.

const ORDERED = `import { workflow, z } from "@bifrost/sdk";

export const ordered = workflow({
  params: z.object({
    zeta: z.string(),
    alpha: z.number().default(1),
    mid: z.object({ yak: z.string(), bee: z.boolean().optional(), aa: z.string() }),
    properties: z.string().optional(),
    maybe: z.object({ later: z.string(), a: z.string() }).nullable().default(null),
    rows: z.array(z.object({ second: z.string(), b: z.string() })).default([]),
  }),
  run: () => "ok",
});
`;

type Schema = {
  properties?: Record<string, Schema>;
  anyOf?: Schema[];
  items?: Schema;
  [key: string]: unknown;
};

const names = (schema: Schema | undefined) => propertiesInOrder(schema ?? {}).map(([name]) => name);

/** What a client of GET /api/workflows/{id} can rely on, wherever the row was stored. */
function expectDeclaredOrder(schema: Schema) {
  // jsonb's own order differs (the proof that storage alone would lose it).
  expect(Object.keys(schema.properties ?? {})).not.toEqual([
    "zeta",
    "alpha",
    "mid",
    "properties",
    "maybe",
    "rows",
  ]);
  expect(schema[PROPERTY_ORDER_KEY]).toEqual(["zeta", "alpha", "mid", "properties", "maybe", "rows"]);
  expect(names(schema)).toEqual(["zeta", "alpha", "mid", "properties", "maybe", "rows"]);
  expect(names(schema.properties?.mid)).toEqual(["yak", "bee", "aa"]);
  expect(names(schema.properties?.maybe?.anyOf?.find((choice) => choice.type === "object"))).toEqual([
    "later",
    "a",
  ]);
  expect(names(schema.properties?.rows?.items)).toEqual(["second", "b"]);
  // A parameter named "properties" is a parameter, not a place for the order.
  expect(schema.properties?.properties).toEqual({ type: "string" });
  expect(schema.properties).not.toHaveProperty(PROPERTY_ORDER_KEY);
}

describe("the declared order of a workflow's parameters survives storage", () => {
  it("readers fall back to key order: a schema stored before x-order, or an x-order naming gone properties", () => {
    const string = { type: "string" };
    expect(names({ properties: { loud: string, name: string } })).toEqual(["loud", "name"]);
    expect(
      names({
        properties: { loud: string, name: string, mood: string },
        [PROPERTY_ORDER_KEY]: ["name", "gone", "loud"],
      }),
    ).toEqual(["name", "loud", "mood"]);
  });

  describe("on PostgreSQL", () => {
    let ctx: TestContext;
    beforeAll(async () => {
      ctx = await createTestContext();
    });
    afterAll(async () => {
      await ctx.close();
    });

    it("GET /api/workflows/{id} answers x-order arrays in declared order, nested objects included", async () => {
      const written = await writeWorkspaceFile(ctx.admin, "flows/ordered.ts", ORDERED);
      const id = workflowId(written, "ordered");
      const answer = await ctx.admin.request("GET", `/api/workflows/${id}`);
      expect(answer.statusCode).toBe(200);
      expectDeclaredOrder(answer.json<{ parametersSchema: Schema }>().parametersSchema);

      // Input validation rebuilds a validator from the stored schema, x-order and all: it still checks.
      const run = await ctx.admin.request("POST", "/api/workflows/execute", {
        workflowId: id,
        inputData: { zeta: 1, mid: { yak: "y", aa: "a" } },
      });
      expect(run.statusCode).toBe(422);
      expect(run.json()).toMatchObject({ details: { fields: [{ path: "body.inputData.zeta" }] } });
    });
  });

  describe("on the embedded platform (PGlite)", () => {
    let embedded: EmbeddedServer | undefined;
    let auth: Record<string, string>;
    beforeAll(async () => {
      ({ embedded, auth } = await startEmbeddedWithWorkspace({ "flows/ordered.ts": ORDERED }));
    }, 120_000);
    afterAll(async () => {
      await embedded?.close();
    });

    it("GET /api/workflows/{id} answers x-order arrays in declared order, nested objects included", async () => {
      const url = embedded?.url ?? "";
      const list = await call(`${url}/api/workflows?limit=1000`, "GET", undefined, auth);
      const found = (list.body.items as Array<{ id: string; name: string }>).find(
        (w) => w.name === "ordered",
      );
      const answer = await call(`${url}/api/workflows/${found?.id ?? "missing"}`, "GET", undefined, auth);
      expect(answer.status).toBe(200);
      expectDeclaredOrder((answer.body as { parametersSchema: Schema }).parametersSchema);
    });
  });
});
