import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../support/app.js";

// Malformed and adversarial bodies on every auth route: only 4xx, never a 500, and the server
// stays up. 1,000 cases per route; the shapes mix arbitrary JSON, raw text, and objects with the
// routes' own field names holding values of every type.

let t: TestApp;
let accessToken: string;

const ROUTES = [
  { method: "POST", url: "/auth/setup", fields: ["email", "password", "name"] },
  { method: "POST", url: "/auth/login", fields: ["email", "password"] },
  { method: "POST", url: "/auth/mfa/setup", fields: [] },
  { method: "POST", url: "/auth/mfa/verify", fields: ["code"] },
  { method: "POST", url: "/auth/mfa/login", fields: ["mfaToken", "code", "rememberDevice"] },
  { method: "POST", url: "/auth/refresh", fields: ["refreshToken"] },
  { method: "POST", url: "/auth/logout", fields: [] },
  { method: "POST", url: "/auth/revoke-all", fields: [] },
  { method: "POST", url: "/auth/admin/revoke-user", fields: ["userId"] },
  { method: "POST", url: "/api/profile/password", fields: ["currentPassword", "newPassword"] },
  { method: "DELETE", url: "/auth/mfa", fields: ["code"] },
  { method: "POST", url: "/auth/mfa/recovery-codes/regenerate", fields: ["code"] },
  // The account page's routes (issue 22).
  { method: "PATCH", url: "/api/profile", fields: ["name"] },
  { method: "POST", url: "/auth/mfa/enrol", fields: ["code"] },
  { method: "POST", url: "/auth/mfa/enrol/verify", fields: ["code"] },
  { method: "POST", url: "/auth/device/approve", fields: ["userCode"] },
] as const;

const value = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
  fc.constantFrom("", " ", "a@b.c", "00000000-0000-0000-0000-000000000002", "123456", "x".repeat(2000)),
);

const body = (fields: readonly string[]) =>
  fc.oneof(
    fc.json({ maxDepth: 3 }).map((text) => ({ raw: text })),
    fc.string({ maxLength: 200 }).map((text) => ({ raw: text })),
    (fields.length > 0
      ? fc.record(Object.fromEntries(fields.map((f) => [f, value])), { requiredKeys: [] })
      : fc.object()
    ).map((object) => ({ raw: JSON.stringify(object) })),
  );

const headers = fc.constantFrom<Record<string, string>>(
  { "content-type": "application/json" },
  { "content-type": "application/json; charset=utf-8" },
  { "content-type": "text/plain" },
  {},
);

const PASSWORD = "a fuzzing admin's passphrase";

beforeAll(async () => {
  t = await createTestApp({ mfaRequired: false });
  await t.app.inject({
    method: "POST",
    url: "/auth/setup",
    payload: { email: "fuzz@msp.example", password: PASSWORD, name: "Fuzz" },
  });
});
// Each route starts with a fresh login, since a fuzzed logout or revoke-all of the previous route ends it.
beforeEach(async () => {
  const login = await t.app.inject({
    method: "POST",
    url: "/auth/login",
    payload: { email: "fuzz@msp.example", password: PASSWORD },
    remoteAddress: "192.0.2.1",
  });
  accessToken = login.json<{ accessToken: string }>().accessToken;
  expect(accessToken).toBeTruthy();
});
afterAll(async () => {
  await t.close();
});

describe("fuzzing the auth routes", () => {
  for (const route of ROUTES) {
    it(`${route.method} ${route.url} answers only 4xx (or 2xx) to 1,000 malformed bodies`, async () => {
      await fc.assert(
        fc.asyncProperty(body(route.fields), headers, fc.boolean(), async ({ raw }, extra, signedIn) => {
          const response = await t.app.inject({
            method: route.method,
            url: route.url,
            payload: raw,
            headers: { ...extra, ...(signedIn ? { authorization: `Bearer ${accessToken}` } : {}) },
          });
          // Half the cases carry a valid access token (until a fuzzed revoke-all or logout ends it).
          expect(response.statusCode, `${raw.slice(0, 200)} → ${response.body.slice(0, 200)}`).toBeLessThan(
            500,
          );
        }),
        { numRuns: 1_000 },
      );
      expect((await t.app.inject({ method: "GET", url: "/health" })).statusCode).toBe(200);
    }, 120_000);
  }
});
