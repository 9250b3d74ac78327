import fc from "fast-check";
import { afterAll, beforeAll, describe, it } from "vitest";
import { createTestContext, type TestContext } from "../support/context.js";
import { expectNo5xx, fuzzBody } from "../support/fuzz.js";

// The public routes of invitations and password resets (issue 21), fuzzed: only 2xx or 4xx, never a
// 500; and the admin routes with any id. 300 cases per route.

let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext({ publicUrl: "https://bifrost.msp.example" });
});
afterAll(async () => ctx?.close());

describe("fuzzing the invitation and reset routes", () => {
  for (const [url, fields] of [
    ["/auth/password/forgot", ["email"]],
    ["/auth/password/reset", ["token", "password"]],
    ["/auth/register-from-invite", ["token", "password"]],
  ] as const) {
    it(`POST ${url}`, async () => {
      await fc.assert(
        fc.asyncProperty(fuzzBody(fields), async (payload) =>
          expectNo5xx(ctx.app, {
            method: "POST",
            url,
            payload,
            headers: { "content-type": "application/json" },
          }),
        ),
        { numRuns: 300 },
      );
    }, 120_000);
  }

  it("the admin routes with any id", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.uuid(), fc.string({ maxLength: 60 }).map(encodeURIComponent)),
        fc.constantFrom(["POST", "invite"], ["DELETE", "invite"], ["POST", "password-reset"]),
        async (id, [method, action]) =>
          expectNo5xx(ctx.app, {
            method,
            url: `/api/users/${id}/${action}`,
            headers: { authorization: `Bearer ${ctx.admin.token}` },
          }),
      ),
      { numRuns: 300 },
    );
  }, 120_000);
});
