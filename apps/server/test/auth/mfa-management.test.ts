import { generate } from "otplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { settableClock } from "../support/clock.js";
import { createTestApp, type TestApp } from "../support/app.js";
import { insertMember } from "../support/users.js";

const clock = settableClock();
const nextStep = (): void => {
  clock.at += 30_000;
};

const ADMIN = { email: "admin@msp.example", password: "an admin's long passphrase", name: "Admin" };
const MEMBER = { email: "tech@customer.example", password: "a technician's passphrase", name: "Tech" };

let t: TestApp;
let memberId: string;
const secrets = new Map<string, string>();

const post = (url: string, payload?: object, token?: string) =>
  t.app.inject({ method: "POST", url, payload, headers: token ? { authorization: `Bearer ${token}` } : {} });
const code = (email: string): Promise<string> =>
  generate({ secret: secrets.get(email) ?? "", epoch: Math.floor(clock.now() / 1000) });

/** Signs in, enrolling TOTP first when the server asks for it. */
async function signIn(who: {
  email: string;
  password: string;
}): Promise<{ accessToken: string; recoveryCodes?: string[] }> {
  nextStep();
  const login = (await post("/auth/login", who)).json<{ mfaToken: string; mfaSetupRequired?: boolean }>();
  if (login.mfaSetupRequired) {
    const setup = await post("/auth/mfa/setup", undefined, login.mfaToken);
    secrets.set(who.email, setup.json<{ secret: string }>().secret);
    return (await post("/auth/mfa/verify", { code: await code(who.email) }, login.mfaToken)).json();
  }
  return (await post("/auth/mfa/login", { mfaToken: login.mfaToken, code: await code(who.email) })).json();
}

beforeAll(async () => {
  t = await createTestApp({ clock });
  expect((await post("/auth/setup", ADMIN)).statusCode).toBe(201);
  memberId = await insertMember(t.database.db, MEMBER);
});
afterAll(async () => {
  await t.close();
});

