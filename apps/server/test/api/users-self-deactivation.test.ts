import { inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROVIDER_ORGANIZATION_ID, users } from "../../src/db/schema/index.js";
import {
  createTestContext,
  PASSWORD,
  signedInAs,
  type Client,
  type TestContext,
} from "../support/context.js";

// An admin never deactivates their own account (issue 26 item 9): not through the user route, not
// hidden among others in a bulk action, not with the id spelt in upper case. Nothing changes.

let ctx: TestContext;

const activeOf = async (ids: string[]) =>
  Object.fromEntries(
    (await ctx.app.database.db.select().from(users).where(inArray(users.id, ids))).map((u) => [
      u.id,
      u.isActive,
    ]),
  );

async function newUser(email: string, isSuperuser = false): Promise<string> {
  const created = await ctx.admin.request("POST", "/api/users", {
    email,
    name: email.split("@")[0],
    password: PASSWORD,
    organizationId: isSuperuser ? PROVIDER_ORGANIZATION_ID : ctx.orgA.id,
    isSuperuser,
  });
  expect(created.statusCode, created.body).toBe(201);
  return created.json<{ id: string }>().id;
}

/** A second platform admin, signed in: the one who may deactivate the first. */
async function secondAdmin(email: string): Promise<Client> {
  const id = await newUser(email, true);
  return await signedInAs(ctx.app, email, id);
}

beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx?.close());

describe("an admin deactivating their own account", () => {
  it("is refused with 422 through PATCH /api/users/{id}, whatever the id's case; nothing else in the body is applied", async () => {
    const self = ctx.admin.userId;
    for (const id of [self, self.toUpperCase()]) {
      const refused = await ctx.admin.request("PATCH", `/api/users/${id}`, {
        isActive: false,
        name: "Renamed",
      });
      expect(refused.statusCode, refused.body).toBe(422);
      expect(refused.json()).toMatchObject({
        error: "validation_error",
        message: "You cannot deactivate your own account",
        details: { fields: [{ path: "body.isActive" }] },
      });
    }
    expect(await activeOf([self])).toEqual({ [self]: true });
    const me = await ctx.admin.request("GET", "/auth/me");
    expect(me.statusCode).toBe(200);
    expect(me.json<{ name: string }>().name).toBe("Admin");
    // Other changes to oneself are allowed, "active" included.
    expect((await ctx.admin.request("PATCH", `/api/users/${self}`, { isActive: true })).statusCode).toBe(200);
    const renamed = await ctx.admin.request("PATCH", `/api/users/${self}`, { name: "Admin Too" });
    expect(renamed.statusCode).toBe(200);
    await ctx.admin.request("PATCH", `/api/users/${self}`, { name: "Admin" });
  });

  it("is refused with 422 through POST /api/users/bulk, with oneself among others: none of them is deactivated", async () => {
    const self = ctx.admin.userId;
    const others = [await newUser("one@bulk-self.example"), await newUser("two@bulk-self.example")];
    for (const userIds of [
      [self],
      [...others, self],
      [others[0] ?? "", self.toUpperCase(), others[1] ?? ""],
    ]) {
      const refused = await ctx.admin.request("POST", "/api/users/bulk", {
        userIds,
        action: { type: "deactivate" },
      });
      expect(refused.statusCode, refused.body).toBe(422);
      expect(refused.json()).toMatchObject({
        message: "You cannot deactivate your own account",
        details: { fields: [{ path: "body.userIds" }] },
      });
    }
    expect(await activeOf([self, ...others])).toEqual({
      [self]: true,
      [others[0] ?? ""]: true,
      [others[1] ?? ""]: true,
    });
    expect((await ctx.admin.request("GET", "/auth/me")).statusCode).toBe(200);
    // Without oneself, the same action goes through; activating oneself in bulk is no harm.
    const done = await ctx.admin.request("POST", "/api/users/bulk", {
      userIds: others,
      action: { type: "deactivate" },
    });
    expect(done.json()).toEqual({ updated: 2 });
    const activated = await ctx.admin.request("POST", "/api/users/bulk", {
      userIds: [...others, self],
      action: { type: "activate" },
    });
    expect(activated.statusCode).toBe(200);
  });

  it("another platform admin may deactivate them, and is refused the same for themselves", async () => {
    const second = await secondAdmin("second-admin@msp.example");
    const third = await newUser("third-admin@msp.example", true);
    const ownRefused = await second.request("PATCH", `/api/users/${second.userId}`, { isActive: false });
    expect(ownRefused.statusCode).toBe(422);
    const deactivated = await second.request("PATCH", `/api/users/${third}`, { isActive: false });
    expect(deactivated.statusCode, deactivated.body).toBe(200);
    expect(await activeOf([second.userId, third])).toEqual({ [second.userId]: true, [third]: false });
  });
});
