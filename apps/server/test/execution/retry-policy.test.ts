import { describe, expect, it } from "vitest";
import { retryDelaySeconds } from "../../src/services/execution/dispatcher.js";

const policy = { retries: 4, initialDelaySeconds: 2, backoffMultiplier: 3, maxDelaySeconds: 30 };
const failed = { status: "Failed", errorType: "Error" };

describe("the retry policy's decision", () => {
  it("waits the initial delay, then multiplies it at each retry, never over the maximum", () => {
    expect([0, 1, 2, 3].map((done) => retryDelaySeconds(policy, done, failed))).toEqual([2, 6, 18, 30]);
  });

  it("stops when the retries are spent, and without a policy or with retries 0", () => {
    expect(retryDelaySeconds(policy, 4, failed)).toBeUndefined();
    expect(retryDelaySeconds(null, 0, failed)).toBeUndefined();
    expect(retryDelaySeconds({ ...policy, retries: 0 }, 0, failed)).toBeUndefined();
  });

  it("retries every error type but UserError by default, Timeout included", () => {
    expect(retryDelaySeconds(policy, 0, { status: "Failed", errorType: "UserError" })).toBeUndefined();
    expect(retryDelaySeconds(policy, 0, { status: "Timeout", errorType: "Timeout" })).toBe(2);
    expect(retryDelaySeconds(policy, 0, { status: "Failed", errorType: null })).toBe(2);
  });

  it("with retryOn, only the types listed: UserError when asked, Timeout left out when not listed", () => {
    const onlyUser = { ...policy, retryOn: ["UserError"] };
    expect(retryDelaySeconds(onlyUser, 0, { status: "Failed", errorType: "UserError" })).toBe(2);
    expect(retryDelaySeconds(onlyUser, 0, { status: "Timeout", errorType: "Timeout" })).toBeUndefined();
    expect(retryDelaySeconds(onlyUser, 0, failed)).toBeUndefined();
  });

  it("never retries a run that succeeded, was cancelled or completed with errors", () => {
    for (const status of ["Success", "Cancelled", "CompletedWithErrors"])
      expect(retryDelaySeconds(policy, 0, { status, errorType: null }), status).toBeUndefined();
  });
});
