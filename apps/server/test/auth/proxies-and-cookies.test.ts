import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../support/app.js";

// Behind a trusted proxy (BIFROST_TRUSTED_PROXIES) the client address comes from X-Forwarded-For;
// behind an https public URL the session cookies are Secure.

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({
    loginRateLimit: 3,
    trustedProxies: ["10.9.0.1"],
    secureCookies: true,
    mfaRequired: false,
  });
  const setup = await t.app.inject({
    method: "POST",
    url: "/auth/setup",
    payload: { email: "admin@msp.example", password: "an admin's long passphrase", name: "Admin" },
  });
  expect(setup.statusCode).toBe(201);
});
afterAll(async () => {
  await t.close();
});

const attempt = (forwardedFor: string, remoteAddress = "10.9.0.1") =>
  t.app.inject({
    method: "POST",
    url: "/auth/login",
    payload: { email: `someone-${Math.random()}@msp.example`, password: "wrong password, certainly" },
    remoteAddress,
    headers: { "x-forwarded-for": forwardedFor },
  });

describe("behind a trusted proxy", () => {
  it("limits by the forwarded client address, so clients behind one proxy are counted apart", async () => {
    for (let i = 0; i < 3; i += 1) expect((await attempt("203.0.113.10")).statusCode).toBe(401);
    expect((await attempt("203.0.113.10")).statusCode).toBe(429);
    // Another client behind the same proxy still gets through.
    expect((await attempt("203.0.113.11")).statusCode).toBe(401);
  });

  it("ignores X-Forwarded-For from an address that is not a trusted proxy", async () => {
    for (let i = 0; i < 3; i += 1)
      expect((await attempt(`198.51.100.${i}`, "192.0.2.77")).statusCode).toBe(401);
    expect((await attempt("198.51.100.99", "192.0.2.77")).statusCode).toBe(429);
  });
});

describe("with an https public URL", () => {
  it("marks the session cookies Secure", async () => {
    const login = await t.app.inject({
      method: "POST",
      url: "/auth/login",
      payload: { email: "admin@msp.example", password: "an admin's long passphrase" },
      remoteAddress: "192.0.2.200",
    });
    expect(login.statusCode).toBe(200);
    const names = ["access_token", "refresh_token", "csrf_token"];
    for (const name of names) expect(login.cookies.find((c) => c.name === name)?.secure, name).toBe(true);
  });
});
