import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOidcProvider, type TestOidcProvider } from "../../../server/test/support/oidc-provider.js";
import { seriousA11yViolations } from "../axe.js";
import { callApi, signedInAdmin, type SignedIn } from "./signed-in.js";

// Single sign-on in Chromium (issue 23) on `bifrost-server start`, against a real OpenID Connect
// provider (`oidc-provider`) the test runs: the admin sets the provider up and binds an organization
// to a domain in the UI; a person of that domain signs in with the button and is provisioned into it;
// a forged answer lands on the sign-in page with a clear message; a provider that requires MFA
// sends the person to enrolment.

let session: SignedIn;
let op: TestOidcProvider;
let organizationId = "";

const api = <T>(method: string, route: string, body?: unknown): Promise<T> =>
  callApi<T>(session.baseUrl, session.token, method, route, body);

async function adminPage(path: string, heading: string): Promise<Page> {
  const page = await session.context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(`${session.baseUrl}${path}`);
  await page.getByRole("heading", { name: heading, level: 1 }).waitFor();
  return page;
}

/** A signed-out browser on the sign-in page. */
async function signedOutLogin(): Promise<Page> {
  const context = await session.browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(`${session.baseUrl}/login`);
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  return page;
}

beforeAll(async () => {
  session = await signedInAdmin();
  op = await startOidcProvider({ redirectUri: `${session.baseUrl}/auth/oauth/callback` });
  const organization = await api<{ id: string }>("POST", "/api/organizations", { name: "Contoso" });
  organizationId = organization.id;
}, 60_000);
afterAll(async () => {
  await session?.close();
  await op?.stop();
});

