import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../support/app.js";

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ loginRateLimit: 10 });
});
afterAll(async () => {
  await t.close();
});

const login = (email: string, remoteAddress: string) =>
  t.app.inject({
    method: "POST",
    url: "/auth/login",
    payload: { email, password: "wrong password, certainly" },
    remoteAddress,
  });

describe("login rate limits", () => {
  it("11 wrong passwords within a minute from one IP give 429 on the 11th, with Retry-After", async () => {
    for (let i = 1; i <= 10; i += 1) {
      expect((await login(`user${i}@msp.example`, "198.51.100.7")).statusCode, `attempt ${i}`).toBe(401);
    }
    const eleventh = await login("user11@msp.example", "198.51.100.7");
    expect(eleventh.statusCode).toBe(429);
    expect(eleventh.json()).toMatchObject({ error: "rate_limited" });
    const retryAfter = Number(eleventh.headers["retry-after"]);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Another address is not affected.
    expect((await login("user12@msp.example", "198.51.100.8")).statusCode).toBe(401);
  });

  it("one account is limited separately, whatever addresses the attempts come from", async () => {
    for (let i = 1; i <= 10; i += 1) {
      expect((await login("target@msp.example", `203.0.113.${i}`)).statusCode, `attempt ${i}`).toBe(401);
    }
    expect((await login("TARGET@msp.example", "203.0.113.99")).statusCode).toBe(429);
  });

  it("X-Forwarded-For is ignored without trusted proxies, so it cannot dodge the limit", async () => {
    for (let i = 1; i <= 10; i += 1) {
      const response = await t.app.inject({
        method: "POST",
        url: "/auth/login",
        payload: { email: `spoof${i}@msp.example`, password: "wrong password, certainly" },
        remoteAddress: "192.0.2.50",
        headers: { "x-forwarded-for": `10.0.0.${i}` },
      });
      expect(response.statusCode).toBe(401);
    }
    const blocked = await t.app.inject({
      method: "POST",
      url: "/auth/login",
      payload: { email: "spoof11@msp.example", password: "wrong password, certainly" },
      remoteAddress: "192.0.2.50",
      headers: { "x-forwarded-for": "10.0.0.200" },
    });
    expect(blocked.statusCode).toBe(429);
  });
});
