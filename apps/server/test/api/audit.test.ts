import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, expectAccessMatrix, type TestContext } from "../support/context.js";
import { expectNo5xx } from "../support/fuzz.js";

let ctx: TestContext;

type Entry = {
  id: string;
  action: string;
  resourceType: string;
  resourceId: string | null;
  actorId: string | null;
  actorEmail: string | null;
  actorName: string | null;
  organizationId: string | null;
  organizationName: string | null;
  resourceName: string | null;
  ipAddress: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
  createdAt: string;
};

async function allEntries(filter = "", limit = 7): Promise<Entry[]> {
  const entries: Entry[] = [];
  let cursor: string | null = null;
  do {
    const response = await ctx.admin.request(
      "GET",
      `/api/audit?limit=${limit}${filter ? `&${filter}` : ""}${cursor ? `&cursor=${cursor}` : ""}`,
    );
    expect(response.statusCode, response.body).toBe(200);
    const page: { items: Entry[]; nextCursor: string | null } = response.json();
    entries.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return entries;
}

beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.close();
});

describe("the audit log", () => {
  it("is for platform admins only", async () => {
    await expectAccessMatrix(ctx, { method: "GET", url: "/api/audit" }, { adminOnly: true });
  });

  it("records logins, failed logins, and organization, user and role changes, with who, where and the outcome", async () => {
    const failed = await ctx.app.app.inject({
      method: "POST",
      url: "/auth/login",
      payload: { email: "tech@contoso.example", password: "Secret-Guess-123456" },
      headers: { "x-request-id": "audit-test-1" },
    });
    expect(failed.statusCode).toBe(401);
    const entries = await allEntries();
    const actions = entries.map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        "auth.login",
        "organization.create",
        "user.create",
        "role.create",
        "role.assign",
      ]),
    );
    const failure = entries.find((e) => e.requestId === "audit-test-1");
    expect(failure).toMatchObject({
      action: "auth.login",
      resourceType: "user",
      resourceId: ctx.orgA.withRole.userId,
      details: { outcome: "failure", reason: "invalid credentials", email: "tech@contoso.example" },
    });
    expect(failure?.ipAddress).toBeTruthy();
    const created = entries.find(
      (e) => e.action === "user.create" && e.resourceId === ctx.orgB.withRole.userId,
    );
    expect(created).toMatchObject({ actorId: ctx.admin.userId, details: { outcome: "success" } });
    // Never a password or a secret.
    expect(JSON.stringify(entries)).not.toMatch(/Secret-Guess|passphrase|argon2/i);
  });

  it("lists newest first, and the cursor walks every entry once", async () => {
    const entries = await allEntries();
    const times = entries.map((e) => Date.parse(e.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const oneRequest = (await ctx.admin.request("GET", "/api/audit?limit=1000")).json<{ items: Entry[] }>()
      .items;
    expect(entries.map((e) => JSON.stringify(e))).toEqual(oneRequest.map((e) => JSON.stringify(e)));
  });

  it("records a logout, newest first", async () => {
    expect((await ctx.orgA.withoutRole.request("POST", "/auth/logout")).statusCode).toBe(204);
    const entries = await allEntries();
    expect(entries[0]).toMatchObject({ action: "auth.logout", actorId: ctx.orgA.withoutRole.userId });
  });
});

