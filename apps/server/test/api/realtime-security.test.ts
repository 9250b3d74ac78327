import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { SecretBox } from "../../src/infra/crypto/secret-box.js";
import { ACCESS_TOKEN_TTL_SECONDS, TokenService } from "../../src/services/auth/tokens.js";
import { TEST_SECRET_KEY } from "../support/app.js";
import { createTestContext, signedInUser, type Client, type TestContext } from "../support/context.js";

// The WebSocket as an attacker would use it (issue 17.2): a page on another origin riding the
// victim's cookie, a stolen token, and a socket left open after its login ended or changed.

let ctx: TestContext;
let base: string;

beforeAll(async () => {
  ctx = await createTestContext();
  base = (await ctx.app.app.listen({ host: "127.0.0.1", port: 0 })).replace("http", "ws");
});
afterAll(async () => ctx?.close());

type Opened = { socket: WebSocket; closed: Promise<{ code: number; reason: string }> };

/** Opens /ws/connect; answers the open socket, or the HTTP status that refused the upgrade. */
function open(query: string, headers: Record<string, string>): Promise<Opened | { status: number }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${base}/ws/connect${query}`, { headers });
    const closed = new Promise<{ code: number; reason: string }>((done) =>
      socket.on("close", (code, reason) => done({ code, reason: reason.toString() })),
    );
    socket.on("open", () => resolve({ socket, closed }));
    socket.on("unexpected-response", (_request, response) => resolve({ status: response.statusCode ?? 0 }));
    socket.on("error", reject);
  });
}

const origin = () => base.replace("ws", "http");
const cookie = (user: Client) => ({ cookie: `access_token=${user.token}` });
const bearer = (user: Client) => ({ authorization: `Bearer ${user.token}` });

async function expectOpen(result: Opened | { status: number }): Promise<Opened> {
  expect(result).toHaveProperty("socket");
  return result as Opened;
}

/** The socket closes with `code` within a few seconds. */
async function expectClosed(opened: Opened, code: number): Promise<void> {
  const timeout = new Promise<"still open">((resolve) => setTimeout(() => resolve("still open"), 5_000));
  const outcome = await Promise.race([opened.closed, timeout]);
  expect(outcome).toMatchObject({ code });
}

describe("WebSocket origin", () => {
  it("a socket the cookie authenticates, opened by a page on another origin, is refused (403)", async () => {
    const user = await signedInUser(ctx, ctx.orgA.id);
    expect(await open("", { ...cookie(user), origin: "http://evil.example" })).toEqual({ status: 403 });
    // Without an Origin header it is no browser's socket: the cookie alone is not enough.
    expect(await open("", cookie(user))).toEqual({ status: 403 });
    const own = await expectOpen(await open("", { ...cookie(user), origin: origin() }));
    own.socket.terminate();
  });

  it("a foreign Origin is refused whatever the credential; a bearer or ?token= socket without one is accepted", async () => {
    const user = await signedInUser(ctx, ctx.orgA.id);
    expect(await open("", { ...bearer(user), origin: "http://evil.example" })).toEqual({ status: 403 });
    expect(await open(`?token=${user.token}`, { origin: "http://evil.example" })).toEqual({ status: 403 });
    for (const opened of [await open("", bearer(user)), await open(`?token=${user.token}`, {})]) {
      (await expectOpen(opened)).socket.terminate();
    }
  });
});

describe("WebSocket lifetime", () => {
  it("closes when its login ends: logout", async () => {
    const user = await signedInUser(ctx, ctx.orgA.id);
    const opened = await expectOpen(await open("?channels=history:GLOBAL", bearer(user)));
    expect((await user.request("POST", "/auth/logout")).statusCode).toBe(204);
    await expectClosed(opened, 4401);
  });

  it("closes when its login ends: revoke-all from another session, and an admin's revoke", async () => {
    const user = await signedInUser(ctx, ctx.orgA.id);
    const opened = await expectOpen(await open("", bearer(user)));
    expect((await user.request("POST", "/auth/revoke-all")).statusCode).toBeLessThan(300);
    await expectClosed(opened, 4401);

    const other = await signedInUser(ctx, ctx.orgA.id);
    const second = await expectOpen(await open("", bearer(other)));
    const revoked = await ctx.admin.request("POST", "/auth/admin/revoke-user", { userId: other.userId });
    expect(revoked.statusCode).toBeLessThan(300);
    await expectClosed(second, 4401);
  });

  it("closes when the user is deactivated", async () => {
    const user = await signedInUser(ctx, ctx.orgA.id);
    const opened = await expectOpen(await open("", bearer(user)));
    const patched = await ctx.admin.request("PATCH", `/api/users/${user.userId}`, { isActive: false });
    expect(patched.statusCode).toBe(200);
    await expectClosed(opened, 4401);
  });

  it("closes when what the user may see changes: a role given, a platform admin demoted", async () => {
    const user = await signedInUser(ctx, ctx.orgA.id);
    const opened = await expectOpen(await open("", bearer(user)));
    const given = await ctx.admin.request("POST", `/api/roles/${ctx.roleId}/users`, {
      userIds: [user.userId],
    });
    expect(given.statusCode).toBe(204);
    await expectClosed(opened, 4403);

    // A platform admin belongs to the provider organization, the first admin's.
    const provider = (await ctx.admin.request("GET", "/auth/me")).json<{ organizationId: string }>();
    const promoted = await signedInUser(ctx, provider.organizationId);
    expect(
      (await ctx.admin.request("PATCH", `/api/users/${promoted.userId}`, { isSuperuser: true })).statusCode,
    ).toBe(200);
    // A socket opened now is a platform admin's (access follows the login's state, not the token's).
    const adminSocket = await expectOpen(await open("?channels=history:GLOBAL", bearer(promoted)));
    const demoted = await ctx.admin.request("PATCH", `/api/users/${promoted.userId}`, { isSuperuser: false });
    expect(demoted.statusCode).toBe(200);
    await expectClosed(adminSocket, 4403);
  });

  it("closes when the access token it opened with expires", async () => {
    const user = await signedInUser(ctx, ctx.orgA.id);
    const claims = decodeJwt(user.token);
    // The same login's token, signed 2 s before the end of its lifetime.
    const key = new SecretBox(TEST_SECRET_KEY).deriveKey("jwt-signing");
    const past = Date.now() - (ACCESS_TOKEN_TTL_SECONDS - 2) * 1000;
    const ending = await new TokenService(key, { now: () => past }).signAccess({
      sub: String(claims.sub),
      email: String(claims.email),
      orgId: String(claims.orgId),
      isSuperuser: claims.isSuperuser === true,
      roles: claims.roles as string[],
      sid: String(claims.sid),
    });
    const opened = await expectOpen(await open("", { authorization: `Bearer ${ending}` }));
    await expectClosed(opened, 4401);
  });
});
