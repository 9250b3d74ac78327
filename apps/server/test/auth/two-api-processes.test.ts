import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, runLoginJourney } from "../support/login-journey.js";
import { startTwoApis, type TwoApis } from "../support/two-apis.js";

// Two `bifrost-server api` processes on one PostgreSQL database and one Redis (a private one, so
// counters start at zero): a login on one and its refresh or MFA step on the other must agree.

let apis: TwoApis;

beforeAll(async () => {
  apis = await startTwoApis({ BIFROST_LOGIN_RATE_LIMIT: "10" });
}, 90_000);

afterAll(async () => {
  await apis?.stop();
});

describe("two API processes sharing PostgreSQL and Redis", () => {
  it("setup, MFA enrolment, logout, MFA login again, refresh and a replayed refresh, across both processes", async () => {
    const [a, b] = apis.urls;
    await runLoginJourney(a, b);
  }, 90_000);

  it("the login limit holds across both processes: the 11th attempt within a minute is 429", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i += 1) {
      const url = apis.urls[i % 2] ?? "";
      statuses.push(
        (
          await call(`${url}/auth/login`, "POST", {
            email: `x${i}@msp.example`,
            password: "wrong password!!",
          })
        ).status,
      );
    }
    // The first test signed in twice from this address (2 attempts), so the limit of 10 is reached sooner.
    expect(statuses.filter((s) => s === 401).length).toBe(8);
    expect(statuses.slice(8)).toEqual([429, 429, 429]);
  });
});
