import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, expectAccessMatrix, signedInUser, type TestContext } from "../support/context.js";
import { matrixFixtures, type Entry } from "./access-matrix.fixtures.js";
import { coreEntries } from "./access-matrix.entries-core.js";
import { dataEntries } from "./access-matrix.entries-data.js";

// Every route that needs a token, with its access matrix (API.md "403 or 404"). A route added
// without an entry here fails the first test.

let ctx: TestContext;

const fixtures = matrixFixtures(() => ctx);
const { UNKNOWN } = fixtures;
const entries: Record<string, Entry> = {
  ...coreEntries(() => ctx, fixtures),
  ...dataEntries(() => ctx, fixtures),
};

beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.close();
});

describe("the access matrix", () => {
  it("covers every route that needs a token", () => {
    const paths = (
      ctx.app.app.swagger() as { paths: Record<string, Record<string, { security?: unknown[] }>> }
    ).paths;
    const protectedRoutes = Object.entries(paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => (operation.security?.length ?? 0) > 0)
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(protectedRoutes.length).toBeGreaterThan(10);
    expect(protectedRoutes.filter((route) => !(route in entries))).toEqual([]);
  });

  for (const [name, entry] of Object.entries(entries).filter(([, e]) => e.kind === "runOnly")) {
    it(`${name}: anonymous 401, every signed-in user 403 (runs only)`, async () => {
      const url = await entry.url();
      const payload = entry.payload ? await entry.payload() : undefined;
      const request = { method: entry.method as "POST", url, ...(payload ? { payload } : {}) };
      expect((await ctx.app.app.inject(request)).statusCode).toBe(401);
      for (const user of [ctx.admin, ctx.orgA.withRole]) {
        expect((await user.request(entry.method, url, payload)).statusCode).toBe(403);
      }
    });
  }

  for (const [name, entry] of Object.entries(entries).filter(([, e]) => e.kind !== "runOnly")) {
    it(`${name}: anonymous 401${entry.kind === "adminOnly" ? ", organization users 403" : ""}, allowed caller served`, async () => {
      const url = await entry.url();
      const payload = entry.payload ? await entry.payload() : undefined;
      // A route that ends the caller's own login gets a caller of its own.
      const allowed = entry.kind === "anyUser" ? await signedInUser(ctx, ctx.orgA.id) : ctx.admin;
      await expectAccessMatrix(
        ctx,
        { method: entry.method, url, ...(payload ? { payload } : {}) },
        {
          adminOnly: entry.kind === "adminOnly",
          allowed,
          ...(entry.allowedStatus !== undefined ? { allowedStatus: entry.allowedStatus } : {}),
        },
      );
    });
  }

  it("an unknown id on an admin route is 404, not the data of something else", async () => {
    expect((await ctx.admin.request("GET", `/api/users/${UNKNOWN}`)).statusCode).toBe(404);
    expect((await ctx.admin.request("GET", `/api/organizations/${UNKNOWN}`)).statusCode).toBe(404);
  });
});
