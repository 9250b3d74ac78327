import fc from "fast-check";
import type { InjectOptions } from "fastify";
import { expect } from "vitest";
import type { TestApp } from "./app.js";

/** A value of any JSON type, with the awkward ones a route must refuse cleanly (long, markup, paths). */
const fuzzValue = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }),
  fc.constantFrom(
    "",
    "00000000-0000-4000-8000-000000000002",
    "x".repeat(3000),
    "<script>",
    "../../etc",
    "%00",
    "admin@msp.example",
  ),
);

/** A request body: arbitrary JSON, raw text, or an object with the route's own fields holding any value. */
export const fuzzBody = (fields: readonly string[]) =>
  fc.oneof(
    fc.json({ maxDepth: 3 }),
    fc.string({ maxLength: 200 }),
    fc
      .record(Object.fromEntries(fields.map((f) => [f, fuzzValue])), { requiredKeys: [] })
      .map((o) => JSON.stringify(o)),
  );

/** Sends the request; fails the test on any 5xx, naming the request and the answer. */
export async function expectNo5xx(app: TestApp, request: InjectOptions): Promise<void> {
  const response = await app.app.inject(request);
  expect(
    response.statusCode,
    `${JSON.stringify(request).slice(0, 300)} → ${response.body.slice(0, 200)}`,
  ).toBeLessThan(500);
}
