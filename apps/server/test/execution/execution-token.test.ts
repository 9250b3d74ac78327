import { jwtVerify, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { MemoryBus } from "../../src/infra/bus/memory-bus.js";
import { ExecutionTokens } from "../../src/services/execution/execution-token.js";

const key = new Uint8Array(32).fill(7);
const claims = {
  executionId: "exec-1",
  userId: "user-1",
  email: "a@example.com",
  name: "Ann",
  organizationId: "org-1",
  roles: [],
};

describe("execution tokens", () => {
  it("mints a standard HS256 JWT that jose verifies with the execution audience", async () => {
    let now = Date.UTC(2026, 0, 1);
    const tokens = new ExecutionTokens(key, new MemoryBus(), { now: () => now });
    const token = await tokens.mint(claims, 30);
    const { payload, protectedHeader } = await jwtVerify(token, key, {
      algorithms: ["HS256"],
      issuer: "bifrost",
      audience: "bifrost:execution",
      currentDate: new Date(now),
    });
    expect(protectedHeader).toEqual({ alg: "HS256", typ: "JWT" });
    expect(payload).toMatchObject({ sub: "user-1", exe: "exec-1", orgId: "org-1", roles: [] });
    expect(payload.exp).toBe(now / 1000 + 30 + 120);
    expect(await tokens.verify(token)).toEqual(claims);
    now += 151_000;
    expect(await tokens.verify(token)).toBeNull();
  });

  it("refuses a revoked run, another key and another audience", async () => {
    const tokens = new ExecutionTokens(key, new MemoryBus(), { now: () => Date.now() });
    const token = await tokens.mint(claims, 30);
    const other = new ExecutionTokens(new Uint8Array(32).fill(8), new MemoryBus(), { now: () => Date.now() });
    expect(await other.verify(token)).toBeNull();
    const access = await new SignJWT({ exe: "exec-1", email: "", name: "", orgId: "org-1", roles: [] })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("user-1")
      .setIssuer("bifrost")
      .setAudience("bifrost:access")
      .setIssuedAt()
      .setExpirationTime("1m")
      .sign(key);
    expect(await tokens.verify(access)).toBeNull();
    await tokens.revoke("exec-1");
    expect(await tokens.verify(token)).toBeNull();
  });
});