describe("names and filters of the audit log", () => {
  let since: string;
  let until: string;
  let orgId: string;
  let keptRoleId: string;
  let deletedRoleId: string;
  let adminEmail: string;

  beforeAll(async () => {
    adminEmail = (await ctx.admin.request("GET", "/auth/me")).json<{ email: string }>().email;
    await new Promise((resolve) => setTimeout(resolve, 5));
    since = new Date().toISOString();
    orgId = (await ctx.admin.request("POST", "/api/organizations", { name: "Audited Org" })).json<{
      id: string;
    }>().id;
    keptRoleId = (await ctx.admin.request("POST", "/api/roles", { name: "Audited kept role" })).json<{
      id: string;
    }>().id;
    deletedRoleId = (await ctx.admin.request("POST", "/api/roles", { name: "Audited doomed role" })).json<{
      id: string;
    }>().id;
    expect((await ctx.admin.request("DELETE", `/api/roles/${deletedRoleId}`)).statusCode).toBe(204);
    expect((await ctx.orgA.withRole.request("POST", "/auth/logout")).statusCode).toBe(204);
    await new Promise((resolve) => setTimeout(resolve, 5));
    until = new Date().toISOString();
  });

  it("answers the names of the actor, the organization and the resource, and the id alone once it is deleted", async () => {
    const entries = await allEntries(`since=${encodeURIComponent(since)}`, 1000);
    const created = entries.find((e) => e.action === "organization.create" && e.resourceId === orgId);
    expect(created).toMatchObject({
      actorId: ctx.admin.userId,
      actorEmail: adminEmail,
      resourceName: "Audited Org",
    });
    expect(created?.actorName).toEqual(expect.any(String));
    expect(entries.find((e) => e.action === "role.create" && e.resourceId === keptRoleId)).toMatchObject({
      resourceName: "Audited kept role",
    });
    for (const e of entries.filter((e) => e.resourceId === deletedRoleId)) {
      expect(e).toMatchObject({ resourceType: "role", resourceName: null });
    }
    expect(entries.filter((e) => e.resourceId === deletedRoleId).map((e) => e.action)).toEqual([
      "role.delete",
      "role.create",
    ]);
    const logout = entries.find((e) => e.action === "auth.logout" && e.actorId === ctx.orgA.withRole.userId);
    expect(logout).toMatchObject({ organizationId: ctx.orgA.id, organizationName: ctx.orgA.name });
    expect(logout?.actorName).toEqual(expect.any(String));
    // Resources of other kinds, and ids that are not uuids, have no name.
    const everything = await allEntries("", 1000);
    for (const e of everything.filter(
      (e) => !["user", "organization", "workflow", "role"].includes(e.resourceType),
    )) {
      expect(e.resourceName).toBeNull();
    }
    expect(everything.filter((e) => e.resourceName !== null).length).toBeGreaterThan(0);
  });

  it("filters by exact action, by action prefix, by actor id or e-mail, and by time, combined with AND", async () => {
    const exact = await allEntries("action=organization.create");
    expect(exact.length).toBeGreaterThan(1);
    expect(new Set(exact.map((e) => e.action))).toEqual(new Set(["organization.create"]));

    const prefix = await allEntries("action=role.");
    expect(new Set(prefix.map((e) => e.action))).toEqual(
      new Set(["role.create", "role.delete", "role.assign"]),
    );
    expect(await allEntries("action=role")).toEqual([]);

    const byId = await allEntries(`actor=${ctx.orgA.withRole.userId}`);
    expect(byId.length).toBeGreaterThan(0);
    expect(byId.every((e) => e.actorId === ctx.orgA.withRole.userId)).toBe(true);
    const byEmail = await allEntries(`actor=${encodeURIComponent(adminEmail.toUpperCase())}`);
    expect(byEmail.length).toBeGreaterThan(0);
    expect(byEmail.every((e) => e.actorEmail === adminEmail)).toBe(true);

    const window = await allEntries(`since=${encodeURIComponent(since)}&until=${encodeURIComponent(until)}`);
    expect(window.map((e) => e.action)).toEqual([
      "auth.logout",
      "role.delete",
      "role.create",
      "role.create",
      "organization.create",
    ]);
    expect(await allEntries(`until=${encodeURIComponent(since)}&action=role.delete`)).toEqual([]);

    const combined = await allEntries(
      `action=role.&actor=${encodeURIComponent(adminEmail)}&since=${encodeURIComponent(since)}`,
    );
    expect(combined.map((e) => [e.action, e.resourceId])).toEqual([
      ["role.delete", deletedRoleId],
      ["role.create", deletedRoleId],
      ["role.create", keptRoleId],
    ]);
  });

  it("pages through a filtered list one entry at a time, each once", async () => {
    const filter = "action=user.";
    const oneByOne = await allEntries(filter, 1);
    const all = await allEntries(filter, 1000);
    expect(all.length).toBeGreaterThan(3);
    expect(oneByOne.map((e) => e.id)).toEqual(all.map((e) => e.id));
  });

  it("answers 422 naming the field for a bad date, actor, action or range, never a 500", async () => {
    const cases: [string, string][] = [
      ["since=yesterday", "querystring.since"],
      ["until=2026-13-40T00:00:00Z", "querystring.until"],
      ["actor=not-an-email", "querystring.actor"],
      ["action=%25", "querystring.action"],
      [`action=${"a".repeat(101)}`, "querystring.action"],
      ["since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z", "querystring.until"],
    ];
    for (const [query, field] of cases) {
      const response = await ctx.admin.request("GET", `/api/audit?${query}`);
      expect(response.statusCode, query).toBe(422);
      const body = response.json<{ error: string; details: { fields: { path: string }[] } }>();
      expect(body.error).toBe("validation_error");
      expect(body.details.fields.map((f) => f.path)).toContain(field);
    }
  });

  it("answers 200 or 4xx, never a 500, to any filter values", async () => {
    const value = fc.oneof(
      fc.string({ maxLength: 120 }),
      fc.constantFrom("", "%00", "a%ZZ", "role.%25", "_", "x".repeat(5000), "2026-01-01", "user@"),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.record({ actor: value, action: value, since: value, until: value }, { requiredKeys: [] }),
        async (query) => {
          const search = Object.entries(query)
            .map(([name, v]) => `${name}=${encodeURIComponent(v)}`)
            .join("&");
          await expectNo5xx(ctx.app, {
            method: "GET",
            url: `/api/audit?${search}`,
            headers: { authorization: `Bearer ${ctx.admin.token}` },
          });
        },
      ),
      { numRuns: 200 },
    );
  }, 60_000);

  it("refuses an organization user, filters or not", async () => {
    for (const query of ["", `?actor=${ctx.orgB.withRole.userId}`, "?action=user."]) {
      expect((await ctx.orgB.withRole.request("GET", `/api/audit${query}`)).statusCode).toBe(403);
    }
  });
});
