import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectNo5xx } from "../support/fuzz.js";
import { createTestContext, type TestContext } from "../support/context.js";
import { startOidcProvider, type OidcAccount, type TestOidcProvider } from "../support/oidc-provider.js";
import { SsoBrowser } from "../support/sso-browser.js";

// Single sign-on against a real OpenID Connect provider (`oidc-provider`) on 127.0.0.1 (issue 23):
// provisioning into the organization bound to a verified e-mail domain, linking, and each forged or
// broken answer refused with the sign-in page's error and an audit entry.

const APP = "http://bifrost.test";
let ctx: TestContext;
let op: TestOidcProvider;

type AuditItem = { action: string; details: Record<string, unknown> | null };

async function latestAudit(action: string): Promise<AuditItem | undefined> {
  const page = await ctx.admin.request("GET", "/api/audit?limit=50");
  return page.json<{ items: AuditItem[] }>().items.find((item) => item.action === action);
}

const bearer = (token: string | undefined) => ({ authorization: `Bearer ${token ?? ""}` });
const me = async (browser: SsoBrowser) =>
  ctx.app.app.inject({ method: "GET", url: "/auth/me", headers: bearer(browser.accessToken) });

let counter = 0;
const person = (email: string, extra: Partial<OidcAccount> = {}): OidcAccount => ({
  sub: `subject-${++counter}`,
  email,
  email_verified: true,
  name: email.split("@")[0],
  ...extra,
});

/** A whole sign-in in a fresh browser; answers where the app sent it at the end. */
async function signIn(account: OidcAccount, next = "/workflows") {
  const browser = new SsoBrowser(ctx.app, APP);
  op.signInAs(account);
  const end = await browser.go(`${APP}/auth/oauth/init/corp?next=${encodeURIComponent(next)}`);
  return { browser, end: end.url };
}

/** Runs a sign-in up to the provider's redirect back, without following it. */
async function upToCallback(account: OidcAccount) {
  const browser = new SsoBrowser(ctx.app, APP);
  op.signInAs(account);
  const stop = await browser.go(
    `${APP}/auth/oauth/init/corp`,
    (url) => url.pathname === "/auth/oauth/callback",
  );
  return { browser, callback: stop.url };
}

async function expectRefused(end: URL, reason: string) {
  expect(`${end.pathname}${end.search}`).toBe(`/login?sso_error=${reason}`);
  const audit = await latestAudit("auth.sso");
  expect(audit).toMatchObject({ details: { outcome: "failure", reason } });
}

beforeAll(async () => {
  op = await startOidcProvider({ redirectUri: `${APP}/auth/oauth/callback` });
  ctx = await createTestContext({ publicUrl: APP });
  const put = await ctx.admin.request("PUT", "/api/settings/oauth/corp", {
    kind: "oidc",
    displayName: "Corp SSO",
    issuer: op.issuer,
    clientId: op.clientId,
    clientSecret: op.clientSecret,
  });
  expect(put.statusCode).toBe(200);
  expect(
    (await ctx.admin.request("PATCH", `/api/organizations/${ctx.orgA.id}`, { domain: "contoso.example" }))
      .statusCode,
  ).toBe(200);
}, 60_000);
afterAll(async () => {
  await ctx?.close();
  await op?.stop();
});

