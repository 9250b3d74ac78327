import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../support/context.js";

// The query DSL of API.md against real PostgreSQL, through REST as a platform admin (global table).

let ctx: TestContext;
const TABLE = "people";

const DOCS = [
  { id: "a", data: { name: "Alice", age: 30, city: "Oslo", tags: ["x"], note: null, score: 10 } },
  { id: "b", data: { name: "bob", age: 25, city: "Bergen", score: "high" } },
  { id: "c", data: { name: "Carol", age: 35, city: "oslo", extra: { k: 1, j: 2 } } },
  { id: "d", data: { name: "dave_%", age: 40 } },
];

type Page = { items: Array<{ id: string; data: Record<string, unknown> }>; nextOffset: number | null };

async function query(body: object): Promise<Page> {
  const response = await ctx.admin.request("POST", `/api/tables/${TABLE}/documents/query`, body);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<Page>();
}
const ids = async (where: object): Promise<string[]> => (await query({ where })).items.map((d) => d.id);

beforeAll(async () => {
  ctx = await createTestContext();
  const created = await ctx.admin.request("POST", "/api/tables", { name: TABLE });
  expect(created.statusCode, created.body).toBe(201);
  const batch = await ctx.admin.request("POST", `/api/tables/${TABLE}/documents/batch`, {
    mode: "insert",
    documents: DOCS,
  });
  expect(batch.statusCode, batch.body).toBe(200);
});
afterAll(async () => ctx?.close());

describe("table query operators", () => {
  it("implicit equality and eq match exactly, objects included", async () => {
    expect(await ids({ city: "Oslo" })).toEqual(["a"]);
    expect(await ids({ age: { eq: 30 } })).toEqual(["a"]);
    expect(await ids({ age: 30, city: "Oslo" })).toEqual(["a"]);
    expect(await ids({ extra: { eq: { k: 1, j: 2 } } })).toEqual(["c"]);
    // Containment is not equality: a part of the object does not match.
    expect(await ids({ extra: { eq: { k: 1 } } })).toEqual([]);
    expect(await ids({ tags: ["x"] })).toEqual(["a"]);
    expect(await ids({ note: null })).toEqual(["a"]);
  });

  it("ne keeps documents without the field", async () => {
    expect(await ids({ city: { ne: "Oslo" } })).toEqual(["b", "c", "d"]);
  });

  it("contains, startsWith and endsWith are case-insensitive and treat % and _ literally", async () => {
    expect(await ids({ name: { contains: "AR" } })).toEqual(["c"]);
    expect(await ids({ name: { startsWith: "B" } })).toEqual(["b"]);
    expect(await ids({ name: { endsWith: "_%" } })).toEqual(["d"]);
    expect(await ids({ name: { contains: "%" } })).toEqual(["d"]);
    expect(await ids({ city: { endsWith: "LO" } })).toEqual(["a", "c"]);
  });

  it("gt, gte, lt and lte compare numbers numerically and strings lexically", async () => {
    expect(await ids({ age: { gt: 30 } })).toEqual(["c", "d"]);
    expect(await ids({ age: { gte: 30 } })).toEqual(["a", "c", "d"]);
    expect(await ids({ age: { lt: 30 } })).toEqual(["b"]);
    expect(await ids({ age: { lte: 30 } })).toEqual(["a", "b"]);
    expect(await ids({ age: { gt: 26, lt: 36 } })).toEqual(["a", "c"]);
    // 9 < 10 numerically (lexically "9" > "10"); a string score never compares with a number.
    expect(await ids({ score: { gt: 9 } })).toEqual(["a"]);
    // Code-point order: upper case before lower case.
    expect(await ids({ name: { gt: "C" } })).toEqual(["b", "c", "d"]);
    expect(await ids({ name: { lt: "Bz" } })).toEqual(["a"]);
  });

  it("in, isNull and hasKey", async () => {
    expect(await ids({ city: { in: ["Oslo", "Bergen"] } })).toEqual(["a", "b"]);
    expect(await ids({ age: { in: [25, 40, 99] } })).toEqual(["b", "d"]);
    expect(await ids({ city: { in: [] } })).toEqual([]);
    expect(await ids({ city: { isNull: true } })).toEqual(["d"]);
    expect(await ids({ note: { isNull: true } })).toEqual(["a", "b", "c", "d"]);
    expect(await ids({ city: { isNull: false } })).toEqual(["a", "b", "c"]);
    expect(await ids({ note: { hasKey: true } })).toEqual(["a"]);
    expect(await ids({ note: { hasKey: false } })).toEqual(["b", "c", "d"]);
  });

  it("conditions are AND-ed", async () => {
    expect(
      await ids({ city: { in: ["Oslo", "Bergen", "oslo"] }, age: { gt: 26 }, name: { ne: "Carol" } }),
    ).toEqual(["a"]);
  });

  it("orders by any top-level field, pages with limit and offset, and counts", async () => {
    const byAge = await query({ orderBy: "age", orderDir: "desc" });
    expect(byAge.items.map((d) => d.id)).toEqual(["d", "c", "a", "b"]);
    expect(byAge.nextOffset).toBeNull();
    const first = await query({ orderBy: "age", limit: 2 });
    expect(first.items.map((d) => d.id)).toEqual(["b", "a"]);
    expect(first.nextOffset).toBe(2);
    const second = await query({ orderBy: "age", limit: 2, offset: 2 });
    expect(second.items.map((d) => d.id)).toEqual(["c", "d"]);
    expect(second.nextOffset).toBeNull();
    // Documents without the field come last.
    expect((await query({ orderBy: "city" })).items.at(-1)?.id).toBe("d");

    const count = async (where?: object) =>
      (await ctx.admin.request("POST", `/api/tables/${TABLE}/documents/count`, where ? { where } : {})).json<{
        count: number;
      }>().count;
    expect(await count()).toBe(4);
    expect(await count({ age: { gte: 30 } })).toBe(3);
  });

  it("bad operators, fields, values and limits are 422 with the offending path", async () => {
    const bad = async (body: object, path: string) => {
      const response = await ctx.admin.request("POST", `/api/tables/${TABLE}/documents/query`, body);
      expect(response.statusCode, response.body).toBe(422);
      const fields = response.json<{ details: { fields: Array<{ path: string }> } }>().details.fields;
      expect(fields.map((f) => f.path)).toContain(path);
    };
    await bad({ where: { age: { between: [1, 2] } } }, "body.where.age.between");
    await bad({ where: { "a.b": 1 } }, "body.where.a.b");
    await bad({ where: { "x'; drop table documents; --": 1 } }, "body.where.x'; drop table documents; --");
    await bad({ where: { name: { contains: 5 } } }, "body.where.name.contains");
    await bad({ where: { age: { gt: true } } }, "body.where.age.gt");
    await bad({ where: { age: { in: "x" } } }, "body.where.age.in");
    await bad({ where: { age: { isNull: "yes" } } }, "body.where.age.isNull");
    await bad({ orderBy: "no good" }, "body.orderBy");
    const tooMany = await ctx.admin.request("POST", `/api/tables/${TABLE}/documents/query`, { limit: 1001 });
    expect(tooMany.statusCode).toBe(422);
    const count = await ctx.admin.request("POST", `/api/tables/${TABLE}/documents/count`, {
      where: { age: { nope: 1 } },
    });
    expect(count.statusCode).toBe(422);
  });
});
