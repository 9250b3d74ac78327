import { generate } from "otplib";
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { settableClock } from "../support/clock.js";
import { createTestApp, type TestApp } from "../support/app.js";
import { insertMember } from "../support/users.js";

// Account security (issue 22): "remember this browser for 30 days" at the MFA prompt — skipped for its
// period, for its own user only, with the right password only, and not after a revocation, an expiry,
// a password change or a new authenticator; re-enrolling the authenticator from the account page; the
// profile's name. A mutable clock moves TOTP steps and the 30 days.

const clock = settableClock();
const nextStep = (): void => {
  clock.at += 30_000;
};
const DAY_MS = 24 * 3600_000;

const ALICE = { email: "alice@customer.example", password: "alice's long passphrase", name: "Alice" };
const BOB = { email: "bob@customer.example", password: "bob's long passphrase here", name: "Bob" };

let t: TestApp;
const secrets = new Map<string, string>();

type Answer = LightMyRequestResponse;
const post = (url: string, payload?: object, headers: Record<string, string> = {}): Promise<Answer> =>
  t.app.inject({ method: "POST", url, ...(payload ? { payload } : {}), headers });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const code = (email: string, secret = secrets.get(email) ?? ""): Promise<string> =>
  generate({ secret, epoch: Math.floor(clock.now() / 1000) });

/** The trusted-device cookie an answer sets, as a request's Cookie header. */
function trustedCookieOf(response: Answer): string | undefined {
  const cookie = response.cookies.find((c) => c.name === "trusted_device");
  return cookie ? `trusted_device=${cookie.value}` : undefined;
}

/** A password login; answers the tokens, or the MFA prompt. */
async function login(who: { email: string; password: string }, cookie?: string): Promise<Answer> {
  nextStep();
  return post("/auth/login", { email: who.email, password: who.password }, cookie ? { cookie } : {});
}

/** Signs in through the MFA prompt (enrolling first when asked), optionally remembering the browser. */
async function signInWithCode(
  who: { email: string; password: string },
  rememberDevice = false,
): Promise<{ accessToken: string; cookie: string | undefined }> {
  const first = (await login(who)).json<{ mfaToken: string; mfaSetupRequired?: boolean }>();
  if (first.mfaSetupRequired) {
    const setup = await post("/auth/mfa/setup", undefined, bearer(first.mfaToken));
    secrets.set(who.email, setup.json<{ secret: string }>().secret);
    await post("/auth/mfa/verify", { code: await code(who.email) }, bearer(first.mfaToken));
    return signInWithCode(who, rememberDevice);
  }
  const answer = await post("/auth/mfa/login", {
    mfaToken: first.mfaToken,
    code: await code(who.email),
    rememberDevice,
  });
  expect(answer.statusCode).toBe(200);
  return { accessToken: answer.json<{ accessToken: string }>().accessToken, cookie: trustedCookieOf(answer) };
}

beforeAll(async () => {
  t = await createTestApp({ clock });
  await insertMember(t.database.db, ALICE);
  await insertMember(t.database.db, BOB, "Other customer");
});
afterAll(async () => {
  await t.close();
});

