import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROVIDER_ORGANIZATION_ID } from "../../src/db/schema/index.js";
import { createTestContext, expectAccessMatrix, type TestContext } from "../support/context.js";

let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.close();
});

const UNKNOWN = "00000000-0000-4000-8000-0000000000aa";

describe("access to the organization, user and role routes", () => {
  it("every route is platform admin only: anonymous 401, organization users 403, admin 2xx", async () => {
    const scratch = (await ctx.admin.request("POST", "/api/organizations", { name: "Scratch" })).json<{
      id: string;
    }>();
    // A user of its own, so revoking logins in the matrix leaves the context's clients signed in.
    const bystander = (
      await ctx.admin.request("POST", "/api/users", {
        email: "bystander@scratch.example",
        name: "By",
        organizationId: scratch.id,
      })
    ).json<{ id: string }>();
    const routes = [
      { method: "GET", url: "/api/organizations" },
      { method: "POST", url: "/api/organizations", payload: { name: "Matrix Org" } },
      { method: "GET", url: `/api/organizations/${ctx.orgA.id}` },
      { method: "PATCH", url: `/api/organizations/${ctx.orgA.id}`, payload: { domain: "contoso.example" } },
      { method: "GET", url: "/api/users" },
      {
        method: "POST",
        url: "/api/users",
        payload: { email: "matrix@contoso.example", name: "Matrix", organizationId: ctx.orgA.id },
      },
      { method: "GET", url: `/api/users/${ctx.orgB.withoutRole.userId}` },
      { method: "PATCH", url: `/api/users/${ctx.orgB.withRole.userId}`, payload: { name: "Renamed" } },
      { method: "GET", url: "/api/roles" },
      { method: "POST", url: "/api/roles", payload: { name: "Matrix Role" } },
      {
        method: "POST",
        url: `/api/roles/${ctx.roleId}/users`,
        payload: { userIds: [ctx.orgA.withRole.userId] },
      },
      { method: "POST", url: "/auth/admin/revoke-user", payload: { userId: bystander.id } },
      { method: "DELETE", url: `/api/organizations/${scratch.id}` },
    ];
    for (const route of routes) await expectAccessMatrix(ctx, route, { adminOnly: true });
  });
});

