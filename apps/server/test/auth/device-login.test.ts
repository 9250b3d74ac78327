import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { settableClock } from "../support/clock.js";
import { createTestContext, signedInUser, type Client, type TestContext } from "../support/context.js";
import { expectNo5xx, fuzzBody } from "../support/fuzz.js";

// Device login for the CLI (issue 22, RFC 8628): a CLI-style client asks for a code pair and polls;
// a signed-in user approves or denies the user code; approved, the client gets a normal login (listed,
// revocable); denied, expired or already answered, it gets nothing. A mutable clock moves time.

const clock = settableClock();
const INTERVAL = 2;

let ctx: TestContext;
let approver: Client;

type CodePair = {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string;
  expiresIn: number;
  interval: number;
};

const post = (url: string, payload?: object, headers: Record<string, string> = {}) =>
  ctx.app.app.inject({ method: "POST", url, ...(payload ? { payload } : {}), headers });

async function startDeviceLogin(clientName = "bifrost CLI on build-01"): Promise<CodePair> {
  const answer = await post("/auth/device/code", { clientName }, { "user-agent": "bifrost-cli/test" });
  expect(answer.statusCode).toBe(200);
  return answer.json<CodePair>();
}

/** One poll, `INTERVAL` seconds after the previous one (as a well-behaved CLI waits). */
async function poll(pair: CodePair, wait = INTERVAL) {
  clock.at += wait * 1000;
  return post("/auth/device/token", { deviceCode: pair.deviceCode });
}

beforeAll(async () => {
  ctx = await createTestContext({
    clock,
    devicePollIntervalSeconds: INTERVAL,
    publicUrl: "https://bifrost.msp.example",
  });
  approver = await signedInUser(ctx, ctx.orgA.id);
});
afterAll(() => ctx?.close());