describe("remember this browser", () => {
  it("skips the MFA prompt in that browser for 30 days, then asks again", async () => {
    const { cookie } = await signInWithCode(ALICE, true);
    expect(cookie).toBeDefined();
    const set = (await login(ALICE)).statusCode; // without the cookie: the prompt
    expect(set).toBe(200);
    expect((await login(ALICE)).json()).toMatchObject({ mfaRequired: true });

    const trusted = await login(ALICE, cookie);
    expect(trusted.statusCode).toBe(200);
    expect(trusted.json()).toHaveProperty("accessToken");
    expect(trusted.json()).not.toHaveProperty("mfaRequired");

    clock.at += 29 * DAY_MS;
    expect((await login(ALICE, cookie)).json()).toHaveProperty("accessToken");
    clock.at += 1 * DAY_MS + 60_000;
    expect((await login(ALICE, cookie)).json()).toMatchObject({ mfaRequired: true });
  });

  it("the cookie is HttpOnly, SameSite=Strict, only sent to /auth, and lasts 30 days", async () => {
    const first = (await login(ALICE)).json<{ mfaToken: string }>();
    const answer = await post("/auth/mfa/login", {
      mfaToken: first.mfaToken,
      code: await code(ALICE.email),
      rememberDevice: true,
    });
    const cookie = answer.cookies.find((c) => c.name === "trusted_device");
    expect(cookie).toMatchObject({
      httpOnly: true,
      sameSite: "Strict",
      path: "/auth",
      maxAge: 30 * 24 * 3600,
    });
    // Not in the body: a script never holds it.
    expect(answer.body).not.toContain(cookie?.value);
    // Without rememberDevice, no cookie.
    const plain = (await login(ALICE)).json<{ mfaToken: string }>();
    const unremembered = await post("/auth/mfa/login", {
      mfaToken: plain.mfaToken,
      code: await code(ALICE.email),
    });
    expect(trustedCookieOf(unremembered)).toBeUndefined();
  });

  it("is listed on the account page and, once revoked, no longer skips the prompt", async () => {
    const { accessToken, cookie } = await signInWithCode(ALICE, true);
    const listed = await t.app.inject({
      method: "GET",
      url: "/auth/trusted-devices",
      headers: { ...bearer(accessToken), cookie: cookie ?? "" },
    });
    const items = listed.json<{ items: Array<{ id: string; current: boolean; expiresAt: string }> }>().items;
    const current = items.find((d) => d.current);
    expect(current).toBeDefined();
    expect(Date.parse(current?.expiresAt ?? "") - clock.now()).toBeGreaterThan(29 * DAY_MS);

    const revoked = await t.app.inject({
      method: "DELETE",
      url: `/auth/trusted-devices/${current?.id}`,
      headers: bearer(accessToken),
    });
    expect(revoked.statusCode).toBe(204);
    expect((await login(ALICE, cookie)).json()).toMatchObject({ mfaRequired: true });
    // Gone from the list; forgetting it twice is 404.
    const after = await t.app.inject({
      method: "GET",
      url: "/auth/trusted-devices",
      headers: bearer(accessToken),
    });
    expect(after.json<{ items: Array<{ id: string }> }>().items.map((d) => d.id)).not.toContain(current?.id);
    expect(
      (
        await t.app.inject({
          method: "DELETE",
          url: `/auth/trusted-devices/${current?.id}`,
          headers: bearer(accessToken),
        })
      ).statusCode,
    ).toBe(404);
  });

  it("an attacker gets nothing from it: another user's cookie, a wrong password, a forged value", async () => {
    const alice = await signInWithCode(ALICE, true);
    await signInWithCode(BOB);
    // Alice's browser cookie does not skip Bob's prompt (a shared or stolen cookie for another account).
    expect((await login(BOB, alice.cookie)).json()).toMatchObject({ mfaRequired: true });
    // The cookie is no password: a wrong one is refused as always.
    expect((await login({ ...ALICE, password: "not alice's passphrase" }, alice.cookie)).statusCode).toBe(
      401,
    );
    // A forged or oversized value counts for nothing (and is no error).
    for (const forged of ["trusted_device=forged", `trusted_device=${"x".repeat(5000)}`]) {
      expect((await login(ALICE, forged)).json()).toMatchObject({ mfaRequired: true });
    }
    // Bob cannot see or forget Alice's device.
    const bob = await signInWithCode(BOB);
    const aliceDevices = await t.app.inject({
      method: "GET",
      url: "/auth/trusted-devices",
      headers: bearer(alice.accessToken),
    });
    const aliceDevice = aliceDevices.json<{ items: Array<{ id: string }> }>().items[0];
    const bobsView = await t.app.inject({
      method: "GET",
      url: "/auth/trusted-devices",
      headers: bearer(bob.accessToken),
    });
    expect(bobsView.json<{ items: Array<{ id: string }> }>().items.map((d) => d.id)).not.toContain(
      aliceDevice?.id,
    );
    const stolen = await t.app.inject({
      method: "DELETE",
      url: `/auth/trusted-devices/${aliceDevice?.id}`,
      headers: bearer(bob.accessToken),
    });
    expect(stolen.statusCode).toBe(404);
    expect((await login(ALICE, alice.cookie)).json()).toHaveProperty("accessToken");
  });

  it("a password change forgets every remembered browser", async () => {
    const { accessToken, cookie } = await signInWithCode(ALICE, true);
    expect((await login(ALICE, cookie)).json()).toHaveProperty("accessToken");
    const newPassword = "alice's brand new passphrase";
    const changed = await post(
      "/api/profile/password",
      { currentPassword: ALICE.password, newPassword },
      bearer(accessToken),
    );
    expect(changed.statusCode).toBe(204);
    ALICE.password = newPassword;
    expect((await login(ALICE, cookie)).json()).toMatchObject({ mfaRequired: true });
  });
});

