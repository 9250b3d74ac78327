import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mailMessages, users } from "../../src/db/schema/index.js";
import { SecretBox } from "../../src/infra/crypto/secret-box.js";
import { createTestApp, TEST_SECRET_KEY, type TestApp } from "../support/app.js";
import { createTestContext, type TestContext } from "../support/context.js";
import { insertMember } from "../support/users.js";

// Invitations and password resets in-process on PostgreSQL: what the journeys on real servers
// cannot reach — expiry (a clock set back when the link is issued), revocation, resending, no mail
// server, and an attacker's tries (Host header, guessing, spending a link on a refused password).

const PUBLIC_URL = "https://bifrost.msp.example";
const PASSWORD = "a sturdy invited passphrase";

/** A clock that can be set back (the link's expiry comes from it; the check is the database's now). */
const clock = { offsetMs: 0, now: () => Date.now() + clock.offsetMs };

describe("single-use links, with a mail server configured", () => {
  let ctx: TestContext;
  const bodyOf = async (to: string): Promise<{ link: string }> => {
    const rows = await ctx.app.database.db.select().from(mailMessages).where(eq(mailMessages.toAddress, to));
    const sealed = rows.at(-1)?.bodySealed;
    if (!sealed) throw new Error(`no mail to ${to}`);
    return JSON.parse(new SecretBox(TEST_SECRET_KEY).open(sealed, "mail-body")) as { link: string };
  };
  const tokenOf = (link: string): string => link.split("#token=")[1] ?? "";
  const newUser = async (label: string) => {
    const email = `${label}@links.example`;
    const created = await ctx.admin.request("POST", "/api/users", {
      email,
      name: label,
      organizationId: ctx.orgA.id,
    });
    expect(created.statusCode).toBe(201);
    return { id: created.json<{ id: string }>().id, email };
  };
  const post = (url: string, payload: object, headers: Record<string, string> = {}) =>
    ctx.app.app.inject({ method: "POST", url, payload, headers });

  beforeAll(async () => {
    ctx = await createTestContext({
      clock,
      publicUrl: PUBLIC_URL,
      mail: { smtpUrl: "smtp://127.0.0.1:9", from: "Bifrost <bifrost@msp.example>" },
    });
  });
  afterAll(() => ctx?.close());

  it("an invitation issued 8 days ago has expired: refused, and the password stays unset", async () => {
    const user = await newUser("late");
    clock.offsetMs = -8 * 24 * 3600_000;
    try {
      expect((await ctx.admin.request("POST", `/api/users/${user.id}/invite`)).statusCode).toBe(200);
    } finally {
      clock.offsetMs = 0;
    }
    const { link } = await bodyOf(user.email);
    expect(link.startsWith(`${PUBLIC_URL}/invite#token=`)).toBe(true);
    const used = await post("/auth/register-from-invite", { token: tokenOf(link), password: PASSWORD });
    expect(used.statusCode).toBe(400);
    expect(used.json<{ message: string }>().message).toContain("not valid");
    expect((await post("/auth/login", { email: user.email, password: PASSWORD })).statusCode).toBe(401);
  });

  it("a reset link issued 31 minutes ago has expired", async () => {
    const user = await newUser("slow");
    await ctx.admin.request("POST", `/api/users/${user.id}/invite`);
    const invited = tokenOf((await bodyOf(user.email)).link);
    expect(
      (await post("/auth/register-from-invite", { token: invited, password: PASSWORD })).statusCode,
    ).toBe(200);
    clock.offsetMs = -31 * 60_000;
    try {
      expect((await ctx.admin.request("POST", `/api/users/${user.id}/password-reset`)).statusCode).toBe(200);
    } finally {
      clock.offsetMs = 0;
    }
    const { link } = await bodyOf(user.email);
    expect(link.startsWith(`${PUBLIC_URL}/reset-password#token=`)).toBe(true);
    expect(
      (await post("/auth/password/reset", { token: tokenOf(link), password: "a new passphrase!" }))
        .statusCode,
    ).toBe(400);
  });

  it("resending replaces the link, revoking ends it, and a second revoke is 404", async () => {
    const user = await newUser("twice");
    await ctx.admin.request("POST", `/api/users/${user.id}/invite`);
    const first = tokenOf((await bodyOf(user.email)).link);
    await ctx.admin.request("POST", `/api/users/${user.id}/invite`);
    const second = tokenOf((await bodyOf(user.email)).link);
    expect(second).not.toBe(first);
    expect((await post("/auth/register-from-invite", { token: first, password: PASSWORD })).statusCode).toBe(
      400,
    );
    const listed = (await ctx.admin.request("GET", "/api/platform/mail?limit=100")).json<{
      items: Array<{ to: string; template: string; status: string }>;
    }>();
    expect(listed.items.filter((m) => m.to === user.email)).toHaveLength(2);
    expect(JSON.stringify(listed)).not.toContain("#token=");
    expect((await ctx.admin.request("DELETE", `/api/users/${user.id}/invite`)).statusCode).toBe(204);
    expect((await post("/auth/register-from-invite", { token: second, password: PASSWORD })).statusCode).toBe(
      400,
    );
    expect((await ctx.admin.request("DELETE", `/api/users/${user.id}/invite`)).statusCode).toBe(404);
    const audit = (await ctx.admin.request("GET", "/api/audit?limit=1000")).json<{
      items: Array<{ action: string; resourceId: string | null; details: Record<string, unknown> }>;
    }>();
    const mine = audit.items.filter((e) => e.resourceId === user.id).map((e) => e.action);
    expect(mine.filter((a) => a === "user.invite")).toHaveLength(2);
    expect(mine).toContain("user.invite_revoke");
    expect(JSON.stringify(audit)).not.toContain(second);
  });

  it("a refused password does not spend the link; a guessed or malformed token opens nothing", async () => {
    const user = await newUser("careful");
    await ctx.admin.request("POST", `/api/users/${user.id}/invite`);
    const token = tokenOf((await bodyOf(user.email)).link);
    const weak = await post("/auth/register-from-invite", { token, password: "short" });
    expect(weak.statusCode).toBe(422);
    const guessed = await post("/auth/register-from-invite", {
      token: `${token.slice(0, -2)}AA`,
      password: PASSWORD,
    });
    expect(guessed.statusCode).toBe(400);
    for (const bad of ["", "x", "a".repeat(300), 42])
      expect((await post("/auth/register-from-invite", { token: bad, password: PASSWORD })).statusCode).toBe(
        422,
      );
    expect((await post("/auth/register-from-invite", { token, password: PASSWORD })).statusCode).toBe(200);
  });

  it("the reset link of a forgotten password points at BIFROST_PUBLIC_URL, whatever Host the request names", async () => {
    const user = await newUser("hosted");
    await ctx.admin.request("POST", `/api/users/${user.id}/invite`);
    await post("/auth/register-from-invite", {
      token: tokenOf((await bodyOf(user.email)).link),
      password: PASSWORD,
    });
    const asked = await post("/auth/password/forgot", { email: user.email }, { host: "evil.example" });
    expect(asked.statusCode).toBe(202);
    expect((await bodyOf(user.email)).link.startsWith(`${PUBLIC_URL}/reset-password#token=`)).toBe(true);
  });

  it("forgot: the same 202 for unknown, system and deactivated accounts, no mail for them; rate limited per account", async () => {
    const user = await newUser("gone");
    await ctx.admin.request("PATCH", `/api/users/${user.id}`, { isActive: false });
    for (const email of ["nobody@links.example", "system@bifrost.local", user.email]) {
      const answer = await post("/auth/password/forgot", { email });
      expect(answer.statusCode, email).toBe(202);
      expect(answer.body).toBe("null");
    }
    const rows = await ctx.app.database.db.select().from(mailMessages);
    expect(rows.map((r) => r.toAddress)).not.toEqual(
      expect.arrayContaining(["nobody@links.example", "system@bifrost.local", user.email]),
    );
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await post("/auth/password/forgot", { email: "flood@links.example" })).statusCode);
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
    // An admin cannot reset or invite a deactivated user; an unknown or system one is 404.
    expect((await ctx.admin.request("POST", `/api/users/${user.id}/password-reset`)).statusCode).toBe(409);
    expect(
      (await ctx.admin.request("POST", `/api/users/00000000-0000-4000-8000-000000000000/invite`)).statusCode,
    ).toBe(404);
  });

  it("a user who already has a password is not invited (409): an admin sends a reset instead", async () => {
    const invited = await ctx.admin.request("POST", `/api/users/${ctx.orgA.withRole.userId}/invite`);
    expect(invited.statusCode).toBe(409);
  });
});

