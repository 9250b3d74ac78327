import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../support/engine.js";
import { eventually } from "../support/server-process.js";

// The SDK's `tables` module inside real runs (sandboxed children calling the API over HTTP).

const WORKFLOWS = `
import { workflow, tables, z, NotFoundError, BifrostApiError } from "@bifrost/sdk";

export const tablesTour = workflow({
  async run() {
    const first = await tables.insert("tickets", { title: "VPN", priority: 2 }, "t1");
    const generated = await tables.insert("tickets", { title: "Printer", priority: 5 });
    let conflict = 0;
    try { await tables.insert("tickets", {}, "t1"); } catch (error) {
      if (error instanceof BifrostApiError) conflict = error.status;
    }
    const updated = await tables.update("tickets", "t1", { status: "open" });
    const upserted = await tables.upsert("tickets", "t3", { title: "Mail", priority: 9 });
    const ids = await tables.insertBatch(
      "tickets",
      Array.from({ length: 2500 }, (_, i) => ({ id: "b" + i, data: { title: "bulk", priority: i % 10 } })),
    );
    await tables.upsertBatch("tickets", [{ id: "b0", data: { title: "changed", priority: 0 } }]);
    const page = await tables.query("tickets", {
      where: { priority: { gte: 5 }, title: { ne: "bulk" } },
      orderBy: "priority",
      orderDir: "desc",
    });
    const counted = await tables.count("tickets", { title: "bulk" });
    const b0 = (await tables.get("tickets", "b0"))?.data;
    const deleted = await tables.deleteBatch("tickets", ids.slice(0, 1200));
    await tables.deleteDocument("tickets", generated.id);
    const list = await tables.list();
    const byId = await tables.get(list[0].id, "t1");
    return {
      first: first.id,
      generated: generated.id,
      conflict,
      updated: updated.data,
      upserted: upserted.data,
      batch: ids.length,
      b0,
      page: page.items.map((d) => d.id),
      nextOffset: page.nextOffset,
      counted,
      deleted,
      total: await tables.count("tickets"),
      gone: await tables.get("tickets", generated.id),
      tables: list.map((t) => ({ name: t.name, organizationId: t.organizationId })),
      byId: byId?.data,
    };
  },
});

export const peek = workflow({
  params: z.object({ table: z.string() }),
  async run({ table }) {
    const doc = await tables.get(table, "t1");
    let query = "";
    try { await tables.query(table, {}); } catch (error) {
      query = error instanceof NotFoundError ? "NotFoundError" : String(error);
    }
    let globalWrite = 0;
    try { await tables.insert("shared", { x: 1 }); } catch (error) {
      if (error instanceof BifrostApiError) globalWrite = error.status;
    }
    const shared = await tables.query("shared", {});
    return { doc, query, globalWrite, shared: shared.items.map((d) => d.data), names: (await tables.list()).map((t) => t.name) };
  },
});

export const bump = workflow({
  params: z.object({ value: z.number() }),
  async run({ value }) {
    return (await tables.upsert("counters", "the-one", { value })).data;
  },
});
`;

let engine: Engine;

type Sync = { status: string; result: Record<string, unknown>; error: string | null };
async function run(organizationId: string, workflowName: string, inputData: object = {}): Promise<Sync> {
  const response = await engine.execute(engine.admin, {
    workflowName,
    inputData,
    organizationId,
    sync: true,
  });
  expect(response.statusCode).toBe(200);
  const body = response.json<Sync>();
  expect(body.status, body.error ?? "").toBe("Success");
  return body;
}

beforeAll(async () => {
  engine = await createEngine();
  await engine.writeWorkflow("tables.ts", WORKFLOWS);
}, 60_000);
afterAll(async () => engine?.close());

describe("the tables SDK inside runs", () => {
  it("insert creates the table in the run's organization; get, update, query, count and batches work", async () => {
    const { result } = await run(engine.orgA.id, "tablesTour");
    expect(typeof result.generated).toBe("string");
    expect(result).toMatchObject({
      first: "t1",
      conflict: 409,
      updated: { title: "VPN", priority: 2, status: "open" },
      upserted: { title: "Mail", priority: 9 },
      batch: 2500,
      b0: { title: "changed", priority: 0 },
      page: ["t3", result.generated],
      nextOffset: null,
      counted: 2499,
      deleted: 1200,
      total: 2 + 2500 - 1200,
      gone: null,
      tables: [{ name: "tickets", organizationId: engine.orgA.id }],
      byId: { title: "VPN", priority: 2, status: "open" },
    });
  });

  it("another organization's run cannot see the table: 404 (NotFoundError, null for get)", async () => {
    const global = await engine.admin.request("POST", "/api/tables", { name: "shared" });
    expect(global.statusCode).toBe(201);
    await engine.admin.request("POST", "/api/tables/shared/documents", { data: { hello: "all" } });
    const tableId = (await engine.admin.request("GET", `/api/tables/tickets?scope=${engine.orgA.id}`)).json<{
      id: string;
    }>().id;
    for (const table of ["tickets", tableId]) {
      const { result } = await run(engine.orgB.id, "peek", { table });
      // Global tables are read by every organization's runs, and written by none of them.
      expect(result).toEqual({
        doc: null,
        query: "NotFoundError",
        globalWrite: 403,
        shared: [{ hello: "all" }],
        names: ["shared"],
      });
    }
  });

  it("concurrent upserts of the same id from 50 runs leave one document with one of the values", async () => {
    const accepted = await Promise.all(
      Array.from({ length: 50 }, async (_, value) => {
        const response = await engine.execute(engine.admin, {
          workflowName: "bump",
          inputData: { value },
          organizationId: engine.orgA.id,
        });
        expect(response.statusCode).toBe(202);
        return response.json<{ executionId: string }>().executionId;
      }),
    );
    const statuses = await eventually(
      async () => {
        const now = await Promise.all(
          accepted.map(
            async (id) =>
              (await engine.admin.request("GET", `/api/executions/${id}`)).json<{ status: string }>().status,
          ),
        );
        return now.every((s) => !["Pending", "Running", "Scheduled"].includes(s)) ? now : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 250, what: "50 upsert runs to end" },
    );
    expect(new Set(statuses)).toEqual(new Set(["Success"]));
    const scope = `?scope=${engine.orgA.id}`;
    const count = await engine.admin.request("POST", `/api/tables/counters/documents/count${scope}`, {});
    expect(count.json<{ count: number }>().count).toBe(1);
    const doc = await engine.admin.request("GET", `/api/tables/counters/documents/the-one${scope}`);
    const value = doc.json<{ data: { value: number } }>().data.value;
    expect(value).toBeGreaterThanOrEqual(0);
    expect(value).toBeLessThan(50);
    const tables = await engine.admin.request("GET", `/api/tables${scope}`);
    expect(
      tables.json<{ items: Array<{ name: string }> }>().items.filter((t) => t.name === "counters"),
    ).toHaveLength(1);
  }, 120_000);
});