describe("a new authenticator from the account page", () => {
  it("replacing it needs a current code; the new one takes over, the old one stops, browsers are forgotten", async () => {
    const { accessToken, cookie } = await signInWithCode(ALICE, true);
    const noProof = await post("/auth/mfa/enrol", {}, bearer(accessToken));
    expect(noProof.statusCode).toBe(422);
    nextStep();
    expect((await post("/auth/mfa/enrol", { code: "000000" }, bearer(accessToken))).statusCode).toBe(401);
    nextStep();
    const started = await post("/auth/mfa/enrol", { code: await code(ALICE.email) }, bearer(accessToken));
    expect(started.statusCode).toBe(200);
    const newSecret = started.json<{ secret: string; otpauthUri: string }>().secret;
    expect(started.json<{ otpauthUri: string }>().otpauthUri).toContain("otpauth://totp/");
    nextStep();
    // Until confirmed, the old authenticator is the one in use: its code does not confirm the new one.
    const withOld = await post(
      "/auth/mfa/enrol/verify",
      { code: await code(ALICE.email) },
      bearer(accessToken),
    );
    expect(withOld.statusCode).toBe(422);
    nextStep();
    const confirmed = await post(
      "/auth/mfa/enrol/verify",
      { code: await code(ALICE.email, newSecret) },
      bearer(accessToken),
    );
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.json<{ recoveryCodes: string[] }>().recoveryCodes).toHaveLength(10);
    const oldSecret = secrets.get(ALICE.email) ?? "";
    secrets.set(ALICE.email, newSecret);

    // The remembered browser was forgotten; the old seed's codes no longer sign in; the new one's do.
    const prompt = (await login(ALICE, cookie)).json<{ mfaToken: string; mfaRequired: boolean }>();
    expect(prompt.mfaRequired).toBe(true);
    const old = await post("/auth/mfa/login", {
      mfaToken: prompt.mfaToken,
      code: await code(ALICE.email, oldSecret),
    });
    expect(old.statusCode).toBe(401);
    const fresh = await post("/auth/mfa/login", { mfaToken: prompt.mfaToken, code: await code(ALICE.email) });
    expect(fresh.statusCode).toBe(200);
  });

  it("with MFA off, a signed-in user turns it on from the account page", async () => {
    const { accessToken } = await signInWithCode(BOB);
    nextStep();
    expect(
      (
        await t.app.inject({
          method: "DELETE",
          url: "/auth/mfa",
          payload: { code: await code(BOB.email) },
          headers: bearer(accessToken),
        })
      ).statusCode,
    ).toBe(204);
    // Turning it off ended nothing here, but a confirmation without a started enrolment is 409.
    expect((await post("/auth/mfa/enrol/verify", { code: "123456" }, bearer(accessToken))).statusCode).toBe(
      409,
    );
    const started = await post("/auth/mfa/enrol", {}, bearer(accessToken));
    expect(started.statusCode).toBe(200);
    const secret = started.json<{ secret: string }>().secret;
    nextStep();
    const confirmed = await post(
      "/auth/mfa/enrol/verify",
      { code: await code(BOB.email, secret) },
      bearer(accessToken),
    );
    expect(confirmed.statusCode).toBe(200);
    secrets.set(BOB.email, secret);
    const status = await t.app.inject({
      method: "GET",
      url: "/auth/mfa/status",
      headers: bearer(accessToken),
    });
    expect(status.json()).toEqual({ enabled: true, recoveryCodesRemaining: 10 });
  });
});

describe("the profile", () => {
  it("a user renames themselves; /auth/me says so at once; a blank name is 422", async () => {
    const { accessToken } = await signInWithCode(BOB);
    const renamed = await t.app.inject({
      method: "PATCH",
      url: "/api/profile",
      payload: { name: "Robert" },
      headers: bearer(accessToken),
    });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({ name: "Robert", email: BOB.email });
    const me = await t.app.inject({ method: "GET", url: "/auth/me", headers: bearer(accessToken) });
    expect(me.json()).toMatchObject({ name: "Robert" });
    const blank = await t.app.inject({
      method: "PATCH",
      url: "/api/profile",
      payload: { name: "   " },
      headers: bearer(accessToken),
    });
    expect(blank.statusCode).toBe(422);
  });
});
