import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { userRoles, workflowRoles } from "../../src/db/schema/index.js";
import { createTestContext, type TestContext } from "../support/context.js";

// Roles can be taken away, renamed and deleted (issue 22): a change reaches the user's next request
// (the access state is invalidated through the bus, so on every API process), and a deleted role
// leaves no reference behind.

let ctx: TestContext;

const WORKFLOW = `import { workflow } from "@bifrost/sdk";
export const gated = workflow({ async run() { return "ok"; } });
`;

beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx?.close());

const rolesOf = async (client: TestContext["admin"]): Promise<string[]> =>
  (await client.request("GET", "/auth/me")).json<{ roles: string[] }>().roles;

async function newRole(name: string): Promise<string> {
  const created = await ctx.admin.request("POST", "/api/roles", { name });
  expect(created.statusCode).toBe(201);
  return created.json<{ id: string }>().id;
}

describe("managing roles", () => {
  it("a role taken from a user is gone on their next request, with the same token; a non-member is 404", async () => {
    const roleId = await newRole("Dispatchers");
    const user = ctx.orgA.withoutRole;
    await ctx.admin.request("POST", `/api/roles/${roleId}/users`, { userIds: [user.userId] });
    expect(await rolesOf(user)).toContain("Dispatchers");
    const members = await ctx.admin.request("GET", `/api/roles/${roleId}/users`);
    expect(members.json<{ items: Array<{ id: string }> }>().items.map((m) => m.id)).toEqual([user.userId]);
    expect((await ctx.admin.request("DELETE", `/api/roles/${roleId}/users/${user.userId}`)).statusCode).toBe(
      204,
    );
    expect(await rolesOf(user)).not.toContain("Dispatchers");
    expect((await ctx.admin.request("DELETE", `/api/roles/${roleId}/users/${user.userId}`)).statusCode).toBe(
      404,
    );
    expect((await ctx.admin.request("GET", `/api/roles/${roleId}/users`)).json()).toEqual({ items: [] });
  });

  it("a rename shows at once; a name another role has is 409; bad input 422; an unknown role 404", async () => {
    const roleId = await newRole("Night shift");
    await newRole("Day shift");
    const user = ctx.orgB.withoutRole;
    await ctx.admin.request("POST", `/api/roles/${roleId}/users`, { userIds: [user.userId] });
    const renamed = await ctx.admin.request("PATCH", `/api/roles/${roleId}`, {
      name: "Late shift",
      description: "After 18:00",
    });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({ name: "Late shift", description: "After 18:00" });
    expect(await rolesOf(user)).toContain("Late shift");
    expect((await ctx.admin.request("PATCH", `/api/roles/${roleId}`, { name: "day SHIFT" })).statusCode).toBe(
      409,
    );
    expect((await ctx.admin.request("PATCH", `/api/roles/${roleId}`, { name: "" })).statusCode).toBe(422);
    expect(
      (await ctx.admin.request("PATCH", `/api/roles/${roleId}`, { description: null })).json(),
    ).toMatchObject({
      description: null,
    });
    const unknown = "00000000-0000-4000-8000-000000000000";
    expect((await ctx.admin.request("PATCH", `/api/roles/${unknown}`, { name: "x" })).statusCode).toBe(404);
    expect((await ctx.admin.request("DELETE", `/api/roles/${unknown}`)).statusCode).toBe(404);
    expect((await ctx.admin.request("GET", `/api/roles/${unknown}`)).statusCode).toBe(404);
  });

  it("deleting a role leaves no reference: memberships and workflow gates go, members lose it at once", async () => {
    const roleId = await newRole("Auditors");
    const user = ctx.orgA.withRole;
    await ctx.admin.request("POST", `/api/roles/${roleId}/users`, { userIds: [user.userId] });
    const written = await ctx.admin.request("PUT", "/api/files/editor/content", {
      path: "gated.ts",
      content: WORKFLOW,
    });
    expect(written.statusCode, written.body).toBe(200);
    const workflowId = written.json<{ workflows: Array<{ id: string }> }>().workflows[0]?.id ?? "";
    await ctx.admin.request("PATCH", `/api/workflows/${workflowId}`, {
      roleIds: [roleId],
      organizationId: null,
    });
    const detail = await ctx.admin.request("GET", `/api/roles/${roleId}`);
    expect(detail.json()).toMatchObject({ name: "Auditors", workflows: [{ id: workflowId, name: "gated" }] });
    // The member reaches the role-gated workflow; after the delete, on their next request, not.
    expect((await user.request("GET", `/api/workflows/${workflowId}`)).statusCode).toBe(200);

    expect((await ctx.admin.request("DELETE", `/api/roles/${roleId}`)).statusCode).toBe(204);
    expect((await user.request("GET", `/api/workflows/${workflowId}`)).statusCode).toBe(404);
    expect(await rolesOf(user)).not.toContain("Auditors");
    const db = ctx.app.database.db;
    expect(await db.select().from(userRoles).where(eq(userRoles.roleId, roleId))).toEqual([]);
    expect(await db.select().from(workflowRoles).where(eq(workflowRoles.roleId, roleId))).toEqual([]);
    expect((await ctx.admin.request("GET", `/api/workflows/${workflowId}`)).json()).toMatchObject({
      roleIds: [],
    });
    expect((await ctx.admin.request("GET", `/api/roles/${roleId}`)).statusCode).toBe(404);
  });
});
