import { generate } from "otplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Clock } from "../../src/infra/clock.js";
import { createTestApp, type TestApp } from "../support/app.js";

/** Time the test moves by hand: TOTP steps and replay rules depend on it. */
const clock: Clock & { advance(ms: number): void } = {
  at: Date.now(),
  now() {
    return this.at;
  },
  advance(ms: number) {
    this.at += ms;
  },
} as Clock & { advance(ms: number): void; at: number };

const ADMIN = { email: "admin@msp.example", password: "correct horse battery staple", name: "Ada Admin" };

let t: TestApp;
let secret: string;
let recoveryCodes: string[];

const totp = (): Promise<string> => generate({ secret, epoch: Math.floor(clock.now() / 1000) });
const post = (url: string, payload?: object, headers: Record<string, string> = {}) =>
  t.app.inject({ method: "POST", url, payload, headers });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  t = await createTestApp({ clock });
});
afterAll(async () => {
  await t.close();
});

describe("first run, login with MFA, refresh and logout", () => {
  it("a new platform needs setup; a weak password is refused; the first admin is created once", async () => {
    expect((await t.app.inject({ method: "GET", url: "/auth/status" })).json()).toMatchObject({
      needsSetup: true,
    });
    const weak = await post("/auth/setup", { ...ADMIN, password: "short" });
    expect(weak.statusCode).toBe(422);
    expect(weak.json()).toMatchObject({ details: { fields: [{ path: "body.password" }] } });
    const created = await post("/auth/setup", ADMIN);
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      user: { email: ADMIN.email, isSuperuser: true, mfaEnabled: false },
    });
    expect(JSON.stringify(created.json())).not.toMatch(/hash|argon/i);
    expect((await post("/auth/setup", { ...ADMIN, email: "other@msp.example" })).statusCode).toBe(409);
    expect((await t.app.inject({ method: "GET", url: "/auth/status" })).json()).toMatchObject({
      needsSetup: false,
    });
  });

  it("bad credentials are 401 with the same answer for an unknown e-mail and a wrong password", async () => {
    const wrong = await post("/auth/login", { email: ADMIN.email, password: "not the password at all" });
    const unknown = await post("/auth/login", { email: "nobody@msp.example", password: ADMIN.password });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json<{ message: string }>().message).toBe(unknown.json<{ message: string }>().message);
  });

  it("a password login must enrol TOTP first, and enrolment answers tokens and 10 recovery codes", async () => {
    const login = await post("/auth/login", { email: ADMIN.email.toUpperCase(), password: ADMIN.password });
    expect(login.statusCode).toBe(200);
    const { mfaSetupRequired, mfaToken } = login.json<{ mfaSetupRequired: boolean; mfaToken: string }>();
    expect(mfaSetupRequired).toBe(true);
    // An MFA token is not an access token.
    expect(
      (await t.app.inject({ method: "GET", url: "/auth/me", headers: bearer(mfaToken) })).statusCode,
    ).toBe(401);

    const setup = await post("/auth/mfa/setup", undefined, bearer(mfaToken));
    expect(setup.statusCode).toBe(200);
    ({ secret } = setup.json<{ secret: string }>());
    const uri = new URL(setup.json<{ otpauthUri: string }>().otpauthUri);
    expect(uri.protocol).toBe("otpauth:");
    expect(uri.searchParams.get("secret")).toBe(secret);

    expect((await post("/auth/mfa/verify", { code: "000000" }, bearer(mfaToken))).statusCode).toBe(401);
    const verified = await post("/auth/mfa/verify", { code: await totp() }, bearer(mfaToken));
    expect(verified.statusCode).toBe(200);
    const body = verified.json<{
      accessToken: string;
      recoveryCodes: string[];
      user: { mfaEnabled: boolean };
    }>();
    recoveryCodes = body.recoveryCodes;
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    expect(body.user.mfaEnabled).toBe(true);
    const cookies = verified.cookies;
    expect(cookies.find((c) => c.name === "access_token")).toMatchObject({ httpOnly: true, sameSite: "Lax" });
    expect(cookies.find((c) => c.name === "refresh_token")).toMatchObject({ httpOnly: true, path: "/auth" });
    expect(cookies.find((c) => c.name === "csrf_token")?.httpOnly).toBeFalsy();

    const me = await t.app.inject({ method: "GET", url: "/auth/me", headers: bearer(body.accessToken) });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ email: ADMIN.email, isSuperuser: true, roles: [] });
  });

  it("the enrolment code cannot be replayed at login; a code of a later step is accepted", async () => {
    const { mfaToken } = (await post("/auth/login", ADMIN)).json<{
      mfaRequired: boolean;
      mfaToken: string;
    }>();
    expect((await post("/auth/mfa/login", { mfaToken, code: await totp() })).statusCode).toBe(401);
    clock.advance(30_000);
    const login = await post("/auth/mfa/login", { mfaToken, code: await totp() });
    expect(login.statusCode).toBe(200);
    expect(login.json()).toHaveProperty("accessToken");
  });

  it("a recovery code works once, typed with or without its dash", async () => {
    const code = recoveryCodes[0] ?? "";
    const first = (await post("/auth/login", ADMIN)).json<{ mfaToken: string }>().mfaToken;
    expect(
      (await post("/auth/mfa/login", { mfaToken: first, code: code.replace("-", "").toUpperCase() }))
        .statusCode,
    ).toBe(200);
    const second = (await post("/auth/login", ADMIN)).json<{ mfaToken: string }>().mfaToken;
    expect((await post("/auth/mfa/login", { mfaToken: second, code })).statusCode).toBe(401);
  });

  it("an MFA token dies after five wrong codes, even for a right sixth", async () => {
    clock.advance(30_000);
    const { mfaToken } = (await post("/auth/login", ADMIN)).json<{ mfaToken: string }>();
    for (let i = 0; i < 5; i += 1)
      expect((await post("/auth/mfa/login", { mfaToken, code: "123456" })).statusCode).toBe(401);
    expect((await post("/auth/mfa/login", { mfaToken, code: await totp() })).statusCode).toBe(401);
  });

  async function signIn(): Promise<{
    accessToken: string;
    refreshToken: string;
    csrf: string;
    cookie: string;
  }> {
    clock.advance(30_000);
    const { mfaToken } = (await post("/auth/login", ADMIN)).json<{ mfaToken: string }>();
    const response = await post("/auth/mfa/login", { mfaToken, code: await totp() });
    expect(response.statusCode).toBe(200);
    const { accessToken, refreshToken } = response.json<{ accessToken: string; refreshToken: string }>();
    const csrf = response.cookies.find((c) => c.name === "csrf_token")?.value ?? "";
    return { accessToken, refreshToken, csrf, cookie: `access_token=${accessToken}; csrf_token=${csrf}` };
  }

  it("refresh rotates the pair; presenting a used refresh token revokes every token of that login", async () => {
    const session = await signIn();
    const rotated = await post("/auth/refresh", { refreshToken: session.refreshToken });
    expect(rotated.statusCode).toBe(200);
    const next = rotated.json<{ accessToken: string; refreshToken: string }>();
    expect(next.refreshToken).not.toBe(session.refreshToken);
    expect(
      (await t.app.inject({ method: "GET", url: "/auth/me", headers: bearer(next.accessToken) })).statusCode,
    ).toBe(200);

    const replay = await post("/auth/refresh", { refreshToken: session.refreshToken });
    expect(replay.statusCode).toBe(401);
    // The whole family is gone: the newest access and refresh tokens no longer work.
    expect(
      (await t.app.inject({ method: "GET", url: "/auth/me", headers: bearer(next.accessToken) })).statusCode,
    ).toBe(401);
    expect((await post("/auth/refresh", { refreshToken: next.refreshToken })).statusCode).toBe(401);
  });

  it("cookie-authenticated unsafe requests need the CSRF header; bearer requests do not", async () => {
    const session = await signIn();
    const withoutHeader = await post("/auth/logout", undefined, { cookie: session.cookie });
    expect(withoutHeader.statusCode).toBe(403);
    expect(withoutHeader.json()).toMatchObject({ error: "forbidden" });
    const wrongHeader = await post("/auth/logout", undefined, {
      cookie: session.cookie,
      "x-csrf-token": "nope",
    });
    expect(wrongHeader.statusCode).toBe(403);
    const me = await t.app.inject({ method: "GET", url: "/auth/me", headers: { cookie: session.cookie } });
    expect(me.statusCode).toBe(200);
    const logout = await post("/auth/logout", undefined, {
      cookie: session.cookie,
      "x-csrf-token": session.csrf,
    });
    expect(logout.statusCode).toBe(204);
    expect(logout.cookies.find((c) => c.name === "access_token")?.value).toBe("");
  });

  it("logout ends the login at once: its access token is refused although it has not expired", async () => {
    const session = await signIn();
    expect((await post("/auth/logout", undefined, bearer(session.accessToken))).statusCode).toBe(204);
    expect(
      (await t.app.inject({ method: "GET", url: "/auth/me", headers: bearer(session.accessToken) }))
        .statusCode,
    ).toBe(401);
    expect((await post("/auth/refresh", { refreshToken: session.refreshToken })).statusCode).toBe(401);
  });

  it("anonymous calls to protected routes are 401", async () => {
    expect((await t.app.inject({ method: "GET", url: "/auth/me" })).statusCode).toBe(401);
    expect((await post("/auth/logout")).statusCode).toBe(401);
    expect(
      (await t.app.inject({ method: "GET", url: "/auth/me", headers: bearer("garbage") })).statusCode,
    ).toBe(401);
  });
});

describe("concurrent setup", () => {
  it("exactly one of several simultaneous setups succeeds; the others are 409", async () => {
    const fresh = await createTestApp();
    try {
      const answers = await Promise.all(
        [1, 2, 3, 4, 5].map((i) =>
          fresh.app.inject({
            method: "POST",
            url: "/auth/setup",
            payload: {
              email: `admin${i}@msp.example`,
              password: "a long enough passphrase",
              name: `Admin ${i}`,
            },
          }),
        ),
      );
      expect(answers.map((a) => a.statusCode).sort()).toEqual([201, 409, 409, 409, 409]);
    } finally {
      await fresh.close();
    }
  });
});