describe("SSO with an OpenID Connect provider", () => {
  it("admins manage the provider; its secret is never answered; the sign-in page lists it", async () => {
    const listed = await ctx.admin.request("GET", "/api/settings/oauth");
    expect(listed.body).not.toContain(op.clientSecret);
    expect(listed.json()).toMatchObject({
      items: [
        {
          name: "corp",
          kind: "oidc",
          hasClientSecret: true,
          redirectUri: `${APP}/auth/oauth/callback`,
        },
      ],
    });
    const status = await ctx.anonymous.request("GET", "/auth/status");
    expect(status.json()).toMatchObject({ ssoProviders: [{ name: "corp", displayName: "Corp SSO" }] });
    const tested = await ctx.admin.request("POST", "/api/settings/oauth/corp/test");
    expect(tested.json()).toMatchObject({ ok: true, issuer: op.issuer });
  });

  it("a user of a bound domain is provisioned into that organization, then signs in to the same account", async () => {
    const account = person("newbie@contoso.example");
    const first = await signIn(account);
    expect(first.end.href).toBe(`${APP}/workflows`);
    const who = (await me(first.browser)).json<{
      id: string;
      email: string;
      organizationId: string;
      isSuperuser: boolean;
    }>();
    expect(who).toMatchObject({
      email: "newbie@contoso.example",
      organizationId: ctx.orgA.id,
      isSuperuser: false,
    });
    expect(await latestAudit("user.provision")).toMatchObject({ details: { provider: "corp" } });
    // They sign in without a password: admins see so, and an invitation (to choose one) is refused.
    const listed = await ctx.admin.request("GET", `/api/users/${who.id}`);
    expect(listed.json()).toMatchObject({ hasPassword: false, signsIn: true });
    const invite = await ctx.admin.request("POST", `/api/users/${who.id}/invite`);
    expect(invite.statusCode).toBe(409);
    expect(invite.json<{ message: string }>().message).toMatch(/single sign-on/);

    const again = await signIn(account);
    expect((await me(again.browser)).json()).toMatchObject({ id: who.id });
    const identities = await ctx.app.app.inject({
      method: "GET",
      url: "/auth/identities",
      headers: bearer(again.browser.accessToken),
    });
    expect(identities.json()).toMatchObject({
      items: [{ provider: "corp", email: "newbie@contoso.example" }],
    });
  });

  it("an existing account of the bound organization is linked by its verified e-mail", async () => {
    const { browser } = await signIn(person("tech@contoso.example"));
    expect((await me(browser)).json()).toMatchObject({ id: ctx.orgA.withRole.userId });
  });

  it("refuses an unverified e-mail, an unbound domain, and an account of another organization", async () => {
    await expectRefused(
      (await signIn(person("x@contoso.example", { email_verified: false }))).end,
      "email_unverified",
    );
    await expectRefused((await signIn(person("y@unbound.example"))).end, "no_organization");
    // An account of fabrikam with a contoso address: the contoso-bound identity cannot take it.
    const stranger = await ctx.admin.request("POST", "/api/users", {
      email: "stranger@contoso.example",
      name: "Stranger",
      organizationId: ctx.orgB.id,
    });
    expect(stranger.statusCode).toBe(201);
    await expectRefused((await signIn(person("stranger@contoso.example"))).end, "account_mismatch");
    // Bound to its own organization's domain, the same kind of identity gets in.
    await ctx.admin.request("PATCH", `/api/organizations/${ctx.orgB.id}`, { domain: "fabrikam.example" });
    const { browser } = await signIn(person("tech@fabrikam.example"));
    expect((await me(browser)).json()).toMatchObject({ id: ctx.orgB.withRole.userId });
  });

  it("a forged state is refused", async () => {
    const { browser, callback } = await upToCallback(person("forged@contoso.example"));
    callback.searchParams.set("state", "forged-state");
    await expectRefused((await browser.go(callback.href)).url, "state");
  });

  it("a replayed callback and a replayed code are refused", async () => {
    const first = await upToCallback(person("replay@contoso.example"));
    const cookie = first.browser.cookie(APP, "sso_flow") ?? "";
    expect((await first.browser.go(first.callback.href)).url.pathname).toBe("/");
    // The same callback again, with the same cookie: the flow was taken once.
    first.browser.setCookie(APP, "sso_flow", cookie);
    await expectRefused((await first.browser.go(first.callback.href)).url, "state");
    // A new flow in the same browser, fed the used code: the provider refuses it.
    const second = await upToCallback(person("replay@contoso.example"));
    const used = first.callback.searchParams.get("code") ?? "";
    second.callback.searchParams.set("code", used);
    await expectRefused((await second.browser.go(second.callback.href)).url, "code_exchange");
  });

  it("a callback in a browser that did not start the sign-in is refused", async () => {
    const { callback } = await upToCallback(person("elsewhere@contoso.example"));
    const other = new SsoBrowser(ctx.app, APP);
    await expectRefused((await other.go(callback.href)).url, "state");
  });

  it("an ID token for another audience, with a bad signature, or expired is refused", async () => {
    op.tamperNextIdToken((claims) => ({ claims: { ...claims, aud: "someone-else" } }));
    await expectRefused((await signIn(person("aud@contoso.example"))).end, "audience");
    op.tamperNextIdToken((claims) => ({ claims, foreignKey: true }));
    await expectRefused((await signIn(person("sig@contoso.example"))).end, "signature");
    const now = Math.floor(Date.now() / 1000);
    op.tamperNextIdToken((claims) => ({ claims: { ...claims, iat: now - 7200, exp: now - 3600 } }));
    await expectRefused((await signIn(person("exp@contoso.example"))).end, "expired");
    op.tamperNextIdToken((claims) => ({ claims: { ...claims, nonce: "another sign-in's nonce" } }));
    await expectRefused((await signIn(person("nonce@contoso.example"))).end, "nonce");
    op.tamperNextIdToken((claims) => ({ claims: { ...claims, iss: "http://127.0.0.1:1/evil" } }));
    await expectRefused((await signIn(person("iss@contoso.example"))).end, "issuer");
    // None of them got an account.
    const users = await ctx.admin.request("GET", `/api/users?organizationId=${ctx.orgA.id}&limit=1000`);
    const emails = users.json<{ items: Array<{ email: string }> }>().items.map((u) => u.email);
    for (const refused of ["aud", "sig", "exp", "nonce", "iss"])
      expect(emails).not.toContain(`${refused}@contoso.example`);
  });

  it("keeps working when the provider rotates its signing key", async () => {
    await op.rotateKeys();
    const { end } = await signIn(person("rotated@contoso.example"));
    expect(end.href).toBe(`${APP}/workflows`);
  });

  it("into the provider organization only with provisionIntoProvider, and never as a platform admin", async () => {
    await ctx.admin.request("PATCH", "/api/organizations/00000000-0000-0000-0000-000000000002", {
      domain: "msp.example",
    });
    await expectRefused((await signIn(person("newtech@msp.example"))).end, "provider_organization");
    // The first admin's own e-mail is not enough to take the admin account either.
    await expectRefused((await signIn(person("admin@msp.example"))).end, "provider_organization");
    await ctx.admin.request("PUT", "/api/settings/oauth/corp", {
      kind: "oidc",
      displayName: "Corp SSO",
      issuer: op.issuer,
      clientId: op.clientId,
      provisionIntoProvider: true,
    });
    const { browser } = await signIn(person("newtech@msp.example"));
    expect((await me(browser)).json()).toMatchObject({ email: "newtech@msp.example", isSuperuser: false });
    // The secret was kept (omitted in the PUT): the sign-in above needed it.
    await ctx.admin.request("PUT", "/api/settings/oauth/corp", {
      kind: "oidc",
      displayName: "Corp SSO",
      issuer: op.issuer,
      clientId: op.clientId,
    });
  });

  it("a provider that requires MFA sends a user without it to enrolment, unless the provider asserted MFA", async () => {
    await ctx.admin.request("PUT", "/api/settings/oauth/corp", {
      kind: "oidc",
      displayName: "Corp SSO",
      issuer: op.issuer,
      clientId: op.clientId,
      requireMfa: true,
    });
    const account = person("mfa@contoso.example");
    const { end } = await signIn(account);
    expect(end.pathname).toBe("/mfa-setup");
    expect(end.hash).toMatch(/^#mfaToken=/);
    const browser = new SsoBrowser(ctx.app, APP);
    op.signInAs(account, { amr: ["pwd", "mfa"] });
    const asserted = await browser.go(`${APP}/auth/oauth/init/corp`);
    expect(asserted.url.pathname).toBe("/");
    expect((await me(browser)).statusCode).toBe(200);
    await ctx.admin.request("PUT", "/api/settings/oauth/corp", {
      kind: "oidc",
      displayName: "Corp SSO",
      issuer: op.issuer,
      clientId: op.clientId,
    });
  });

  it("SSO-only: the organization's users cannot sign in with a password; a platform admin still can", async () => {
    await ctx.admin.request("PATCH", `/api/organizations/${ctx.orgA.id}`, { ssoOnly: true });
    const password = await ctx.anonymous.request("POST", "/auth/login", {
      email: "tech@contoso.example",
      password: "a test user's passphrase",
    });
    expect(password.statusCode).toBe(401);
    expect(password.json<{ message: string }>().message).toMatch(/single sign-on/);
    const admin = await ctx.anonymous.request("POST", "/auth/login", {
      email: "admin@msp.example",
      password: "a test user's passphrase",
    });
    expect(admin.statusCode).toBe(200);
    // SSO still works for them.
    const { end } = await signIn(person("tech@contoso.example"));
    expect(end.href).toBe(`${APP}/workflows`);
    await ctx.admin.request("PATCH", `/api/organizations/${ctx.orgA.id}`, { ssoOnly: false });
  });

  it("a linked identity is unlinked by its user only", async () => {
    const { browser } = await signIn(person("unlink@contoso.example"));
    const mine = await ctx.app.app.inject({
      method: "GET",
      url: "/auth/identities",
      headers: bearer(browser.accessToken),
    });
    const [identity] = mine.json<{ items: Array<{ id: string }> }>().items;
    const stolen = await ctx.orgB.withRole.request("DELETE", `/auth/identities/${identity?.id}`);
    expect(stolen.statusCode).toBe(404);
    const removed = await ctx.app.app.inject({
      method: "DELETE",
      url: `/auth/identities/${identity?.id}`,
      headers: bearer(browser.accessToken),
    });
    expect(removed.statusCode).toBe(204);
  });

  it("a provider must be reached over https (plain http only on this machine)", async () => {
    const put = (issuer: string) =>
      ctx.admin.request("PUT", "/api/settings/oauth/plain", {
        kind: "oidc",
        displayName: "Plain",
        issuer,
        clientId: "x",
      });
    for (const issuer of ["http://idp.example.com", "http://10.0.0.5", "ftp://idp.example.com"])
      expect((await put(issuer)).statusCode, issuer).toBe(422);
    expect((await put("https://idp.example.com")).statusCode).toBe(200);
    expect((await put("http://localhost:9999")).statusCode).toBe(200);
    await ctx.admin.request("DELETE", "/api/settings/oauth/plain");
  });

  it("an unknown provider is 404; a tenant id can be bound to one organization only", async () => {
    expect((await ctx.anonymous.request("GET", "/auth/oauth/init/nobody")).statusCode).toBe(404);
    const tid = "11111111-2222-4333-8444-555555555555";
    expect(
      (await ctx.admin.request("PATCH", `/api/organizations/${ctx.orgA.id}`, { ssoTenantIds: [tid] }))
        .statusCode,
    ).toBe(200);
    expect(
      (
        await ctx.admin.request("PATCH", `/api/organizations/${ctx.orgB.id}`, {
          ssoTenantIds: [tid.toUpperCase()],
        })
      ).statusCode,
    ).toBe(409);
  });

  it("Google: its Workspace domain (hd) places a person; a consumer account or an unverified e-mail does not", async () => {
    const put = await ctx.admin.request("PUT", "/api/settings/oauth/google", {
      kind: "google",
      displayName: "Google",
      issuer: op.issuer,
      clientId: op.clientId,
      clientSecret: op.clientSecret,
    });
    expect(put.statusCode).toBe(200);
    const viaGoogle = async (account: OidcAccount) => {
      const browser = new SsoBrowser(ctx.app, APP);
      op.signInAs(account);
      const end = await browser.go(`${APP}/auth/oauth/init/google`);
      return { browser, end: end.url };
    };
    const workspace = await viaGoogle(person("wanda@contoso.example", { hd: "contoso.example" }));
    expect((await me(workspace.browser)).json()).toMatchObject({
      email: "wanda@contoso.example",
      organizationId: ctx.orgA.id,
    });
    // A consumer account at a bound domain's address (no hd): Google vouches for the address, not the domain.
    await expectRefused((await viaGoogle(person("gus@contoso.example"))).end, "no_organization");
    await expectRefused(
      (await viaGoogle(person("vic@contoso.example", { hd: "contoso.example", email_verified: false }))).end,
      "email_unverified",
    );
    expect((await ctx.admin.request("DELETE", "/api/settings/oauth/google")).statusCode).toBe(204);
    expect((await ctx.anonymous.request("GET", "/auth/oauth/init/google")).statusCode).toBe(404);
  });

  it("fuzzing the public SSO routes gives only 2xx, 3xx or 4xx", { timeout: 120_000 }, async () => {
    const text = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.constantFrom("", "%00", "../../etc", "//evil.example", "\\evil.example", "x".repeat(3000)),
    );
    const query = fc.dictionary(fc.constantFrom("state", "code", "error", "next", "iss", "x"), text, {
      maxKeys: 4,
    });
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        query,
        text,
        fc.constantFrom("corp", "nobody", "UPPER", "a".repeat(60)),
        async (params, cookie, name) => {
          const remoteAddress = `127.1.${Math.floor(++n / 250)}.${n % 250}`;
          const search = new URLSearchParams(params).toString();
          await expectNo5xx(ctx.app, {
            method: "GET",
            url: `/auth/oauth/callback?${search}`,
            remoteAddress,
            headers: { cookie: `sso_flow=${encodeURIComponent(cookie)}` },
          });
          await expectNo5xx(ctx.app, {
            method: "GET",
            url: `/auth/oauth/init/${encodeURIComponent(name)}?${search}`,
            remoteAddress,
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});
