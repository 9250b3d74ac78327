import { generate } from "otplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROVIDER_ORGANIZATION_ID } from "../../src/db/schema/index.js";
import { createTestApp, type TestApp } from "../support/app.js";
import { insertMember } from "../support/users.js";

// SSO-only organizations (issue 23) with MFA required, as on a real platform: an organization user's
// password sign-in is refused even with the right password; the platform admin — in an SSO-only
// provider organization too — keeps the break-glass password + MFA sign-in.

const ADMIN = { email: "admin@msp.example", password: "an admin's long passphrase", name: "Admin" };
const MEMBER = { email: "tech@customer.example", password: "a technician's passphrase", name: "Tech" };
let t: TestApp;
let memberOrganizationId = "";

const post = (url: string, payload?: object, token?: string) =>
  t.app.inject({ method: "POST", url, payload, headers: token ? { authorization: `Bearer ${token}` } : {} });

beforeAll(async () => {
  t = await createTestApp();
  expect((await post("/auth/setup", ADMIN)).statusCode).toBe(201);
  const memberId = await insertMember(t.database.db, MEMBER);
  memberOrganizationId = (await t.services.users.get(memberId)).organizationId;
});
afterAll(async () => {
  await t?.close();
});

describe("SSO only", () => {
  it("refuses an organization user's password; the platform admin still signs in with password + MFA", async () => {
    // The admin enrols MFA (required on this platform) and gets a token to administer with.
    const first = (await post("/auth/login", ADMIN)).json<{ mfaToken: string }>();
    const setup = await post("/auth/mfa/setup", undefined, first.mfaToken);
    const secret = setup.json<{ secret: string }>().secret;
    const enrolled = await post("/auth/mfa/verify", { code: await generate({ secret }) }, first.mfaToken);
    const adminToken = enrolled.json<{ accessToken: string }>().accessToken;
    const patch = (organizationId: string) =>
      t.app.inject({
        method: "PATCH",
        url: `/api/organizations/${organizationId}`,
        payload: { ssoOnly: true },
        headers: { authorization: `Bearer ${adminToken}` },
      });
    expect((await patch(memberOrganizationId)).statusCode).toBe(200);
    expect((await patch(PROVIDER_ORGANIZATION_ID)).statusCode).toBe(200);

    const member = await post("/auth/login", MEMBER);
    expect(member.statusCode).toBe(401);
    expect(member.json()).not.toHaveProperty("mfaToken");
    // A wrong password gets the usual answer: SSO-only says nothing to someone without the password.
    const wrong = await post("/auth/login", { ...MEMBER, password: "not the technician's one" });
    expect(wrong.json<{ message: string }>().message).toBe("Invalid email or password");

    const admin = (await post("/auth/login", ADMIN)).json<{ mfaToken: string; mfaRequired: boolean }>();
    expect(admin.mfaRequired).toBe(true);
    const code = await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });
    const signedIn = await post("/auth/mfa/login", { mfaToken: admin.mfaToken, code });
    expect(signedIn.statusCode).toBe(200);
  });
});
