import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, expectAccessMatrix, type TestContext } from "../support/context.js";

let ctx: TestContext;

type Entry = {
  action: string;
  resourceType: string;
  resourceId: string | null;
  actorId: string | null;
  ipAddress: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
  createdAt: string;
};

async function allEntries(): Promise<Entry[]> {
  const entries: Entry[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: Entry[]; nextCursor: string | null } = (
      await ctx.admin.request("GET", `/api/audit?limit=7${cursor ? `&cursor=${cursor}` : ""}`)
    ).json();
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