describe("device login", () => {
  it("a CLI-style client gets a normal login once a signed-in user approves the code in the browser", async () => {
    const pair = await startDeviceLogin();
    expect(pair.userCode).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(pair.verificationUri).toBe("https://bifrost.msp.example/device");
    expect(pair.verificationUriComplete).toBe(`https://bifrost.msp.example/device?code=${pair.userCode}`);
    expect(pair).toMatchObject({ expiresIn: 600, interval: INTERVAL });

    expect((await poll(pair)).json()).toMatchObject({ error: "authorization_pending" });
    expect((await poll(pair)).statusCode).toBe(400);

    // The approval page looks the code up as typed (any case, without the dash), then approves it.
    const typed = pair.userCode.replace("-", "").toLowerCase();
    const lookup = await approver.request("POST", "/auth/device/lookup", { userCode: typed });
    expect(lookup.statusCode).toBe(200);
    expect(lookup.json()).toMatchObject({ userCode: pair.userCode, clientName: "bifrost CLI on build-01" });
    expect((await approver.request("POST", "/auth/device/approve", { userCode: typed })).statusCode).toBe(
      204,
    );

    const granted = await poll(pair);
    expect(granted.statusCode).toBe(200);
    const tokens = granted.json<{ accessToken: string; refreshToken: string; user: { id: string } }>();
    expect(tokens.user.id).toBe(approver.userId);
    const me = await ctx.app.app.inject({
      method: "GET",
      url: "/auth/me",
      headers: { authorization: `Bearer ${tokens.accessToken}` },
    });
    expect(me.json()).toMatchObject({ id: approver.userId });
    // A normal session: refreshable, in the user's list, and ended like any other.
    expect((await post("/auth/refresh", { refreshToken: tokens.refreshToken })).statusCode).toBe(200);
    const sessions = (await approver.request("GET", "/auth/sessions")).json<{
      items: Array<{ id: string; userAgent: string | null }>;
    }>().items;
    const device = sessions.find((s) => s.userAgent === "bifrost CLI on build-01 (device login)");
    expect(device).toBeDefined();
    expect((await approver.request("DELETE", `/auth/sessions/${device?.id}`)).statusCode).toBe(204);
    const after = await ctx.app.app.inject({
      method: "GET",
      url: "/auth/me",
      headers: { authorization: `Bearer ${tokens.accessToken}` },
    });
    expect(after.statusCode).toBe(401);

    // Answered once: polling again gives nothing, and the code can no longer be approved.
    expect((await poll(pair)).json()).toMatchObject({ error: "expired_token" });
    expect(
      (await approver.request("POST", "/auth/device/approve", { userCode: pair.userCode })).statusCode,
    ).toBe(404);
  });

  it("polling faster than the interval is slow_down, and the interval grows by 5 seconds", async () => {
    const pair = await startDeviceLogin();
    expect((await poll(pair)).json()).toMatchObject({ error: "authorization_pending" });
    const tooSoon = await poll(pair, 0);
    expect(tooSoon.statusCode).toBe(400);
    expect(tooSoon.json()).toMatchObject({ error: "slow_down", interval: INTERVAL + 5 });
    // The old interval is now too soon as well.
    expect((await poll(pair, INTERVAL)).json()).toMatchObject({ error: "slow_down" });
    expect((await poll(pair, INTERVAL + 10 + 5)).json()).toMatchObject({ error: "authorization_pending" });
  });

  it("a denied request gives nothing, however long the client polls", async () => {
    const pair = await startDeviceLogin();
    expect(
      (await approver.request("POST", "/auth/device/deny", { userCode: pair.userCode })).statusCode,
    ).toBe(204);
    for (let i = 0; i < 3; i++) {
      const answer = await poll(pair);
      expect(answer.statusCode).toBe(400);
      expect(answer.json()).toMatchObject({ error: "access_denied" });
    }
    // Decided: it can no longer be approved instead.
    expect(
      (await approver.request("POST", "/auth/device/approve", { userCode: pair.userCode })).statusCode,
    ).toBe(404);
  });

  it("after 10 minutes the code expires: nothing to approve, nothing to poll for, even if approved late", async () => {
    const pair = await startDeviceLogin();
    const approvedJustInTime = await startDeviceLogin();
    expect(
      (await approver.request("POST", "/auth/device/approve", { userCode: approvedJustInTime.userCode }))
        .statusCode,
    ).toBe(204);
    clock.at += 600_000 + 1000;
    expect(
      (await approver.request("POST", "/auth/device/approve", { userCode: pair.userCode })).statusCode,
    ).toBe(404);
    expect((await poll(pair)).json()).toMatchObject({ error: "expired_token" });
    expect((await poll(approvedJustInTime)).json()).toMatchObject({ error: "expired_token" });
  });

  it("an attacker gets nothing: unknown or guessed device codes, and no way to approve without signing in", async () => {
    const pair = await startDeviceLogin();
    const guessed = await post("/auth/device/token", { deviceCode: pair.deviceCode.slice(0, -2) + "AA" });
    expect(guessed.json()).toMatchObject({ error: "expired_token" });
    // The user code is not the device code.
    expect((await post("/auth/device/token", { deviceCode: pair.userCode })).json()).toMatchObject({
      error: "expired_token",
    });
    expect(
      (await ctx.anonymous.request("POST", "/auth/device/approve", { userCode: pair.userCode })).statusCode,
    ).toBe(401);
    // A malformed user code is simply not found.
    expect(
      (await approver.request("POST", "/auth/device/lookup", { userCode: "AEIO-UAEI" })).statusCode,
    ).toBe(404);
    // A signed-in user guessing codes is stopped after 20 tries in 5 minutes.
    const guesser = await signedInUser(ctx, ctx.orgB.id);
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++)
      statuses.push(
        (await guesser.request("POST", "/auth/device/lookup", { userCode: "BCDF-GHJK" })).statusCode,
      );
    expect(statuses.slice(0, 20).every((s) => s === 404)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    // The request is still there for its own user to approve.
    expect((await poll(pair)).json()).toMatchObject({ error: "authorization_pending" });
  });

  it("fuzzing the public routes gives only 2xx or 4xx", { timeout: 120_000 }, async () => {
    const pair = await startDeviceLogin();
    let n = 0;
    // Each case from its own loopback address, so the per-address limits do not hide the route.
    const from = () => `127.0.${Math.floor(++n / 250)}.${n % 250}`;
    for (const [url, fields] of [
      ["/auth/device/code", ["clientName"]],
      ["/auth/device/token", ["deviceCode"]],
    ] as const) {
      await fc.assert(
        fc.asyncProperty(fuzzBody(fields), async (payload) =>
          expectNo5xx(ctx.app, {
            method: "POST",
            url,
            payload,
            remoteAddress: from(),
            headers: { "content-type": "application/json" },
          }),
        ),
        { numRuns: 300 },
      );
    }
    // The real device code, in every shape around it.
    for (const deviceCode of [pair.deviceCode, ` ${pair.deviceCode}`, pair.deviceCode.repeat(3)])
      await expectNo5xx(ctx.app, { method: "POST", url: "/auth/device/token", payload: { deviceCode } });
  });
});
