import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../support/context.js";

// Tables and documents through REST as a platform admin, who names the scope with `?scope=`.

let ctx: TestContext;
type Table = { id: string; name: string; organizationId: string | null; description: string | null };
type Doc = { id: string; data: Record<string, unknown>; createdBy: string | null; updatedBy: string | null };

beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx?.close());

describe("tables over REST", () => {
  it("a name is unique per scope; a name looks in the named organization, then global", async () => {
    const own = await ctx.admin.request("POST", "/api/tables", {
      name: "crm",
      organizationId: ctx.orgA.id,
      description: "customers",
    });
    expect(own.statusCode, own.body).toBe(201);
    expect(own.json<Table>()).toMatchObject({
      name: "crm",
      organizationId: ctx.orgA.id,
      description: "customers",
    });
    const again = await ctx.admin.request("POST", "/api/tables", {
      name: "crm",
      organizationId: ctx.orgA.id,
    });
    expect(again.statusCode).toBe(409);
    const global = await ctx.admin.request("POST", "/api/tables", { name: "crm" });
    expect(global.statusCode).toBe(201);
    expect(global.json<Table>().organizationId).toBeNull();

    const inA = await ctx.admin.request("GET", `/api/tables/crm?scope=${ctx.orgA.id}`);
    expect(inA.json<Table>().id).toBe(own.json<Table>().id);
    const inB = await ctx.admin.request("GET", `/api/tables/crm?scope=${ctx.orgB.id}`);
    expect(inB.json<Table>().id).toBe(global.json<Table>().id);
    const byId = await ctx.admin.request("GET", `/api/tables/${own.json<Table>().id}`);
    expect(byId.json<Table>().organizationId).toBe(ctx.orgA.id);

    const listA = await ctx.admin.request("GET", `/api/tables?scope=${ctx.orgA.id}`);
    expect(listA.json<{ items: Table[] }>().items.map((t) => t.organizationId)).toEqual([ctx.orgA.id]);

    const renamed = await ctx.admin.request("PATCH", `/api/tables/crm`, { description: "shared" });
    expect(renamed.json<Table>()).toMatchObject({ id: global.json<Table>().id, description: "shared" });
    expect((await ctx.admin.request("DELETE", "/api/tables/crm")).statusCode).toBe(204);
    expect((await ctx.admin.request("GET", `/api/tables/crm?scope=${ctx.orgB.id}`)).statusCode).toBe(404);
    expect((await ctx.admin.request("GET", `/api/tables/crm?scope=${ctx.orgA.id}`)).statusCode).toBe(200);

    const audit = (await ctx.admin.request("GET", "/api/audit?limit=100")).json<{
      items: Array<{ action: string; resourceId: string | null }>;
    }>().items;
    const tableEvents = audit.filter((e) => e.action.startsWith("table."));
    expect(tableEvents.map((e) => e.action).sort()).toEqual(
      ["table.create", "table.create", "table.delete", "table.update"].sort(),
    );
  });

  it("documents: insert (409 on a taken id), get, shallow merge, upsert, delete", async () => {
    const scope = `?scope=${ctx.orgA.id}`;
    const base = `/api/tables/tickets/documents`;
    // Inserting into a missing table creates it in the named scope.
    const created = await ctx.admin.request("POST", `${base}${scope}`, {
      id: "t1",
      data: { title: "VPN", n: 1 },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json<Doc>()).toMatchObject({
      id: "t1",
      data: { title: "VPN", n: 1 },
      createdBy: ctx.admin.userId,
    });
    const table = (await ctx.admin.request("GET", `/api/tables/tickets${scope}`)).json<Table>();
    expect(table.organizationId).toBe(ctx.orgA.id);
    // Not global: without the scope the name is not found.
    expect((await ctx.admin.request("GET", `${base}/t1`)).statusCode).toBe(404);

    expect((await ctx.admin.request("POST", `${base}${scope}`, { id: "t1", data: {} })).statusCode).toBe(409);
    const generated = await ctx.admin.request("POST", `${base}${scope}`, { data: { title: "Printer" } });
    expect(generated.json<Doc>().id).toMatch(/^[0-9a-f-]{36}$/);

    const merged = await ctx.admin.request("PATCH", `/api/tables/${table.id}/documents/t1`, {
      data: { n: 2, status: "open" },
    });
    expect(merged.json<Doc>().data).toEqual({ title: "VPN", n: 2, status: "open" });
    const upserted = await ctx.admin.request("POST", `${base}/upsert${scope}`, {
      id: "t1",
      data: { only: true },
    });
    expect(upserted.statusCode).toBe(200);
    expect(upserted.json<Doc>().data).toEqual({ only: true });
    const fresh = await ctx.admin.request("POST", `${base}/upsert${scope}`, { id: "t2", data: { n: 3 } });
    expect(fresh.json<Doc>().data).toEqual({ n: 3 });

    expect((await ctx.admin.request("DELETE", `${base}/t1${scope}`)).statusCode).toBe(204);
    expect((await ctx.admin.request("GET", `${base}/t1${scope}`)).statusCode).toBe(404);
    expect((await ctx.admin.request("DELETE", `${base}/t1${scope}`)).statusCode).toBe(404);
    expect((await ctx.admin.request("PATCH", `${base}/t1${scope}`, { data: {} })).statusCode).toBe(404);
  });

  it("batches: insert is all or nothing, upsert takes the last of a repeated id, delete counts", async () => {
    const base = `/api/tables/bulk/documents`;
    const docs = Array.from({ length: 1000 }, (_, i) => ({ id: `d${i}`, data: { i } }));
    const inserted = await ctx.admin.request("POST", `${base}/batch`, { mode: "insert", documents: docs });
    expect(inserted.statusCode, inserted.body).toBe(200);
    expect(inserted.json<{ ids: string[] }>().ids).toHaveLength(1000);

    const clash = await ctx.admin.request("POST", `${base}/batch`, {
      mode: "insert",
      documents: [
        { id: "new1", data: {} },
        { id: "d1", data: {} },
      ],
    });
    expect(clash.statusCode).toBe(409);
    expect((await ctx.admin.request("GET", `${base}/new1`)).statusCode).toBe(404);

    const upserted = await ctx.admin.request("POST", `${base}/batch`, {
      mode: "upsert",
      documents: [
        { id: "d1", data: { i: -1 } },
        { id: "d1", data: { i: -2 } },
        { id: "d2000", data: { i: 2000 } },
      ],
    });
    expect(upserted.statusCode, upserted.body).toBe(200);
    expect((await ctx.admin.request("GET", `${base}/d1`)).json<Doc>().data).toEqual({ i: -2 });

    const tooMany = await ctx.admin.request("POST", `${base}/batch`, {
      mode: "insert",
      documents: [...docs, { data: {} }],
    });
    expect(tooMany.statusCode).toBe(422);

    const deleted = await ctx.admin.request("POST", `${base}/batch-delete`, { ids: ["d1", "d2", "nope"] });
    expect(deleted.json<{ deleted: number }>().deleted).toBe(2);
    const count = await ctx.admin.request("POST", `${base}/count`, {});
    expect(count.json<{ count: number }>().count).toBe(999);
  });

  it("bad names and unknown tables", async () => {
    expect((await ctx.admin.request("POST", "/api/tables", { name: "" })).statusCode).toBe(422);
    expect(
      (await ctx.admin.request("POST", "/api/tables", { name: "00000000-0000-4000-8000-000000000001" }))
        .statusCode,
    ).toBe(422);
    expect((await ctx.admin.request("POST", "/api/tables/bad!name/documents", { data: {} })).statusCode).toBe(
      422,
    );
    expect((await ctx.admin.request("POST", "/api/tables/missing/documents/query", {})).statusCode).toBe(404);
    const unknownId = "00000000-0000-4000-8000-000000000002";
    expect(
      (await ctx.admin.request("POST", `/api/tables/${unknownId}/documents`, { data: {} })).statusCode,
    ).toBe(404);
  });
});
