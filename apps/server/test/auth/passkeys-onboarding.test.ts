import type { PasskeyCreationOptions, PasskeyRequestOptions } from "@bifrost/contracts";
import { generate } from "otplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROVIDER_ORGANIZATION_ID } from "../../src/db/schema/index.js";
import { createTestApp, type TestApp } from "../support/app.js";
import { SoftwareAuthenticator } from "../support/software-authenticator.js";
import { insertMember } from "../support/users.js";

// First-run setup and invitations with a passkey instead of a password, on a platform that requires
// MFA (the default): the passkey-only admin and the invited user are signed in at once, and a later
// passkey sign-in never asks for a TOTP code — not even from a user who has one.

const ORIGIN = "http://localhost";
const ADMIN = { email: "root@msp.example", name: "Root Admin" };
const MEMBER = { email: "tech@customer.example", name: "Tech", password: "a technician's passphrase" };

let t: TestApp;
const authenticator = new SoftwareAuthenticator(ORIGIN);

const post = (url: string, payload: object, token?: string) =>
  t.app.inject({ method: "POST", url, payload, headers: token ? { authorization: `Bearer ${token}` } : {} });
const json = <T>(response: { json<U>(): U }): T => response.json<T>();

async function passkeySignIn(who: SoftwareAuthenticator = authenticator) {
  const options = json<PasskeyRequestOptions>(await post("/auth/passkeys/authenticate/options", {}));
  return post("/auth/passkeys/authenticate/verify", who.authenticate(options));
}

beforeAll(async () => {
  t = await createTestApp({ mfaRequired: true });
});
afterAll(() => t?.close());

let adminToken = "";

