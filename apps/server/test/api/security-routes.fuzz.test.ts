import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, signedInUser, type TestContext } from "../support/context.js";
import { expectNo5xx, fuzzBody } from "../support/fuzz.js";

// The routes the security review changed (issue 17), fuzzed: only 2xx or 4xx, never a 500, and the
// platform stays up. (The auth and MFA routes are in auth/fuzz.test.ts, form uploads in
// forms/form-uploads.test.ts.) 300 cases per route: arbitrary JSON, raw text, and objects with the
// route's own fields holding values of every type; queries and headers likewise.

let ctx: TestContext;
let victimId: string;
let organizationId: string;

const text = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.constantFrom("", "%00", "a%ZZ", "=&=&", "x".repeat(5000)),
);

beforeAll(async () => {
  ctx = await createTestContext();
  const provider = await ctx.admin.request("POST", "/api/oauth/connections", {
    name: "fuzz-oauth",
    flow: "authorization_code",
    clientId: "client",
    clientSecret: "secret",
    authorizeUrl: "http://127.0.0.1:9/authorize",
    tokenUrl: "http://127.0.0.1:9/token",
    scopes: ["read"],
  });
  expect(provider.statusCode, provider.body).toBe(201);
  organizationId = (await ctx.admin.request("POST", "/api/organizations", { name: "Fuzzed Inc" })).json<{
    id: string;
  }>().id;
  victimId = (await signedInUser(ctx, organizationId)).userId;
});
afterAll(async () => ctx?.close());

/** What a header can carry (the client library refuses the rest before anything is sent). */
const printable = (value: string): string => value.replace(/[^\x20-\x7e]/g, "");

const bearer = () => ({ authorization: `Bearer ${ctx.admin.token}`, "content-type": "application/json" });

describe("fuzzing the routes the security review changed", () => {
  it("POST /api/oauth/connections/{name}/authorize", async () => {
    await fc.assert(
      fc.asyncProperty(
        fuzzBody(["organizationId"]),
        fc.constantFrom("fuzz-oauth", "unknown", "%2e%2e"),
        async (payload, name) =>
          expectNo5xx(ctx.app, {
            method: "POST",
            url: `/api/oauth/connections/${name}/authorize`,
            payload,
            headers: bearer(),
          }),
      ),
      { numRuns: 300 },
    );
  }, 120_000);

  it("GET and POST /api/oauth/callback/{name}, with any state, code, error and binding cookie", async () => {
    await fc.assert(
      fc.asyncProperty(text, text, text, fc.boolean(), async (state, code, cookie, post) =>
        expectNo5xx(
          ctx.app,
          post
            ? {
                method: "POST",
                url: "/api/oauth/callback/fuzz-oauth",
                payload: { state, code },
                headers: { cookie: `bifrost_oauth_binding=${encodeURIComponent(cookie)}` },
              }
            : {
                method: "GET",
                url: `/api/oauth/callback/fuzz-oauth?state=${encodeURIComponent(state)}&code=${encodeURIComponent(code)}&error=${encodeURIComponent(cookie)}`,
                headers: { cookie: `bifrost_oauth_binding=${encodeURIComponent(cookie)}` },
              },
        ),
      ),
      { numRuns: 300 },
    );
  }, 120_000);

  it("PATCH /api/users/{id} (deactivation and moves cancel runs)", async () => {
    await fc.assert(
      fc.asyncProperty(fuzzBody(["isActive", "organizationId", "isSuperuser", "name"]), async (payload) =>
        expectNo5xx(ctx.app, { method: "PATCH", url: `/api/users/${victimId}`, payload, headers: bearer() }),
      ),
      { numRuns: 300 },
    );
  }, 120_000);

  it("PATCH /api/organizations/{id} (deactivation cancels runs)", async () => {
    await fc.assert(
      fc.asyncProperty(fuzzBody(["isActive", "name", "domain"]), async (payload) =>
        expectNo5xx(ctx.app, {
          method: "PATCH",
          url: `/api/organizations/${organizationId}`,
          payload,
          headers: bearer(),
        }),
      ),
      { numRuns: 300 },
    );
  }, 120_000);

  it("GET /api/openapi.json and /ws/connect with any token, cookie and Origin", async () => {
    await fc.assert(
      fc.asyncProperty(
        text,
        text,
        fc.constantFrom("/api/openapi.json", "/ws/connect"),
        async (token, origin, url) =>
          expectNo5xx(ctx.app, {
            method: "GET",
            url,
            headers: {
              ...(token ? { authorization: `Bearer ${printable(token)}` } : {}),
              cookie: `access_token=${encodeURIComponent(token)}`,
              origin: printable(origin),
            },
          }),
      ),
      { numRuns: 300 },
    );
    expect((await ctx.app.app.inject({ method: "GET", url: "/health" })).statusCode).toBe(200);
  }, 120_000);
});
