import { inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "../../src/db/schema/index.js";
import { createTestContext, type TestContext } from "../support/context.js";

// Bulk user actions (issue 22): one transaction — all the users or none of them.

let ctx: TestContext;
let target: string;

async function threeUsers(label: string): Promise<string[]> {
  const ids: string[] = [];
  for (const n of [1, 2, 3]) {
    const created = await ctx.admin.request("POST", "/api/users", {
      email: `${label}${n}@bulk.example`,
      name: `${label} ${n}`,
      organizationId: ctx.orgA.id,
    });
    expect(created.statusCode).toBe(201);
    ids.push(created.json<{ id: string }>().id);
  }
  return ids;
}

const organizationsOf = async (ids: string[]) =>
  (await ctx.app.database.db.select().from(users).where(inArray(users.id, ids))).map((u) => u.organizationId);

beforeAll(async () => {
  ctx = await createTestContext();
  target = (await ctx.admin.request("POST", "/api/organizations", { name: "Bulk Target" })).json<{
    id: string;
  }>().id;
});
afterAll(() => ctx?.close());

describe("bulk user actions", () => {
  it("moves 3 users together", async () => {
    const ids = await threeUsers("mover");
    const moved = await ctx.admin.request("POST", "/api/users/bulk", {
      userIds: ids,
      action: { type: "move", organizationId: target },
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toEqual({ updated: 3 });
    expect(await organizationsOf(ids)).toEqual([target, target, target]);
  });

  it("moves none when one of them cannot move: an unknown user, or a platform admin out of the provider", async () => {
    const ids = await threeUsers("stayer");
    const unknown = "00000000-0000-4000-8000-000000000000";
    const refused = await ctx.admin.request("POST", "/api/users/bulk", {
      userIds: [...ids, unknown],
      action: { type: "move", organizationId: target },
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ details: { fields: [{ path: "body.userIds" }] } });
    expect(await organizationsOf(ids)).toEqual([ctx.orgA.id, ctx.orgA.id, ctx.orgA.id]);
    // A platform admin among them (last): refused as a whole, the others stay where they were.
    const withAdmin = await ctx.admin.request("POST", "/api/users/bulk", {
      userIds: [...ids, ctx.admin.userId],
      action: { type: "move", organizationId: target },
    });
    expect(withAdmin.statusCode).toBe(422);
    expect(await organizationsOf(ids)).toEqual([ctx.orgA.id, ctx.orgA.id, ctx.orgA.id]);
  });

  it("replaces roles, deactivates and activates; the changes reach the users' next requests", async () => {
    const member = ctx.orgB.withoutRole;
    const role = (await ctx.admin.request("POST", "/api/roles", { name: "Bulk role" })).json<{ id: string }>()
      .id;
    const given = await ctx.admin.request("POST", "/api/users/bulk", {
      userIds: [member.userId],
      action: { type: "replaceRoles", roleIds: [role] },
    });
    expect(given.statusCode).toBe(200);
    expect((await member.request("GET", "/auth/me")).json<{ roles: string[] }>().roles).toEqual([
      "Bulk role",
    ]);
    await ctx.admin.request("POST", "/api/users/bulk", {
      userIds: [member.userId],
      action: { type: "replaceRoles", roleIds: [] },
    });
    expect((await member.request("GET", "/auth/me")).json<{ roles: string[] }>().roles).toEqual([]);
    await ctx.admin.request("POST", "/api/users/bulk", {
      userIds: [member.userId],
      action: { type: "deactivate" },
    });
    expect((await member.request("GET", "/auth/me")).statusCode).toBe(401);
    await ctx.admin.request("POST", "/api/users/bulk", {
      userIds: [member.userId],
      action: { type: "activate" },
    });
    const unknownRole = await ctx.admin.request("POST", "/api/users/bulk", {
      userIds: [member.userId],
      action: { type: "replaceRoles", roleIds: ["00000000-0000-4000-8000-000000000000"] },
    });
    expect(unknownRole.statusCode).toBe(422);
  });

  it("refuses bad input with 422, and organization users with 403", async () => {
    for (const body of [
      {},
      { userIds: [], action: { type: "activate" } },
      { userIds: [ctx.orgA.withRole.userId], action: { type: "promote" } },
      { userIds: [ctx.orgA.withRole.userId, ctx.orgA.withRole.userId], action: { type: "activate" } },
      { userIds: ["nope"], action: { type: "activate" } },
    ]) {
      expect(
        (await ctx.admin.request("POST", "/api/users/bulk", body)).statusCode,
        JSON.stringify(body),
      ).toBe(422);
    }
    const attempt = await ctx.orgA.withRole.request("POST", "/api/users/bulk", {
      userIds: [ctx.orgA.withRole.userId],
      action: { type: "move", organizationId: target },
    });
    expect(attempt.statusCode).toBe(403);
  });
});