describe("single-use links without a mail server", () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(() => ctx?.close());

  it("the admin is answered the link once; nothing is queued; the link works", async () => {
    const created = await ctx.admin.request("POST", "/api/users", {
      email: "nomail@links.example",
      name: "No Mail",
      organizationId: ctx.orgB.id,
    });
    const id = created.json<{ id: string }>().id;
    const answer = await ctx.admin.request("POST", `/api/users/${id}/invite`);
    expect(answer.statusCode).toBe(200);
    const body = answer.json<{ sent: boolean; link: string; expiresAt: string }>();
    expect(body.sent).toBe(false);
    // No BIFROST_PUBLIC_URL: the admin's own origin.
    expect(body.link).toMatch(/^http:\/\/localhost(:\d+)?\/invite#token=[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(body.expiresAt) - Date.now()).toBeGreaterThan(6.9 * 24 * 3600_000);
    expect(await ctx.app.database.db.select().from(mailMessages)).toEqual([]);
    const token = body.link.split("#token=")[1] ?? "";
    const registered = await ctx.app.app.inject({
      method: "POST",
      url: "/auth/register-from-invite",
      payload: { token, password: PASSWORD },
    });
    expect(registered.statusCode).toBe(200);
    // A self-service reset cannot be mailed: the same 202, nothing queued.
    const forgot = await ctx.app.app.inject({
      method: "POST",
      url: "/auth/password/forgot",
      payload: { email: "nomail@links.example" },
    });
    expect(forgot.statusCode).toBe(202);
    expect(await ctx.app.database.db.select().from(mailMessages)).toEqual([]);
    // No route sets another user's password: PATCH ignores one, the old password still signs in.
    await ctx.admin.request("PATCH", `/api/users/${id}`, { password: "an admin's choice of password" });
    const login = (password: string) =>
      ctx.app.app.inject({
        method: "POST",
        url: "/auth/login",
        payload: { email: "nomail@links.example", password },
      });
    expect((await login("an admin's choice of password")).statusCode).toBe(401);
    expect((await login(PASSWORD)).statusCode).toBe(200);
  });
});

describe("an invitation where MFA is required", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ mfaRequired: true });
  });
  afterAll(() => t?.close());

  it("sets the password, then asks for MFA enrolment before any token", async () => {
    const userId = await insertMember(t.database.db, {
      email: "mfa@links.example",
      name: "Mfa",
      password: "x",
    });
    await t.database.db.update(users).set({ passwordHash: null }).where(eq(users.id, userId));
    const answer = await t.services.accountLinks.invite(userId, {}, "http://localhost");
    const token = answer.link?.split("#token=")[1] ?? "";
    const registered = await t.app.inject({
      method: "POST",
      url: "/auth/register-from-invite",
      payload: { token, password: PASSWORD },
    });
    expect(registered.statusCode).toBe(200);
    const body = registered.json<{ mfaSetupRequired?: boolean; mfaToken?: string; accessToken?: string }>();
    expect(body.mfaSetupRequired).toBe(true);
    expect(body.accessToken).toBeUndefined();
    const setup = await t.app.inject({
      method: "POST",
      url: "/auth/mfa/setup",
      headers: { authorization: `Bearer ${body.mfaToken ?? ""}` },
    });
    expect(setup.statusCode).toBe(200);
    expect(setup.json()).toHaveProperty("otpauthUri");
  });
});
