import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../support/app.js";
import { insertMember } from "../support/users.js";

// MFA is off here (BIFROST_MFA_REQUIRED=false): these tests are about logins, not second factors.

const ADMIN = { email: "admin@msp.example", password: "an admin's long passphrase", name: "Admin" };
const MEMBER = { email: "tech@customer.example", password: "a technician's passphrase", name: "Tech" };

let t: TestApp;
let memberId: string;

const post = (url: string, payload?: object, token?: string) =>
  t.app.inject({ method: "POST", url, payload, headers: token ? { authorization: `Bearer ${token}` } : {} });
const me = (token: string) =>
  t.app.inject({ method: "GET", url: "/auth/me", headers: { authorization: `Bearer ${token}` } });

async function signIn(who: {
  email: string;
  password: string;
}): Promise<{ accessToken: string; refreshToken: string }> {
  const response = await post("/auth/login", { email: who.email, password: who.password });
  expect(response.statusCode).toBe(200);
  return response.json<{ accessToken: string; refreshToken: string }>();
}

beforeAll(async () => {
  t = await createTestApp({ mfaRequired: false });
  expect((await post("/auth/setup", ADMIN)).statusCode).toBe(201);
  memberId = await insertMember(t.database.db, MEMBER);
});
afterAll(async () => {
  await t.close();
});

describe("ending logins", () => {
  it("revoke-all ends every login of the caller, the current one included", async () => {
    const first = await signIn(MEMBER);
    const second = await signIn(MEMBER);
    expect((await post("/auth/revoke-all", undefined, first.accessToken)).statusCode).toBe(204);
    expect((await me(first.accessToken)).statusCode).toBe(401);
    expect((await me(second.accessToken)).statusCode).toBe(401);
    expect((await post("/auth/refresh", { refreshToken: second.refreshToken })).statusCode).toBe(401);
  });

  it("a platform admin ends every login of a user; others may not, and an unknown user is 404", async () => {
    const admin = await signIn(ADMIN);
    const member = await signIn(MEMBER);
    const forbidden = await post("/auth/admin/revoke-user", { userId: memberId }, member.accessToken);
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json()).toMatchObject({ error: "forbidden" });
    expect((await me(member.accessToken)).statusCode).toBe(200);
    const unknown = await post(
      "/auth/admin/revoke-user",
      { userId: "00000000-0000-4000-8000-000000000099" },
      admin.accessToken,
    );
    expect(unknown.statusCode).toBe(404);
    expect((await post("/auth/admin/revoke-user", { userId: memberId }, admin.accessToken)).statusCode).toBe(
      204,
    );
    expect((await me(member.accessToken)).statusCode).toBe(401);
    expect((await me(admin.accessToken)).statusCode).toBe(200);
  });
});

describe("changing a password", () => {
  it("needs the current password and a new one that meets the policy", async () => {
    const session = await signIn(MEMBER);
    const wrong = await post(
      "/api/profile/password",
      { currentPassword: "not my password", newPassword: "a brand new passphrase" },
      session.accessToken,
    );
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json()).toMatchObject({ details: { fields: [{ path: "body.currentPassword" }] } });
    const weak = await post(
      "/api/profile/password",
      { currentPassword: MEMBER.password, newPassword: "short" },
      session.accessToken,
    );
    expect(weak.statusCode).toBe(422);
    expect(weak.json()).toMatchObject({ details: { fields: [{ path: "body.newPassword" }] } });
  });

  it("ends the user's other logins, keeps this one, and only the new password signs in", async () => {
    const other = await signIn(MEMBER);
    const current = await signIn(MEMBER);
    const newPassword = "a brand new passphrase";
    const changed = await post(
      "/api/profile/password",
      { currentPassword: MEMBER.password, newPassword },
      current.accessToken,
    );
    expect(changed.statusCode).toBe(204);
    expect((await me(other.accessToken)).statusCode).toBe(401);
    expect((await me(current.accessToken)).statusCode).toBe(200);
    expect((await post("/auth/login", { email: MEMBER.email, password: MEMBER.password })).statusCode).toBe(
      401,
    );
    expect((await post("/auth/login", { email: MEMBER.email, password: newPassword })).statusCode).toBe(200);
  });
});
