import { createLogger } from "../../src/infra/logger.js";
import { oauthRefreshJob } from "../../src/services/maintenance/oauth-refresh.js";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oauthTokens } from "../../src/db/schema/index.js";
import { systemClock } from "../../src/infra/clock.js";
import { SecretBox } from "../../src/infra/crypto/secret-box.js";
import { OAuthRepository } from "../../src/repositories/oauth.js";
import { AccessTokens } from "../../src/services/oauth/access-tokens.js";
import { TEST_SECRET_KEY } from "../support/app.js";
import { signedInUser } from "../support/context.js";
import { createEngine, type Engine } from "../support/engine.js";
import { oauthConnectionBody, startOAuthServer, type OAuthServer } from "./oauth-server.js";

const WORKFLOWS = `
import { workflow, integrations, z } from "@bifrost/sdk";

export const useToken = workflow({
  params: z.object({ me: z.string(), name: z.string() }),
  async run({ me, name }) {
    const integration = await integrations.get(name);
    if (!integration || !integration.oauth) return { found: false };
    const token = integration.oauth.accessToken;
    const response = await fetch(me, { headers: { authorization: "Bearer " + token } });
    return {
      found: true,
      valid: response.status === 200,
      reversed: token.split("").reverse().join(""),
      scopes: integration.oauth.scopes,
      entityId: integration.entityId,
    };
  },
});
`;

type RunResult = { status: string; result: Record<string, unknown>; error: string | null };
const reverse = (text: unknown): string => String(text).split("").reverse().join("");

