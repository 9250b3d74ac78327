import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../support/context.js";

// A user's logins, listed and ended one by one, by the user and by a platform admin (issue 22): an
// ended login is refused on its next request; nobody ends or sees another user's logins but an admin.

const PASSWORD = "a sessions test passphrase";

let ctx: TestContext;
let organizationId: string;

type Login = { token: string; refreshToken: string };
type Session = { id: string; current: boolean; userAgent: string | null; ip: string | null };

async function newUser(label: string): Promise<{ id: string; email: string }> {
  const email = `${label}-${Math.random().toString(36).slice(2, 8)}@sessions.example`;
  const created = await ctx.admin.request("POST", "/api/users", {
    email,
    name: label,
    password: PASSWORD,
    organizationId,
  });
  expect(created.statusCode).toBe(201);
  return { id: created.json<{ id: string }>().id, email };
}

async function login(email: string, userAgent: string): Promise<Login> {
  const response = await ctx.app.app.inject({
    method: "POST",
    url: "/auth/login",
    payload: { email, password: PASSWORD },
    headers: { "user-agent": userAgent },
  });
  expect(response.statusCode).toBe(200);
  const body = response.json<{ accessToken: string; refreshToken: string }>();
  return { token: body.accessToken, refreshToken: body.refreshToken };
}

const as = (token: string, method: string, url: string) =>
  ctx.app.app.inject({ method: method as "GET", url, headers: { authorization: `Bearer ${token}` } });

beforeAll(async () => {
  ctx = await createTestContext();
  organizationId = ctx.orgA.id;
});
afterAll(() => ctx?.close());

describe("a user's own logins", () => {
  it("lists them with the current one marked; ending another refuses it at once, this one stays", async () => {
    const user = await newUser("ada");
    const laptop = await login(user.email, "Laptop browser");
    const phone = await login(user.email, "Phone browser");
    const listed = (await as(laptop.token, "GET", "/auth/sessions")).json<{ items: Session[] }>().items;
    expect(listed).toHaveLength(2);
    const mine = listed.find((s) => s.current);
    const other = listed.find((s) => !s.current);
    expect(mine?.userAgent).toBe("Laptop browser");
    expect(other?.userAgent).toBe("Phone browser");
    expect(other?.ip).toBe("127.0.0.1");

    expect((await as(laptop.token, "DELETE", `/auth/sessions/${other?.id}`)).statusCode).toBe(204);
    expect((await as(phone.token, "GET", "/auth/me")).statusCode).toBe(401);
    const refresh = await ctx.app.app.inject({
      method: "POST",
      url: "/auth/refresh",
      payload: { refreshToken: phone.refreshToken },
    });
    expect(refresh.statusCode).toBe(401);
    expect((await as(laptop.token, "GET", "/auth/me")).statusCode).toBe(200);
    // Ended, it is gone from the list, and ending it again is 404.
    expect((await as(laptop.token, "GET", "/auth/sessions")).json<{ items: Session[] }>().items).toHaveLength(
      1,
    );
    expect((await as(laptop.token, "DELETE", `/auth/sessions/${other?.id}`)).statusCode).toBe(404);
  });

  it("another user's login can be neither seen nor ended (404), whoever asks for it", async () => {
    const victim = await newUser("victim");
    const attacker = await newUser("attacker");
    const victimLogin = await login(victim.email, "Victim browser");
    const attackerLogin = await login(attacker.email, "Attacker browser");
    const victimSession = (await as(victimLogin.token, "GET", "/auth/sessions")).json<{ items: Session[] }>()
      .items[0];
    const seen = (await as(attackerLogin.token, "GET", "/auth/sessions")).json<{ items: Session[] }>().items;
    expect(seen.map((s) => s.id)).not.toContain(victimSession?.id);
    expect((await as(attackerLogin.token, "DELETE", `/auth/sessions/${victimSession?.id}`)).statusCode).toBe(
      404,
    );
    expect((await as(attackerLogin.token, "GET", `/api/users/${victim.id}/sessions`)).statusCode).toBe(403);
    expect(
      (await as(attackerLogin.token, "DELETE", `/api/users/${victim.id}/sessions/${victimSession?.id}`))
        .statusCode,
    ).toBe(403);
    expect((await as(victimLogin.token, "GET", "/auth/me")).statusCode).toBe(200);
  });
});

describe("a platform admin and another user's logins", () => {
  it("lists them and ends one: refused on its next request; the user's other login stays", async () => {
    const user = await newUser("bob");
    const first = await login(user.email, "First browser");
    const second = await login(user.email, "Second browser");
    const listed = await ctx.admin.request("GET", `/api/users/${user.id}/sessions`);
    expect(listed.statusCode).toBe(200);
    const items = listed.json<{ items: Session[] }>().items;
    expect(items).toHaveLength(2);
    expect(items.every((s) => !s.current)).toBe(true);
    const target = items.find((s) => s.userAgent === "First browser");
    expect(
      (await ctx.admin.request("DELETE", `/api/users/${user.id}/sessions/${target?.id}`)).statusCode,
    ).toBe(204);
    expect((await as(first.token, "GET", "/auth/me")).statusCode).toBe(401);
    expect((await as(second.token, "GET", "/auth/me")).statusCode).toBe(200);
    const audit = (await ctx.admin.request("GET", "/api/audit?limit=1000")).json<{
      items: Array<{ action: string; resourceId: string | null }>;
    }>();
    expect(audit.items.some((e) => e.action === "auth.session_revoke" && e.resourceId === target?.id)).toBe(
      true,
    );
  });

  it("a login named under another user's path, an unknown user or a malformed id: 404 or 422", async () => {
    const owner = await newUser("owner");
    const other = await newUser("other");
    const ownerLogin = await login(owner.email, "Owner browser");
    const session = (await as(ownerLogin.token, "GET", "/auth/sessions")).json<{ items: Session[] }>()
      .items[0];
    expect(
      (await ctx.admin.request("DELETE", `/api/users/${other.id}/sessions/${session?.id}`)).statusCode,
    ).toBe(404);
    expect((await as(ownerLogin.token, "GET", "/auth/me")).statusCode).toBe(200);
    const unknown = "00000000-0000-4000-8000-000000000000";
    expect((await ctx.admin.request("GET", `/api/users/${unknown}/sessions`)).statusCode).toBe(404);
    expect((await ctx.admin.request("GET", `/api/users/not-an-id/sessions`)).statusCode).toBe(422);
    expect((await ctx.admin.request("DELETE", `/api/users/${owner.id}/sessions/nope`)).statusCode).toBe(422);
  });
});
