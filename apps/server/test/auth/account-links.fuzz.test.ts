import fc from "fast-check";
import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../support/context.js";
import { fuzzBody } from "../support/fuzz.js";

// The public routes of invitations and password resets (issue 21), fuzzed: only 2xx or 4xx, never a
// 500; and the admin routes with any id. 300 cases per route.

let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext({ publicUrl: "https://bifrost.msp.example" });
});
afterAll(async () => ctx?.close());

async function expectNo5xx(request: InjectOptions): Promise<void> {
  const response = await ctx.app.app.inject(request);
  expect(
    response.statusCode,
    `${JSON.stringify(request).slice(0, 300)} → ${response.body.slice(0, 200)}`,
  ).toBeLessThan(500);
}

describe("fuzzing the invitation and reset routes", () => {
  for (const [url, fields] of [
    ["/auth/password/forgot", ["email"]],
    ["/auth/password/reset", ["token", "password"]],
    ["/auth/register-from-invite", ["token", "password"]],
  ] as const) {
    it(`POST ${url}`, async () => {
      await fc.assert(
        fc.asyncProperty(fuzzBody(fields), async (payload) =>
          expectNo5xx({ method: "POST", url, payload, headers: { "content-type": "application/json" } }),
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
          expectNo5xx({
            method,
            url: `/api/users/${id}/${action}`,
            headers: { authorization: `Bearer ${ctx.admin.token}` },
          }),
      ),
      { numRuns: 300 },
    );
  }, 120_000);
});