describe("OAuth connections against a local authorization server", () => {
  let engine: Engine;
  let oauth: OAuthServer;

  const run = async (organizationId: string, name = "crm"): Promise<RunResult> => {
    const response = await engine.execute(engine.admin, {
      workflowName: "useToken",
      inputData: { me: `${oauth.url}/me`, name },
      organizationId,
      sync: true,
    });
    expect(response.statusCode).toBe(200);
    return response.json<RunResult>();
  };
  /** The binding cookie of an authorize answer: `name=value`, and its attributes. */
  const bindingCookie = (header: string | string[] | undefined) => {
    const line = [header ?? []].flat().find((c) => c.startsWith("bifrost_oauth_binding="));
    if (!line) throw new Error("no binding cookie in the authorize answer");
    const [pair = "", ...attributes] = line.split(";").map((part) => part.trim());
    return { pair, attributes: attributes.join("; ") };
  };
  /** The callback as a browser reaches it, with the cookies it holds (none: a stranger's). */
  const inBrowser = (url: string, cookie: string | undefined) =>
    engine.app.app.inject({ method: "GET", url, headers: cookie ? { cookie } : {} });
  const tokenRow = async () => {
    const rows = await engine.app.database.db.select().from(oauthTokens);
    return rows.find((r) => r.organizationId === engine.orgA.id);
  };
  const expireSoon = async () => {
    const row = await tokenRow();
    await engine.app.database.db
      .update(oauthTokens)
      .set({ expiresAt: new Date(Date.now() + 60_000) })
      .where(eq(oauthTokens.id, row?.id ?? ""));
  };

  beforeAll(async () => {
    oauth = await startOAuthServer();
    // The workflows call the provider's API, a local server here: a private destination the
    // deployment opens for them (loopback is refused by default).
    engine = await createEngine({ BIFROST_MAX_WORKERS: "6", BIFROST_EGRESS_ALLOW: new URL(oauth.url).host });
    await engine.writeWorkflow("oauth-flows.ts", WORKFLOWS);
    const provider = await engine.admin.request(
      "POST",
      "/api/oauth/connections",
      oauthConnectionBody(oauth, "crm-oauth", ["read", "write"]),
    );
    expect(provider.statusCode, provider.body).toBe(201);
    expect(provider.body).not.toContain(oauth.clientSecret);
    const integration = await engine.admin.request("POST", "/api/integrations", {
      name: "crm",
      oauthProvider: "crm-oauth",
    });
    expect(integration.statusCode, integration.body).toBe(201);
    const id = integration.json<{ id: string }>().id;
    const mapping = await engine.admin.request("POST", `/api/integrations/${id}/mappings`, {
      organizationId: engine.orgA.id,
      entityId: "tenant-a",
    });
    expect(mapping.statusCode, mapping.body).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await engine?.close();
    await oauth?.close();
  });

  it("authorize → callback stores the tokens sealed; a workflow gets a valid token", async () => {
    const authorize = await engine.admin.request("POST", "/api/oauth/connections/crm-oauth/authorize", {
      organizationId: engine.orgA.id,
    });
    expect(authorize.statusCode, authorize.body).toBe(200);
    const url = new URL(authorize.json<{ url: string }>().url);
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("state")).toBeTruthy();

    // The browser that asked keeps the authorization's binding, for its callback alone.
    const binding = bindingCookie(authorize.headers["set-cookie"]);
    expect(binding.attributes).toMatch(/HttpOnly/i);
    expect(binding.attributes).toMatch(/SameSite=Lax/i);
    expect(binding.attributes).toContain("Path=/api/oauth/callback/crm-oauth");

    const redirect = await fetch(url, { redirect: "manual" });
    expect(redirect.status).toBe(302);
    const back = new URL(redirect.headers.get("location") ?? "");
    expect(back.pathname).toBe("/api/oauth/callback/crm-oauth");
    const callback = await inBrowser(`${back.pathname}${back.search}`, binding.pair);
    expect(callback.statusCode, callback.body).toBe(200);
    expect(callback.headers["content-type"]).toContain("text/html");
    expect(oauth.calls.code).toBe(1);

    // Single use: the same state again is refused, as is one never issued.
    const again = await inBrowser(`${back.pathname}${back.search}`, binding.pair);
    expect(again.statusCode).toBe(400);
    expect(again.json<{ message: string }>().message).toContain("already used");
    const unknown = await engine.anonymous.request("POST", "/api/oauth/callback/crm-oauth", {
      code: "x",
      state: "never-issued",
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json<{ message: string }>().message).toContain("Unknown or expired");

    const body = await run(engine.orgA.id);
    expect(body.status, JSON.stringify(body)).toBe("Success");
    expect(body.result).toMatchObject({
      found: true,
      valid: true,
      entityId: "tenant-a",
      scopes: ["read", "write"],
    });
    const token = reverse(body.result.reversed);
    expect(oauth.isValid(token)).toBe(true);

    const row = await tokenRow();
    expect(row).toMatchObject({ status: "connected", lastError: null });
    expect(row?.accessTokenSealed).toMatch(/^v1\./);
    expect(row?.refreshTokenSealed).toMatch(/^v1\./);
    expect(JSON.stringify(row)).not.toContain(token);
    expect(JSON.stringify(row)).not.toMatch(/"(at|rt)-\d/);

    const listed = await engine.admin.request("GET", "/api/oauth/connections/crm-oauth");
    expect(listed.json()).toMatchObject({ hasClientSecret: true, connections: [{ status: "connected" }] });
    expect(listed.body).not.toContain(token);
    expect(listed.body).not.toContain(oauth.clientSecret);
  }, 60_000);

  it("a token expiring within 5 minutes is refreshed once, even by 20 concurrent runs", async () => {
    await expireSoon();
    oauth.delayMs = 300;
    const before = oauth.calls.refresh;
    const results = await Promise.all(Array.from({ length: 20 }, () => run(engine.orgA.id)));
    oauth.delayMs = 0;
    expect(oauth.calls.refresh - before).toBe(1);
    for (const body of results) expect(body.result, JSON.stringify(body)).toMatchObject({ valid: true });
    expect(new Set(results.map((r) => r.result.reversed)).size).toBe(1);
    expect((await tokenRow())?.expiresAt?.getTime()).toBeGreaterThan(Date.now() + 30 * 60_000);
  }, 120_000);

  it("single-flight holds across processes: 20 callers on two instances cause one refresh call", async () => {
    await expireSoon();
    oauth.delayMs = 200;
    const before = oauth.calls.refresh;
    const secretBox = new SecretBox(TEST_SECRET_KEY);
    const repository = new OAuthRepository(engine.app.database.db);
    const instances = [1, 2].map(
      () => new AccessTokens({ oauth: repository, secretBox, bus: engine.app.bus, clock: systemClock }),
    );
    const provider = await repository.findProvider("crm-oauth");
    if (!provider) throw new Error("no provider");
    const tokens = await Promise.all(
      Array.from({ length: 20 }, (_, i) => instances[i % 2]!.tokenFor(provider, engine.orgA.id)),
    );
    oauth.delayMs = 0;
    expect(oauth.calls.refresh - before).toBe(1);
    expect(new Set(tokens.map((t) => t.accessToken)).size).toBe(1);
  }, 60_000);

  it("the maintenance job refreshes tokens expiring within 20 minutes, and leaves the others", async () => {
    const row = await tokenRow();
    await engine.app.database.db
      .update(oauthTokens)
      .set({ expiresAt: new Date(Date.now() + 15 * 60_000) })
      .where(eq(oauthTokens.id, row?.id ?? ""));
    const tokens = new AccessTokens({
      oauth: new OAuthRepository(engine.app.database.db),
      secretBox: new SecretBox(TEST_SECRET_KEY),
      bus: engine.app.bus,
      clock: systemClock,
    });
    const before = oauth.calls.refresh;
    const job = oauthRefreshJob({ tokens, logger: createLogger({ level: "silent", role: "test" }) });
    expect(job.intervalMs).toBe(15 * 60_000);
    await job.run();
    expect(oauth.calls.refresh - before).toBe(1);
    expect((await tokenRow())?.expiresAt?.getTime()).toBeGreaterThan(Date.now() + 20 * 60_000);
    // Now fresh: a second pass leaves it alone.
    await job.run();
    expect(oauth.calls.refresh - before).toBe(1);
  });

  it("a revoked refresh token marks the connection expired and the run gets a clear error", async () => {
    oauth.revokeRefreshTokens();
    await expireSoon();
    const body = await run(engine.orgA.id);
    expect(body.status).toBe("Failed");
    expect(body.error).toContain('The OAuth connection "crm-oauth" has expired and must be authorized again');
    const row = await tokenRow();
    expect(row?.status).toBe("expired");
    expect(row?.lastError).toContain("invalid_grant");

    // Later runs fail the same way without calling the provider again.
    const calls = oauth.calls.refresh;
    expect((await run(engine.orgA.id)).error).toContain("must be authorized again");
    expect(oauth.calls.refresh).toBe(calls);
    const shown = await engine.admin.request("GET", "/api/oauth/connections/crm-oauth");
    expect(shown.json()).toMatchObject({ connections: [{ status: "expired" }] });
  }, 60_000);

  it("a client_credentials connection gets its token without a browser, on demand", async () => {
    const created = await engine.admin.request("POST", "/api/oauth/connections", {
      name: "m2m",
      flow: "client_credentials",
      clientId: oauth.clientId,
      clientSecret: oauth.clientSecret,
      tokenUrl: `${oauth.url}/token`,
      audience: "https://api.example",
    });
    expect(created.statusCode, created.body).toBe(201);
    const authorize = await engine.admin.request("POST", "/api/oauth/connections/m2m/authorize", {});
    expect(authorize.statusCode).toBe(400);
    const integration = await engine.admin.request("POST", "/api/integrations", {
      name: "m2m-api",
      oauthProvider: "m2m",
    });
    const id = integration.json<{ id: string }>().id;
    await engine.admin.request("POST", `/api/integrations/${id}/mappings`, { entityId: "global" });
    const before = oauth.calls.clientCredentials;
    const first = await run(engine.orgB.id, "m2m-api");
    expect(first.result, JSON.stringify(first)).toMatchObject({
      found: true,
      valid: true,
      entityId: "global",
    });
    const second = await run(engine.orgA.id, "m2m-api");
    expect(second.result).toMatchObject({ valid: true, reversed: first.result.reversed });
    expect(oauth.calls.clientCredentials - before).toBe(1);
    const tested = await engine.admin.request("POST", `/api/integrations/${id}/test`, {});
    expect(tested.json()).toEqual({ ok: true, problems: [] });
  }, 60_000);
  it("the authorization is bound to the admin's browser and login: anyone else holding the URL cannot finish it", async () => {
    const start = async () => {
      const authorize = await engine.admin.request("POST", "/api/oauth/connections/crm-oauth/authorize", {
        organizationId: engine.orgB.id,
      });
      expect(authorize.statusCode, authorize.body).toBe(200);
      const redirect = await fetch(authorize.json<{ url: string }>().url, { redirect: "manual" });
      const back = new URL(redirect.headers.get("location") ?? "");
      return {
        callback: `${back.pathname}${back.search}`,
        binding: bindingCookie(authorize.headers["set-cookie"]),
      };
    };
    const codesBefore = oauth.calls.code;
    const { callback, binding } = await start();
    // The attacker's browser: no binding, a forged one, or another admin's session cookie.
    const other = await engine.admin.request("POST", "/api/oauth/connections/crm-oauth/authorize", {});
    const otherBinding = bindingCookie(other.headers["set-cookie"]).pair;
    for (const cookie of [
      undefined,
      "bifrost_oauth_binding=forged",
      otherBinding,
      `access_token=${engine.admin.token}`,
    ]) {
      const stolen = await inBrowser(callback, cookie);
      expect(stolen.statusCode, cookie).toBe(403);
    }
    const state = new URL(callback, "http://x").searchParams.get("state");
    const posted = await engine.anonymous.request("POST", "/api/oauth/callback/crm-oauth", {
      code: "attacker-code",
      state,
    });
    expect(posted.statusCode).toBe(403);
    expect(oauth.calls.code).toBe(codesBefore); // no code was exchanged for anyone
    // The state was not burnt by the attempts: the admin's browser still finishes it.
    const finished = await inBrowser(callback, binding.pair);
    expect(finished.statusCode, finished.body).toBe(200);

    // A login that ends before the callback takes its authorization with it.
    const admin = await signedInUser(
      engine,
      (await engine.admin.request("GET", "/auth/me")).json<{ organizationId: string }>().organizationId,
    );
    const promoted = await engine.admin.request("PATCH", `/api/users/${admin.userId}`, { isSuperuser: true });
    expect(promoted.statusCode).toBe(200);
    const own = await admin.request("POST", "/api/oauth/connections/crm-oauth/authorize", {
      organizationId: engine.orgB.id,
    });
    expect(own.statusCode, own.body).toBe(200);
    const ownBack = new URL(
      (await fetch(own.json<{ url: string }>().url, { redirect: "manual" })).headers.get("location") ?? "",
    );
    expect((await admin.request("POST", "/auth/logout")).statusCode).toBe(204);
    const ended = await inBrowser(
      `${ownBack.pathname}${ownBack.search}`,
      bindingCookie(own.headers["set-cookie"]).pair,
    );
    expect(ended.statusCode).toBe(403);
    expect(ended.json<{ message: string }>().message).toContain("has ended");
  }, 60_000);
});
