import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../support/context.js";
import { startEntraLikeProvider, type TestEntraProvider } from "../support/oidc-provider.js";
import { SsoBrowser } from "../support/sso-browser.js";

// Microsoft Entra ID's multi-tenant sign-in (issue 23) against an Entra-shaped provider: one real
// `oidc-provider` per tenant behind the `organizations` endpoints, whose discovery issuer is the
// template `…/{tenantid}/v2.0`. An organization is bound to its tenant id; a person is matched by
// tenant and object id — the e-mail (not verified by Entra) is never enough on its own.

const APP = "http://bifrost.test";
const TENANT_A = "aaaaaaaa-1111-4111-8111-111111111111";
const TENANT_B = "bbbbbbbb-2222-4222-8222-222222222222";
let ctx: TestContext;
let op: TestEntraProvider;

const person = (tid: string, oid: string, email: string) => ({
  sub: `pairwise-${oid}`,
  tid,
  oid,
  email,
  preferred_username: email,
  name: email.split("@")[0],
});

async function signIn(account: ReturnType<typeof person>) {
  const browser = new SsoBrowser(ctx.app, APP);
  op.signInAs(account);
  const end = await browser.go(`${APP}/auth/oauth/init/microsoft?next=/workflows`);
  const me = await ctx.app.app.inject({
    method: "GET",
    url: "/auth/me",
    headers: { authorization: `Bearer ${browser.accessToken ?? ""}` },
  });
  return { end: end.url, me };
}

beforeAll(async () => {
  op = await startEntraLikeProvider({
    redirectUri: `${APP}/auth/oauth/callback`,
    tenants: [TENANT_A, TENANT_B],
  });
  ctx = await createTestContext({ publicUrl: APP });
  const put = await ctx.admin.request("PUT", "/api/settings/oauth/microsoft", {
    kind: "entra",
    displayName: "Microsoft",
    issuer: op.issuer,
    clientId: op.clientId,
    clientSecret: op.clientSecret,
  });
  expect(put.statusCode).toBe(200);
  // Contoso is tenant A, and also owns the e-mail domain that tenant B's people use below.
  const bound = await ctx.admin.request("PATCH", `/api/organizations/${ctx.orgA.id}`, {
    domain: "contoso.example",
    ssoTenantIds: [TENANT_A],
  });
  expect(bound.statusCode).toBe(200);
}, 60_000);
afterAll(async () => {
  await ctx?.close();
  await op?.stop();
});

describe("SSO with a Microsoft Entra ID-shaped provider", () => {
  it("a person of the bound tenant is provisioned into its organization, and matched again by tenant and object id", async () => {
    const alice = person(TENANT_A, "0a0a0a0a-0000-4000-8000-000000000001", "alice@contoso.example");
    const first = await signIn(alice);
    expect(first.end.href).toBe(`${APP}/workflows`);
    const who = first.me.json<{ id: string; organizationId: string; isSuperuser: boolean }>();
    expect(who).toMatchObject({ organizationId: ctx.orgA.id, isSuperuser: false });
    // A new e-mail in Entra (a rename) does not make another account: the object id is who it is.
    const renamed = await signIn({
      ...alice,
      email: "alice.smith@contoso.example",
      preferred_username: "alice.smith@contoso.example",
    });
    expect(renamed.me.json()).toMatchObject({ id: who.id });
  });

  it("a person of another tenant with the same e-mail domain is refused", async () => {
    const bob = person(TENANT_B, "0b0b0b0b-0000-4000-8000-000000000002", "bob@contoso.example");
    const refused = await signIn(bob);
    expect(`${refused.end.pathname}${refused.end.search}`).toBe("/login?sso_error=no_organization");
    expect(refused.me.statusCode).toBe(401);
  });

  it("another tenant's token claiming an existing account's e-mail does not get that account", async () => {
    // Even Alice's exact address, asserted by tenant B (whose admin can set any e-mail), is refused.
    const impostor = person(TENANT_B, "0c0c0c0c-0000-4000-8000-000000000003", "alice@contoso.example");
    const refused = await signIn(impostor);
    expect(refused.end.searchParams.get("sso_error")).toBe("no_organization");
    // Bound to Fabrikam, tenant B still cannot take a Contoso account by its e-mail.
    await ctx.admin.request("PATCH", `/api/organizations/${ctx.orgB.id}`, { ssoTenantIds: [TENANT_B] });
    const stillRefused = await signIn(
      person(TENANT_B, "0d0d0d0d-0000-4000-8000-000000000004", "tech@contoso.example"),
    );
    expect(stillRefused.end.searchParams.get("sso_error")).toBe("account_mismatch");
    await ctx.admin.request("PATCH", `/api/organizations/${ctx.orgB.id}`, { ssoTenantIds: [] });
  });

  it("the issuer must be the one of the token's own tenant", async () => {
    // Signed by tenant A's key but naming tenant B's issuer: refused.
    op.tamperNextIdToken((claims) => ({
      claims: { ...claims, iss: op.issuer.replace("organizations", TENANT_B) },
    }));
    const wrongIssuer = await signIn(
      person(TENANT_A, "0e0e0e0e-0000-4000-8000-000000000005", "eve@contoso.example"),
    );
    expect(wrongIssuer.end.searchParams.get("sso_error")).toBe("issuer");
    // A token without a tenant cannot pick an issuer at all.
    op.tamperNextIdToken((claims) => ({ claims: { ...claims, tid: "not-a-tenant" } }));
    const noTenant = await signIn(
      person(TENANT_A, "0f0f0f0f-0000-4000-8000-000000000006", "mallory@contoso.example"),
    );
    expect(noTenant.end.searchParams.get("sso_error")).toBe("issuer");
  });

  it("an existing account of the bound tenant's organization is linked on its first Entra sign-in", async () => {
    const tech = await signIn(
      person(TENANT_A, "01010101-0000-4000-8000-000000000007", "tech@contoso.example"),
    );
    expect(tech.me.json()).toMatchObject({ id: ctx.orgA.withRole.userId });
  });
});
