import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTestContext,
  expectAccessMatrix,
  signedInUser,
  type Client,
  type TestContext,
} from "../support/context.js";
import { matrixFixtures, type Entry } from "./access-matrix.fixtures.js";
import { accountEntries } from "./access-matrix.entries-account.js";
import { coreEntries } from "./access-matrix.entries-core.js";
import { dataEntries } from "./access-matrix.entries-data.js";

// Every route that needs a token, with its access matrix (API.md "403 or 404"). A route added
// without an entry here fails the first test.

let ctx: TestContext;

const fixtures = matrixFixtures(() => ctx);
const { UNKNOWN } = fixtures;
const entries: Record<string, Entry> = {
  ...accountEntries(() => ctx, fixtures),
  ...coreEntries(() => ctx, fixtures),
  ...dataEntries(() => ctx, fixtures),
};

beforeAll(async () => {
  ctx = await createTestContext();
});

/** A run's SDK: the execution token of a run started by an organization user. */
async function runClient(): Promise<Client> {
  const caller = ctx.orgA.withRole;
  const token = await ctx.app.services.executionTokens.mint(
    {
      executionId: randomUUID(),
      userId: caller.userId,
      email: "tech@contoso.example",
      name: "tech",
      organizationId: ctx.orgA.id,
      roles: [],
    },
    60,
  );
  return {
    userId: caller.userId,
    token,
    request: (method, url, payload) =>
      ctx.app.app.inject({
        method: method as "GET",
        url,
        ...(payload ? { payload } : {}),
        headers: { authorization: `Bearer ${token}` },
      }),
  };
}
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
      const allowed = entry.kind === "adminOnly" ? ctx.admin : await signedInUser(ctx, ctx.orgA.id);
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

  // A run's execution token stands for its caller inside the run: never for their account, logins,
  // credentials or WebSocket (the `user` rule), and everything else a user may call, it may.
  for (const [name, entry] of Object.entries(entries).filter(([, e]) => e.kind === "userOnly")) {
    it(`${name}: a run's execution token gets 403 (users only)`, async () => {
      const url = await entry.url();
      const payload = entry.payload ? await entry.payload() : undefined;
      const run = await runClient();
      expect((await run.request(entry.method, url, payload)).statusCode).toBe(403);
    });
  }

  it("a run's execution token is let through on the routes for any caller (anyUser), not refused as a run", async () => {
    const run = await runClient();
    for (const [name, entry] of Object.entries(entries).filter(([, e]) => e.kind === "anyUser")) {
      const url = await entry.url();
      const payload = entry.payload ? await entry.payload() : undefined;
      expect([401, 403], name).not.toContain((await run.request(entry.method, url, payload)).statusCode);
    }
  });

  it("an unknown id on an admin route is 404, not the data of something else", async () => {
    expect((await ctx.admin.request("GET", `/api/users/${UNKNOWN}`)).statusCode).toBe(404);
    expect((await ctx.admin.request("GET", `/api/organizations/${UNKNOWN}`)).statusCode).toBe(404);
  });
});