describe("first-run setup with a passkey", () => {
  it("options describe the first admin; a verification for other details, or without user verification, creates nothing", async () => {
    const options = await post("/auth/setup/passkey/options", ADMIN);
    expect(options.statusCode).toBe(200);
    const body = json<PasskeyCreationOptions>(options);
    expect(body.user).toMatchObject({ name: ADMIN.email, displayName: ADMIN.name });
    expect(body.authenticatorSelection).toMatchObject({
      residentKey: "required",
      userVerification: "required",
    });

    const other = await post("/auth/setup/passkey/verify", {
      ...ADMIN,
      email: "intruder@msp.example",
      credential: authenticator.register(body),
    });
    expect(other.statusCode).toBe(400);

    // A sign-in's challenge is not a setup's.
    const signIn = json<PasskeyRequestOptions>(await post("/auth/passkeys/authenticate/options", {}));
    const crossFlow = await post("/auth/setup/passkey/verify", {
      ...ADMIN,
      credential: authenticator.register({ ...body, challenge: signIn.challenge }),
    });
    expect(crossFlow.statusCode).toBe(400);

    const again = json<PasskeyCreationOptions>(await post("/auth/setup/passkey/options", ADMIN));
    const unverified = await post("/auth/setup/passkey/verify", {
      ...ADMIN,
      credential: new SoftwareAuthenticator(ORIGIN).register(again, { userVerified: false }),
    });
    expect(unverified.statusCode).toBe(400);
    expect(
      json<{ needsSetup: boolean }>(await t.app.inject({ method: "GET", url: "/auth/status" })).needsSetup,
    ).toBe(true);
  });

  it("creates the first platform admin without a password and signs them in (no MFA step)", async () => {
    const options = json<PasskeyCreationOptions>(await post("/auth/setup/passkey/options", ADMIN));
    const created = await post("/auth/setup/passkey/verify", {
      ...ADMIN,
      credential: authenticator.register(options),
    });
    expect(created.statusCode, created.body).toBe(201);
    const answer = json<{ accessToken: string; user: { id: string; isSuperuser: boolean; email: string } }>(
      created,
    );
    expect(answer.user).toMatchObject({ email: ADMIN.email, isSuperuser: true });
    expect(Buffer.from(options.user.id, "base64url").toString()).toBe(answer.user.id);
    expect(created.cookies.map((c) => c.name)).toContain("access_token");
    adminToken = answer.accessToken;
    const passkeys = await t.app.inject({
      method: "GET",
      url: "/auth/passkeys",
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(json<{ items: unknown[] }>(passkeys).items).toHaveLength(1);
    // No password: a password sign-in gets nowhere.
    expect(
      (await post("/auth/login", { email: ADMIN.email, password: "any password at all" })).statusCode,
    ).toBe(401);
  });

  it("once a user exists, setup with a passkey is refused with 409, as POST /auth/setup", async () => {
    expect(
      (await post("/auth/setup/passkey/options", { email: "late@msp.example", name: "Late" })).statusCode,
    ).toBe(409);
    expect(
      (
        await post("/auth/setup", {
          email: "late@msp.example",
          name: "Late",
          password: "a long enough password",
        })
      ).statusCode,
    ).toBe(409);
  });

  it("the passkey-only admin signs in with it: tokens at once although MFA is required", async () => {
    const signedIn = await passkeySignIn();
    expect(signedIn.statusCode, signedIn.body).toBe(200);
    expect(json<{ user: { email: string } }>(signedIn).user.email).toBe(ADMIN.email);
    expect(signedIn.json()).not.toHaveProperty("mfaRequired");
  });
});

describe("a user with TOTP enrolled", () => {
  it("is asked for a code after a password, never after a passkey", async () => {
    await insertMember(t.database.db, MEMBER);
    const first = json<{ mfaToken: string; mfaSetupRequired?: boolean }>(await post("/auth/login", MEMBER));
    expect(first.mfaSetupRequired).toBe(true);
    const { secret } = json<{ secret: string }>(await post("/auth/mfa/setup", {}, first.mfaToken));
    const enrolled = await post("/auth/mfa/verify", { code: await generate({ secret }) }, first.mfaToken);
    expect(enrolled.statusCode).toBe(200);
    const { accessToken } = json<{ accessToken: string }>(enrolled);

    expect(json<{ mfaRequired?: boolean }>(await post("/auth/login", MEMBER)).mfaRequired).toBe(true);

    const own = new SoftwareAuthenticator(ORIGIN);
    const options = json<PasskeyCreationOptions>(
      await post("/auth/passkeys/register/options", {}, accessToken),
    );
    expect(
      (await post("/auth/passkeys/register/verify", own.register(options), accessToken)).statusCode,
    ).toBe(201);
    const signedIn = await passkeySignIn(own);
    expect(signedIn.statusCode).toBe(200);
    expect(json<{ user: { email: string; mfaEnabled: boolean } }>(signedIn).user).toMatchObject({
      email: MEMBER.email,
      mfaEnabled: true,
    });
    expect(signedIn.json()).toHaveProperty("accessToken");
  });
});

describe("accepting an invitation with a passkey", () => {
  const invite = async (email: string): Promise<string> => {
    const created = await t.app.inject({
      method: "POST",
      url: "/api/users",
      headers: { authorization: `Bearer ${adminToken}` },
      payload: { email, name: "Invitee", organizationId: PROVIDER_ORGANIZATION_ID },
    });
    expect(created.statusCode, created.body).toBe(201);
    const { id } = json<{ id: string }>(created);
    const link = json<{ link: string }>(await post(`/api/users/${id}/invite`, {}, adminToken)).link;
    return link.split("#token=")[1] ?? "";
  };

  it("a token that is not a usable invitation is refused at the options call", async () => {
    const refused = await post("/auth/register-from-invite/passkey/options", { token: "x".repeat(43) });
    expect(refused.statusCode).toBe(400);
    expect(json<{ message: string }>(refused).message).toMatch(/not valid/);
    expect((await post("/auth/register-from-invite/passkey/options", { token: "short" })).statusCode).toBe(
      422,
    );
  });

  it("a refused credential does not spend the link; an accepted one does, and signs the user in", async () => {
    const token = await invite("invitee@msp.example");
    const options = await post("/auth/register-from-invite/passkey/options", { token });
    expect(options.statusCode).toBe(200);
    const creation = json<PasskeyCreationOptions>(options);
    expect(creation.user.name).toBe("invitee@msp.example");

    const invitee = new SoftwareAuthenticator(ORIGIN);
    const unverified = await post("/auth/register-from-invite/passkey/verify", {
      token,
      credential: invitee.register(creation, { userVerified: false }),
    });
    expect(unverified.statusCode).toBe(400);

    // Another link's token with this link's challenge: refused.
    const fresh = json<PasskeyCreationOptions>(
      await post("/auth/register-from-invite/passkey/options", { token }),
    );
    const otherToken = await invite("someone-else@msp.example");
    expect(
      (
        await post("/auth/register-from-invite/passkey/verify", {
          token: otherToken,
          credential: invitee.register(fresh),
        })
      ).statusCode,
    ).toBe(400);

    const last = json<PasskeyCreationOptions>(
      await post("/auth/register-from-invite/passkey/options", { token }),
    );
    const accepted = await post("/auth/register-from-invite/passkey/verify", {
      token,
      credential: invitee.register(last),
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(json<{ user: { email: string } }>(accepted).user.email).toBe("invitee@msp.example");
    expect(accepted.cookies.map((c) => c.name)).toContain("access_token");

    // Spent: neither path opens it again.
    expect((await post("/auth/register-from-invite/passkey/options", { token })).statusCode).toBe(400);
    expect(
      (await post("/auth/register-from-invite", { token, password: "a long enough password" })).statusCode,
    ).toBe(400);

    const signedIn = await passkeySignIn(invitee);
    expect(signedIn.statusCode).toBe(200);
    const user = json<{ user: { id: string; email: string } }>(signedIn).user;
    expect(user.email).toBe("invitee@msp.example");

    // Signed up with a passkey and no password: admins see that they sign in, and no new invitation
    // can be sent (a reset link adds a password instead).
    const seen = await t.app.inject({
      method: "GET",
      url: `/api/users/${user.id}`,
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(json<{ hasPassword: boolean; signsIn: boolean }>(seen)).toMatchObject({
      hasPassword: false,
      signsIn: true,
    });
    const reinvite = await post(`/api/users/${user.id}/invite`, {}, adminToken);
    expect(reinvite.statusCode).toBe(409);
    expect(json<{ message: string }>(reinvite).message).toMatch(/passkey/);
  });
});