describe("managing one's own MFA", () => {
  it("status says MFA is on with 10 recovery codes; using one leaves 9", async () => {
    const { accessToken, recoveryCodes } = await signIn(ADMIN);
    const status = await t.app.inject({
      method: "GET",
      url: "/auth/mfa/status",
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(status.json()).toEqual({ enabled: true, recoveryCodesRemaining: 10 });
    nextStep();
    const { mfaToken } = (await post("/auth/login", ADMIN)).json<{ mfaToken: string }>();
    expect((await post("/auth/mfa/login", { mfaToken, code: recoveryCodes?.[0] })).statusCode).toBe(200);
    const after = await t.app.inject({
      method: "GET",
      url: "/auth/mfa/status",
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(after.json()).toEqual({ enabled: true, recoveryCodesRemaining: 9 });
  });

  it("regenerating recovery codes needs a current code and retires the old codes", async () => {
    const { accessToken } = await signIn(ADMIN);
    expect(
      (await post("/auth/mfa/recovery-codes/regenerate", { code: "000000" }, accessToken)).statusCode,
    ).toBe(401);
    nextStep();
    const regenerated = await post(
      "/auth/mfa/recovery-codes/regenerate",
      { code: await code(ADMIN.email) },
      accessToken,
    );
    expect(regenerated.statusCode).toBe(200);
    const fresh = regenerated.json<{ recoveryCodes: string[] }>().recoveryCodes;
    expect(fresh).toHaveLength(10);
    nextStep();
    const { mfaToken } = (await post("/auth/login", ADMIN)).json<{ mfaToken: string }>();
    expect((await post("/auth/mfa/login", { mfaToken, code: fresh[0] })).statusCode).toBe(200);
  });

  it("turning MFA off needs a current code; the next login must enrol again", async () => {
    const { accessToken } = await signIn(ADMIN);
    const refused = await t.app.inject({
      method: "DELETE",
      url: "/auth/mfa",
      payload: { code: "123456" },
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(refused.statusCode).toBe(401);
    nextStep();
    const off = await t.app.inject({
      method: "DELETE",
      url: "/auth/mfa",
      payload: { code: await code(ADMIN.email) },
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(off.statusCode).toBe(204);
    expect((await post("/auth/login", ADMIN)).json()).toMatchObject({ mfaSetupRequired: true });
  });
});

describe("an attacker with a stolen session or an old setup token", () => {
  const BRUTE = { email: "brute@target.example", password: "a target's long passphrase", name: "Target" };

  it("cannot try codes to turn MFA off or regenerate recovery codes: 5 tries per 5 minutes, then 429", async () => {
    await insertMember(t.database.db, BRUTE, "Target");
    const { accessToken } = await signIn(BRUTE);
    const attempt = (url: string, method: "DELETE" | "POST", guess: string) =>
      t.app.inject({
        method,
        url,
        payload: { code: guess },
        headers: { authorization: `Bearer ${accessToken}` },
      });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const url = i % 2 === 0 ? "/auth/mfa" : "/auth/mfa/recovery-codes/regenerate";
      statuses.push((await attempt(url, i % 2 === 0 ? "DELETE" : "POST", String(100000 + i))).statusCode);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    // Past the limit, even the right code is refused: the counter is the user's, not the guess's.
    nextStep();
    const blocked = await attempt("/auth/mfa", "DELETE", await code(BRUTE.email));
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers["retry-after"])).toBeGreaterThan(0);
    const status = await t.app.inject({
      method: "GET",
      url: "/auth/mfa/status",
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(status.json()).toMatchObject({ enabled: true });
  });

  it("cannot replace an enrolled user's authenticator with a setup token still within its 5 minutes", async () => {
    const VICTIM = {
      email: "victim@victim.example",
      password: "a victim's long passphrase",
      name: "Victim",
    };
    await insertMember(t.database.db, VICTIM, "Victim");
    nextStep();
    const login = (await post("/auth/login", VICTIM)).json<{ mfaToken: string; mfaSetupRequired: boolean }>();
    expect(login.mfaSetupRequired).toBe(true);
    const setup = await post("/auth/mfa/setup", undefined, login.mfaToken);
    secrets.set(VICTIM.email, setup.json<{ secret: string }>().secret);
    const enrolled = await post("/auth/mfa/verify", { code: await code(VICTIM.email) }, login.mfaToken);
    expect(enrolled.statusCode).toBe(200);
    // The same setup token, used again: a new seed would be the attacker's.
    const again = await post("/auth/mfa/setup", undefined, login.mfaToken);
    expect(again.statusCode).toBe(409);
    nextStep();
    const verifyAgain = await post("/auth/mfa/verify", { code: await code(VICTIM.email) }, login.mfaToken);
    expect(verifyAgain.statusCode).toBe(409);
    // The enrolled seed still signs in.
    nextStep();
    const next = (await post("/auth/login", VICTIM)).json<{ mfaToken: string; mfaRequired: boolean }>();
    expect(next.mfaRequired).toBe(true);
    const signedIn = await post("/auth/mfa/login", {
      mfaToken: next.mfaToken,
      code: await code(VICTIM.email),
    });
    expect(signedIn.statusCode).toBe(200);
  });
});

describe("a platform admin resetting a user's MFA", () => {
  it("is refused to other users (403) and is 404 for an unknown user", async () => {
    const member = await signIn(MEMBER);
    const reset = await t.app.inject({
      method: "DELETE",
      url: `/api/users/${memberId}/mfa`,
      headers: { authorization: `Bearer ${member.accessToken}` },
    });
    expect(reset.statusCode).toBe(403);
    const admin = await signIn(ADMIN);
    const unknown = await t.app.inject({
      method: "DELETE",
      url: "/api/users/00000000-0000-4000-8000-000000000099/mfa",
      headers: { authorization: `Bearer ${admin.accessToken}` },
    });
    expect(unknown.statusCode).toBe(404);
  });

  it("ends the user's logins; their next login enrols a new authenticator", async () => {
    const member = await signIn(MEMBER);
    const admin = await signIn(ADMIN);
    const reset = await t.app.inject({
      method: "DELETE",
      url: `/api/users/${memberId}/mfa`,
      headers: { authorization: `Bearer ${admin.accessToken}` },
    });
    expect(reset.statusCode).toBe(204);
    const me = await t.app.inject({
      method: "GET",
      url: "/auth/me",
      headers: { authorization: `Bearer ${member.accessToken}` },
    });
    expect(me.statusCode).toBe(401);
    expect((await post("/auth/login", MEMBER)).json()).toMatchObject({ mfaSetupRequired: true });
  });
});
