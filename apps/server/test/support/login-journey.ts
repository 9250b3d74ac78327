import { generate } from "otplib";
import { expect } from "vitest";

type Json = Record<string, unknown>;

/** One JSON request to a running server; the body comes back parsed. */
export async function call(url: string, method: string, body?: Json, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method,
    headers: { ...(body ? { "content-type": "application/json" } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: (text ? JSON.parse(text) : null) as Json,
    headers: response.headers,
  };
}

const codeNow = (secret: string): Promise<string> =>
  generate({ secret, epoch: Math.floor(Date.now() / 1000) });

const JOURNEY_ADMIN = {
  email: "root@msp.example",
  password: "a perfectly long passphrase",
  name: "Root",
};

/**
 * What a new user does on a fresh platform, over HTTP with real TOTP codes (otplib): setup, login,
 * MFA enrolment, logout, login again with MFA at a later time step, refresh, and a replayed refresh
 * that revokes the whole login. With two base URLs the steps alternate between two processes.
 * Takes up to 30 s: the second login must wait for a TOTP step after the enrolment's.
 */
export async function runLoginJourney(a: string, b: string = a): Promise<void> {
  const ADMIN = JOURNEY_ADMIN;
  expect((await call(`${a}/auth/setup`, "POST", ADMIN)).status).toBe(201);
  expect((await call(`${b}/auth/setup`, "POST", ADMIN)).status).toBe(409);

  const first = await call(`${a}/auth/login`, "POST", { email: ADMIN.email, password: ADMIN.password });
  expect(first.body).toMatchObject({ mfaSetupRequired: true });
  const setupToken = String(first.body.mfaToken);
  const enrol = await call(`${b}/auth/mfa/setup`, "POST", undefined, {
    authorization: `Bearer ${setupToken}`,
  });
  const secret = String(enrol.body.secret);
  const verified = await call(
    `${a}/auth/mfa/verify`,
    "POST",
    { code: await codeNow(secret) },
    {
      authorization: `Bearer ${setupToken}`,
    },
  );
  expect(verified.status).toBe(200);
  const enrolledStep = Math.floor(Date.now() / 30_000);
  const access = String(verified.body.accessToken);
  expect((await call(`${b}/auth/me`, "GET", undefined, { authorization: `Bearer ${access}` })).status).toBe(
    200,
  );

  // Logging out on one process ends the login on the other at once.
  expect(
    (await call(`${b}/auth/logout`, "POST", undefined, { authorization: `Bearer ${access}` })).status,
  ).toBe(204);
  expect((await call(`${a}/auth/me`, "GET", undefined, { authorization: `Bearer ${access}` })).status).toBe(
    401,
  );

  // The enrolment code's step can never be used again: wait for the next one.
  while (Math.floor(Date.now() / 30_000) <= enrolledStep) await new Promise((r) => setTimeout(r, 250));
  const second = await call(`${b}/auth/login`, "POST", { email: ADMIN.email, password: ADMIN.password });
  expect(second.body).toMatchObject({ mfaRequired: true });
  const signedIn = await call(`${a}/auth/mfa/login`, "POST", {
    mfaToken: second.body.mfaToken,
    code: await codeNow(secret),
  });
  expect(signedIn.status).toBe(200);

  const refreshToken = String(signedIn.body.refreshToken);
  const rotated = await call(`${b}/auth/refresh`, "POST", { refreshToken });
  expect(rotated.status).toBe(200);
  const replayed = await call(`${a}/auth/refresh`, "POST", { refreshToken });
  expect(replayed.status).toBe(401);
  const newest = String(rotated.body.accessToken);
  expect((await call(`${b}/auth/me`, "GET", undefined, { authorization: `Bearer ${newest}` })).status).toBe(
    401,
  );
}