describe("organizations", () => {
  it("lists with cursor pagination, provider first, without deleted ones", async () => {
    const first = await ctx.admin.request("GET", "/api/organizations?limit=2");
    expect(first.statusCode).toBe(200);
    const page = first.json<{
      items: Array<{ id: string; isProvider: boolean }>;
      nextCursor: string | null;
    }>();
    expect(page.items).toHaveLength(2);
    expect(page.items[0]).toMatchObject({ id: PROVIDER_ORGANIZATION_ID, isProvider: true });
    expect(page.nextCursor).not.toBeNull();
    const rest = (
      await ctx.admin.request("GET", `/api/organizations?limit=1000&cursor=${page.nextCursor}`)
    ).json<{
      items: Array<{ id: string }>;
      nextCursor: string | null;
    }>();
    expect(rest.nextCursor).toBeNull();
    const ids = [...page.items, ...rest.items].map((o) => o.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining([ctx.orgA.id, ctx.orgB.id]));
    expect((await ctx.admin.request("GET", "/api/organizations?cursor=garbage")).statusCode).toBe(422);
  });

  it("a name is unique (case-insensitive): 409; a bad domain is 422", async () => {
    expect((await ctx.admin.request("POST", "/api/organizations", { name: "CONTOSO" })).statusCode).toBe(409);
    const bad = await ctx.admin.request("POST", "/api/organizations", {
      name: "Bad Domain",
      domain: "not a domain",
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toMatchObject({ details: { fields: [{ path: "body.domain" }] } });
  });

  it("a concurrency limit is set, cleared with null, and refused with 422 outside 1–10,000 or not whole", async () => {
    const org = (await ctx.admin.request("POST", "/api/organizations", { name: "Limited Ltd" })).json<{
      id: string;
      maxConcurrentRuns: number | null;
    }>();
    expect(org.maxConcurrentRuns).toBeNull();
    const set = await ctx.admin.request("PATCH", `/api/organizations/${org.id}`, { maxConcurrentRuns: 3 });
    expect(set.json()).toMatchObject({ maxConcurrentRuns: 3 });
    expect((await ctx.admin.request("GET", `/api/organizations/${org.id}`)).json()).toMatchObject({
      maxConcurrentRuns: 3,
    });
    for (const bad of [0, -1, 10_001, 2.5, "3"]) {
      const refused = await ctx.admin.request("PATCH", `/api/organizations/${org.id}`, {
        maxConcurrentRuns: bad,
      });
      expect(refused.statusCode, String(bad)).toBe(422);
      expect(refused.json()).toMatchObject({ details: { fields: [{ path: "body.maxConcurrentRuns" }] } });
    }
    const cleared = await ctx.admin.request("PATCH", `/api/organizations/${org.id}`, {
      maxConcurrentRuns: null,
    });
    expect(cleared.json()).toMatchObject({ maxConcurrentRuns: null });
    // An organization's own user cannot lift its limit.
    const own = await ctx.orgA.withRole.request("PATCH", `/api/organizations/${ctx.orgA.id}`, {
      maxConcurrentRuns: 10_000,
    });
    expect(own.statusCode).toBe(403);
    expect((await ctx.admin.request("GET", `/api/organizations/${ctx.orgA.id}`)).json()).toMatchObject({
      maxConcurrentRuns: null,
    });
  });

  it("soft delete: its users cannot sign in or use their tokens; it disappears; the provider cannot be deleted", async () => {
    const org = (await ctx.admin.request("POST", "/api/organizations", { name: "Leaving Ltd" })).json<{
      id: string;
    }>();
    const password = "a leaving user's passphrase";
    await ctx.admin.request("POST", "/api/users", {
      email: "bye@leaving.example",
      name: "Bye",
      password,
      organizationId: org.id,
    });
    const login = await ctx.app.app.inject({
      method: "POST",
      url: "/auth/login",
      payload: { email: "bye@leaving.example", password },
    });
    const token = login.json<{ accessToken: string }>().accessToken;
    expect((await ctx.admin.request("DELETE", `/api/organizations/${org.id}`)).statusCode).toBe(204);
    const me = await ctx.app.app.inject({
      method: "GET",
      url: "/auth/me",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(me.statusCode).toBe(401);
    const again = await ctx.app.app.inject({
      method: "POST",
      url: "/auth/login",
      payload: { email: "bye@leaving.example", password },
    });
    expect(again.statusCode).toBe(401);
    expect((await ctx.admin.request("GET", `/api/organizations/${org.id}`)).statusCode).toBe(404);
    expect((await ctx.admin.request("DELETE", `/api/organizations/${org.id}`)).statusCode).toBe(404);
    expect(
      (await ctx.admin.request("DELETE", `/api/organizations/${PROVIDER_ORGANIZATION_ID}`)).statusCode,
    ).toBe(404);
    expect((await ctx.admin.request("GET", `/api/organizations/${UNKNOWN}`)).statusCode).toBe(404);
  });
});

describe("users", () => {
  it("an e-mail is unique: 409; an unknown organization or a weak password is 422", async () => {
    const base = { name: "Dup", organizationId: ctx.orgA.id };
    expect(
      (await ctx.admin.request("POST", "/api/users", { ...base, email: "TECH@contoso.example" })).statusCode,
    ).toBe(409);
    const unknownOrg = await ctx.admin.request("POST", "/api/users", {
      ...base,
      email: "x@contoso.example",
      organizationId: UNKNOWN,
    });
    expect(unknownOrg.statusCode).toBe(422);
    const weak = await ctx.admin.request("POST", "/api/users", {
      ...base,
      email: "y@contoso.example",
      password: "password",
    });
    expect(weak.statusCode).toBe(422);
  });

  it("only members of the provider organization can be platform admins", async () => {
    const response = await ctx.admin.request("POST", "/api/users", {
      email: "boss@contoso.example",
      name: "Boss",
      organizationId: ctx.orgA.id,
      isSuperuser: true,
    });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({ details: { fields: [{ path: "body.isSuperuser" }] } });
  });

  it("deactivating a user refuses their still-valid token at once; delete needs deactivation first", async () => {
    const victim = ctx.orgB.withoutRole;
    expect((await victim.request("GET", "/auth/me")).statusCode).toBe(200);
    expect((await ctx.admin.request("DELETE", `/api/users/${victim.userId}`)).statusCode).toBe(409);
    const deactivated = await ctx.admin.request("PATCH", `/api/users/${victim.userId}`, { isActive: false });
    expect(deactivated.statusCode).toBe(200);
    expect(deactivated.json()).toMatchObject({ isActive: false });
    expect((await victim.request("GET", "/auth/me")).statusCode).toBe(401);
    expect((await ctx.admin.request("DELETE", `/api/users/${victim.userId}`)).statusCode).toBe(204);
    expect((await ctx.admin.request("GET", `/api/users/${victim.userId}`)).statusCode).toBe(404);
  });

  it("demoting a platform admin takes effect on their next request, not at token expiry", async () => {
    const password = "a second admin's passphrase";
    const created = await ctx.admin.request("POST", "/api/users", {
      email: "second@msp.example",
      name: "Second",
      password,
      organizationId: PROVIDER_ORGANIZATION_ID,
      isSuperuser: true,
    });
    expect(created.statusCode).toBe(201);
    const login = await ctx.app.app.inject({
      method: "POST",
      url: "/auth/login",
      payload: { email: "second@msp.example", password },
    });
    const token = login.json<{ accessToken: string }>().accessToken;
    const asSecond = () =>
      ctx.app.app.inject({
        method: "GET",
        url: "/api/organizations",
        headers: { authorization: `Bearer ${token}` },
      });
    expect((await asSecond()).statusCode).toBe(200);
    const id = created.json<{ id: string }>().id;
    expect((await ctx.admin.request("PATCH", `/api/users/${id}`, { isSuperuser: false })).statusCode).toBe(
      200,
    );
    expect((await asSecond()).statusCode).toBe(403);
  });

  it("lists users of one organization", async () => {
    const list = await ctx.admin.request("GET", `/api/users?organizationId=${ctx.orgA.id}&limit=1000`);
    const emails = list.json<{ items: Array<{ email: string; organizationId: string }> }>().items;
    expect(emails.every((u) => u.organizationId === ctx.orgA.id)).toBe(true);
    expect(emails.map((u) => u.email)).toEqual(
      expect.arrayContaining(["tech@contoso.example", "clerk@contoso.example"]),
    );
  });
});

describe("roles", () => {
  it("a role's members carry it in /auth/me after signing in; a duplicate name is 409; unknown users 422", async () => {
    const me = await ctx.orgA.withRole.request("GET", "/auth/me");
    expect(me.json()).toMatchObject({ roles: ["Technicians"] });
    expect((await ctx.orgA.withoutRole.request("GET", "/auth/me")).json()).toMatchObject({ roles: [] });
    expect((await ctx.admin.request("POST", "/api/roles", { name: "technicians" })).statusCode).toBe(409);
    const unknown = await ctx.admin.request("POST", `/api/roles/${ctx.roleId}/users`, { userIds: [UNKNOWN] });
    expect(unknown.statusCode).toBe(422);
    expect(
      (
        await ctx.admin.request("POST", `/api/roles/${UNKNOWN}/users`, {
          userIds: [ctx.orgA.withRole.userId],
        })
      ).statusCode,
    ).toBe(404);
  });
});
