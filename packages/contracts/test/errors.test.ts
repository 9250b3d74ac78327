import { describe, expect, it } from "vitest";
import { errorBodySchema, errorKindSchema, errorStatusByKind } from "../src/index.js";

describe("error contract", () => {
  it("gives every kind of API.md its one HTTP status", () => {
    expect(errorStatusByKind).toEqual({
      bad_request: 400,
      unauthorized: 401,
      forbidden: 403,
      not_found: 404,
      method_not_allowed: 405,
      conflict: 409,
      payload_too_large: 413,
      unsupported_media_type: 415,
      validation_error: 422,
      rate_limited: 429,
      internal_error: 500,
      unavailable: 503,
      timeout: 504,
    });
    expect(errorKindSchema.options).toHaveLength(Object.keys(errorStatusByKind).length);
  });

  it("accepts an error body with details and refuses one without a request id or with an unknown kind", () => {
    expect(
      errorBodySchema.safeParse({
        error: "validation_error",
        message: "The request is invalid",
        details: { fields: [{ path: "body.email", message: "Invalid email" }] },
        requestId: "r-1",
      }).success,
    ).toBe(true);
    expect(errorBodySchema.safeParse({ error: "not_found", message: "x" }).success).toBe(false);
    expect(errorBodySchema.safeParse({ error: "teapot", message: "x", requestId: "r" }).success).toBe(false);
  });
});