describe("single sign-on in the web client", () => {
  it("the admin adds the provider and binds an organization to its domain", { timeout: 60_000 }, async () => {
    const page = await adminPage("/admin/sso", "Single sign-on");
    await page.getByLabel("Name").fill("corp");
    await page.getByLabel("Kind").selectOption({ label: "OpenID Connect" });
    await page.getByLabel("Button label").fill("Corp SSO");
    await page.getByLabel("Issuer").fill(op.issuer);
    await page.getByLabel("Client ID").fill(op.clientId);
    await page.getByLabel("Client secret").fill(op.clientSecret);
    await page.getByRole("button", { name: "Save provider" }).click();
    const row = page.getByRole("row", { name: /Corp SSO/ });
    await row.getByText("secret set").waitFor();
    expect(await row.getByText(`${session.baseUrl}/auth/oauth/callback`).isVisible()).toBe(true);
    await row.getByRole("button", { name: "Test corp" }).click();
    await row
      .getByRole("status")
      .getByText(/^Works/)
      .waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);

    const organizations = await adminPage("/admin/organizations", "Organizations");
    await organizations.getByRole("button", { name: "Sign-in settings of Contoso" }).click();
    const dialog = organizations.getByRole("dialog");
    await dialog.getByLabel("E-mail domain").fill("contoso.example");
    await dialog.getByRole("button", { name: "Save sign-in settings" }).click();
    await dialog.waitFor({ state: "hidden" });
    const bound = await api<{ domain: string }>("GET", `/api/organizations/${organizationId}`);
    expect(bound.domain).toBe("contoso.example");
  });

  it(
    "a person of the bound domain signs in with the button and is provisioned into that organization",
    { timeout: 60_000 },
    async () => {
      op.signInAs({
        sub: "grace-1",
        email: "grace@contoso.example",
        email_verified: true,
        name: "Grace Hopper",
      });
      const page = await signedOutLogin();
      const button = page.getByRole("link", { name: "Sign in with Corp SSO" });
      expect(await seriousA11yViolations(page)).toEqual([]);
      await button.click();
      await page.waitForURL((u) => u.pathname === "/workflows");
      await page.getByText("Grace Hopper").waitFor();
      const users = await api<{
        items: Array<{ email: string; organizationId: string; isSuperuser: boolean }>;
      }>("GET", `/api/users?organizationId=${organizationId}`);
      expect(users.items).toContainEqual(
        expect.objectContaining({ email: "grace@contoso.example", organizationId, isSuperuser: false }),
      );
      // The linked sign-in is on the account page.
      await page.goto(`${session.baseUrl}/account`);
      await page.getByRole("row", { name: /Corp SSO/ }).waitFor();
      await page.context().close();
    },
  );

  it(
    "a forged answer lands on the sign-in page with a clear message, and is audited",
    { timeout: 60_000 },
    async () => {
      op.signInAs({
        sub: "mallory-1",
        email: "mallory@contoso.example",
        email_verified: true,
        name: "Mallory",
      });
      op.tamperNextIdToken((claims) => ({ claims: { ...claims, aud: "another-application" } }));
      const page = await signedOutLogin();
      await page.getByRole("link", { name: "Sign in with Corp SSO" }).click();
      await page.waitForURL((u) => u.searchParams.get("sso_error") === "audience");
      await page.getByRole("alert").getByText("meant for another application").waitFor();
      expect(await seriousA11yViolations(page)).toEqual([]);
      const audit = await api<{ items: Array<{ action: string; details: Record<string, unknown> }> }>(
        "GET",
        "/api/audit?limit=20",
      );
      expect(audit.items.find((item) => item.action === "auth.sso")).toMatchObject({
        details: { outcome: "failure", reason: "audience" },
      });
      // A message a link makes up is not shown: only the fixed texts.
      await page.goto(`${session.baseUrl}/login?sso_error=${encodeURIComponent("Call +1 555 0100 now")}`);
      await page.getByRole("alert").getByText("The single sign-on did not succeed. Try again.").waitFor();
      await page.context().close();
    },
  );

  it(
    "a forged state, a replayed code, a bad signature and an expired ID token each land on a clear page, audited",
    { timeout: 90_000 },
    async () => {
      const page = await signedOutLogin();
      /** Lets the provider's redirect back happen only as the test says: answers the URL it was. */
      const captureCallback = async (): Promise<URL> => {
        // The round trip up to the provider's redirect back, in this browser's cookie jar (the
        // context's request client shares it), without following the last redirect: a route
        // cannot hold back a redirect the browser follows by itself.
        let url = `${session.baseUrl}/auth/oauth/init/corp`;
        for (let hop = 0; hop < 10; hop++) {
          const response = await page.context().request.get(url, { maxRedirects: 0 });
          const next = new URL(response.headers().location ?? "", url);
          if (next.origin === session.baseUrl && next.pathname === "/auth/oauth/callback") return next;
          url = next.href;
        }
        throw new Error("the provider never sent the browser back");
      };
      const expectRefused = async (reason: string, text: RegExp) => {
        await page.waitForURL((u) => u.searchParams.get("sso_error") === reason);
        await page.getByRole("alert").getByText(text).waitFor();
        const audit = await api<{ items: Array<{ action: string; details: Record<string, unknown> }> }>(
          "GET",
          "/api/audit?limit=20",
        );
        expect(audit.items.find((item) => item.action === "auth.sso")).toMatchObject({
          details: { outcome: "failure", reason },
        });
      };

      // A forged state: the provider's answer, its state changed.
      op.signInAs({ sub: "forge-1", email: "forge@contoso.example", email_verified: true, name: "Forge" });
      const forged = await captureCallback();
      forged.searchParams.set("state", "forged-state");
      await page.goto(forged.href);
      await expectRefused("state", /could not be completed in this browser/);

      // A replayed code: a used sign-in code fed to a new sign-in of the same browser.
      op.signInAs({ sub: "replay-1", email: "replay@contoso.example", email_verified: true, name: "Replay" });
      const used = await captureCallback();
      await page.goto(used.href);
      await page.waitForURL((u) => u.pathname === "/workflows");
      await page.context().clearCookies();
      const replay = await captureCallback();
      replay.searchParams.set("code", used.searchParams.get("code") ?? "");
      await page.goto(replay.href);
      await expectRefused("code_exchange", /did not accept the sign-in code/);

      // A bad signature and an expired ID token.
      op.tamperNextIdToken((claims) => ({ claims, foreignKey: true }));
      await page.goto(`${session.baseUrl}/login`);
      await page.getByRole("link", { name: "Sign in with Corp SSO" }).click();
      await expectRefused("signature", /not signed by it/);
      const now = Math.floor(Date.now() / 1000);
      op.tamperNextIdToken((claims) => ({ claims: { ...claims, iat: now - 7200, exp: now - 3600 } }));
      await page.goto(`${session.baseUrl}/login`);
      await page.getByRole("link", { name: "Sign in with Corp SSO" }).click();
      await expectRefused("expired", /had expired/);
      await page.context().close();
    },
  );

  it("a provider that requires MFA sends a person without it to enrolment", { timeout: 60_000 }, async () => {
    await api("PUT", "/api/settings/oauth/corp", {
      kind: "oidc",
      displayName: "Corp SSO",
      issuer: op.issuer,
      clientId: op.clientId,
      requireMfa: true,
    });
    op.signInAs({ sub: "ada-1", email: "ada@contoso.example", email_verified: true, name: "Ada" });
    const page = await signedOutLogin();
    await page.getByRole("link", { name: "Sign in with Corp SSO" }).click();
    await page.waitForURL((u) => u.pathname === "/mfa-setup");
    await page.getByTestId("mfa-secret").waitFor();
    await page.context().close();
  });
});
