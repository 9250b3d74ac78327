import { generate } from "otplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { settableClock } from "../support/clock.js";
import { createTestApp, type TestApp } from "../support/app.js";
import { insertMember } from "../support/users.js";

// Targeted lockout (issue 17.11): an attacker who knows an admin's e-mail sends wrong passwords from
// many addresses until the per-account limit (10 a minute here) locks the account. The counter
// stays, but the admin, from an address with no recent failure, still gets in with the right
// password and a valid MFA code; the attacker gets nothing more than before.

const clock = settableClock();

const ADMIN = { email: "admin@msp.example", password: "an admin's long passphrase", name: "Admin" };
const NO_MFA = { email: "plain@customer.example", password: "a member's long passphrase", name: "Plain" };

let t: TestApp;
let secret = "";

const login = (email: string, password: string, remoteAddress: string) =>
  t.app.inject({ method: "POST", url: "/auth/login", payload: { email, password }, remoteAddress });
const post = (url: string, payload: object | undefined, token: string, remoteAddress = "127.0.0.1") =>
  t.app.inject({
    method: "POST",
    url,
    payload,
    remoteAddress,
    headers: { authorization: `Bearer ${token}` },
  });
const code = (): Promise<string> => generate({ secret, epoch: Math.floor(clock.now() / 1000) });

/** Wrong passwords for `email` from 12 addresses: the account is over its limit afterwards. */
async function lockOut(email: string, net: string): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 1; i <= 12; i++)
    statuses.push((await login(email, "not the password, sorry", `${net}.${i}`)).statusCode);
  return statuses;
}

beforeAll(async () => {
  t = await createTestApp({ loginRateLimit: 10, clock, mfaRequired: true });
  expect((await t.app.inject({ method: "POST", url: "/auth/setup", payload: ADMIN })).statusCode).toBe(201);
  // The admin enrols TOTP at their first login.
  const first = (await login(ADMIN.email, ADMIN.password, "127.0.0.1")).json<{ mfaToken: string }>();
  secret = (await post("/auth/mfa/setup", undefined, first.mfaToken)).json<{ secret: string }>().secret;
  expect((await post("/auth/mfa/verify", { code: await code() }, first.mfaToken)).statusCode).toBe(200);
  await insertMember(t.database.db, NO_MFA);
});
afterAll(async () => t?.close());

describe("a locked account", () => {
  it("stays locked to the attacker, and lets the admin in with password and MFA code from a clean address", async () => {
    // One wrong guess from each of 12 addresses: the account is past its limit after 10 (an address
    // that has never failed still gets its one try at an account with MFA).
    expect(await lockOut(ADMIN.email, "203.0.113")).toEqual(Array(12).fill(401));
    // From then on an address that failed is refused outright, even with the right password.
    expect((await login(ADMIN.email, ADMIN.password, "203.0.113.5")).statusCode).toBe(429);
    expect((await login(ADMIN.email, "yet another guess", "203.0.113.12")).statusCode).toBe(429);

    // The admin, from an address that has not failed: the password step answers an MFA token…
    clock.at += 30_000;
    const step = await login(ADMIN.email, ADMIN.password, "198.51.100.20");
    expect(step.statusCode, step.body).toBe(200);
    const { mfaToken } = step.json<{ mfaRequired: boolean; mfaToken: string }>();
    expect(step.json()).toMatchObject({ mfaRequired: true });
    // …and only a valid code completes the login.
    expect(
      (
        await t.app.inject({
          method: "POST",
          url: "/auth/mfa/login",
          payload: { mfaToken, code: "000000" },
          remoteAddress: "198.51.100.20",
        })
      ).statusCode,
    ).toBe(401);
    const signedIn = await t.app.inject({
      method: "POST",
      url: "/auth/mfa/login",
      payload: { mfaToken, code: await code() },
      remoteAddress: "198.51.100.20",
    });
    expect(signedIn.statusCode, signedIn.body).toBe(200);
    expect(signedIn.json()).toHaveProperty("accessToken");
  });

  it("a clean address with a wrong password gets one try (401), then waits like the others (429)", async () => {
    await lockOut(ADMIN.email, "192.0.2");
    expect((await login(ADMIN.email, "another wrong guess", "198.51.100.77")).statusCode).toBe(401);
    expect((await login(ADMIN.email, ADMIN.password, "198.51.100.77")).statusCode).toBe(429);
  });

  it("an account without MFA stays locked: a password alone never passes the account's limit", async () => {
    await lockOut(NO_MFA.email, "203.0.113");
    expect((await login(NO_MFA.email, NO_MFA.password, "198.51.100.30")).statusCode).toBe(429);
  });
});
