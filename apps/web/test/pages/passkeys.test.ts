import { generate } from "otplib";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousA11yViolations } from "../axe.js";
import { launchChromium } from "../browser.js";
import { startServer, type TestServer } from "../server.js";
import { cookiesOf, PASSWORD } from "./signed-in.js";

// Passkeys in Chromium (issue 23) with a virtual authenticator of the DevTools protocol (a platform
// authenticator holding discoverable credentials, verifying its user). The servers are opened at
// http://localhost: WebAuthn refuses IP addresses, and http is a secure context only on localhost.
// MFA is required (the default) and the admin has TOTP: a password sign-in would ask for a code,
// a passkey sign-in never does.

const ADMIN_EMAIL = "admin@example.com";

/** A page whose browser answers WebAuthn with a fresh virtual authenticator. */
async function pageWithAuthenticator(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return page;
}

const api = (server: TestServer, path: string, init: { token?: string; body?: unknown } = {}) =>
  fetch(`${server.baseUrl}${path}`, {
    method: init.body === undefined ? "GET" : "POST",
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: init.body === undefined ? null : JSON.stringify(init.body),
  });

const cardOf = (page: Page, title: string) =>
  page.locator("section.ui-card", { has: page.getByRole("heading", { name: title, level: 2 }) });

async function signOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: /account menu/ }).click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await page.getByRole("heading", { name: "Sign in", level: 1 }).waitFor();
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe("a user's passkeys", () => {
  let server: TestServer;
  let page: Page;
  /** Every URL the page went to: a passkey sign-in must never pass the MFA prompt. */
  const visited: string[] = [];

  beforeAll(async () => {
    server = await startServer({}, { localhost: true });
    await api(server, "/auth/setup", { body: { email: ADMIN_EMAIL, password: PASSWORD, name: "Admin" } });
    // MFA is required: the first sign-in enrols an authenticator app.
    const login = (await (
      await api(server, "/auth/login", { body: { email: ADMIN_EMAIL, password: PASSWORD } })
    ).json()) as { mfaSetupRequired: boolean; mfaToken: string };
    expect(login.mfaSetupRequired).toBe(true);
    const setup = (await (
      await api(server, "/auth/mfa/setup", { token: login.mfaToken, body: {} })
    ).json()) as {
      secret: string;
    };
    const enrolled = await api(server, "/auth/mfa/verify", {
      token: login.mfaToken,
      body: { code: await generate({ secret: setup.secret }) },
    });
    expect(enrolled.status).toBe(200);
    const context = await browser.newContext();
    await context.addCookies(cookiesOf(enrolled, server.baseUrl));
    // One page throughout: the virtual authenticator, and the passkeys it holds, belong to it.
    page = await pageWithAuthenticator(context);
    page.on("framenavigated", (frame) => {
      if (frame === page.mainFrame()) visited.push(new URL(frame.url()).pathname);
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("adds a passkey on the account page", async () => {
    await page.goto(`${server.baseUrl}/account`);
    const card = cardOf(page, "Passkeys");
    await card.getByText("No passkeys yet.").waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await card.getByRole("button", { name: "Add a passkey" }).click();
    const dialog = page.getByRole("dialog", { name: "Add a passkey" });
    // Named after the browser by default.
    expect(await dialog.getByLabel("Passkey name").inputValue()).toMatch(/Chrome/);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await dialog.getByLabel("Passkey name").fill("Laptop");
    await dialog.getByRole("button", { name: "Create passkey" }).click();
    await card.getByRole("row", { name: /Laptop/ }).waitFor();
    await dialog.waitFor({ state: "detached" });
    expect(
      await card
        .getByRole("row", { name: /Laptop/ })
        .getByText("Never")
        .count(),
    ).toBe(1);
  });

  it("signs out, then signs in with the passkey alone: no password, no TOTP prompt", async () => {
    // The same admin's password would be followed by the code prompt.
    const password = (await (
      await api(server, "/auth/login", { body: { email: ADMIN_EMAIL, password: PASSWORD } })
    ).json()) as { mfaRequired?: boolean };
    expect(password.mfaRequired).toBe(true);

    await page.goto(`${server.baseUrl}/workflows`);
    await signOut(page);
    expect(await seriousA11yViolations(page)).toEqual([]);
    visited.length = 0;
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await page.getByRole("heading", { name: "Workflows", level: 1 }).waitFor();
    expect(visited).not.toContain("/login/mfa");
    const me = (await (await page.request.get(`${server.baseUrl}/auth/me`)).json()) as { email: string };
    expect(me.email).toBe(ADMIN_EMAIL);
  });

  it("renames and removes the passkey; it signs in no more", async () => {
    await page.goto(`${server.baseUrl}/account`);
    const card = cardOf(page, "Passkeys");
    const row = card.getByRole("row", { name: /Laptop/ });
    await row.getByRole("button", { name: "Rename Laptop" }).click();
    const rename = page.getByRole("dialog", { name: "Rename passkey" });
    await rename.getByLabel("Passkey name").fill("Work laptop");
    await rename.getByRole("button", { name: "Save" }).click();
    await card.getByRole("row", { name: /Work laptop/ }).waitFor();
    // Used once, to sign in.
    expect(
      await card
        .getByRole("row", { name: /Work laptop/ })
        .getByText("Never")
        .count(),
    ).toBe(0);

    await card.getByRole("button", { name: "Remove Work laptop" }).click();
    const confirm = page.getByRole("dialog", { name: /Remove “Work laptop”/ });
    expect(await seriousA11yViolations(page)).toEqual([]);
    await confirm.getByRole("button", { name: "Remove" }).click();
    await card.getByText("No passkeys yet.").waitFor();

    await signOut(page);
    // The browser still offers the credential; the server no longer knows it.
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await page.getByRole("alert").getByText("This passkey is not registered on this platform").waitFor();
    expect(new URL(page.url()).pathname).toBe("/login");
  });
});

describe("a platform set up, and an invitation accepted, with a passkey", () => {
  let server: TestServer;
  let adminContext: BrowserContext;

  beforeAll(async () => {
    server = await startServer({}, { localhost: true });
    adminContext = await browser.newContext();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("first-run setup with a passkey only creates a platform admin without a password, signed in", async () => {
    const page = await pageWithAuthenticator(adminContext);
    await page.goto(`${server.baseUrl}/`);
    await page.getByRole("heading", { name: "Set up Bifrost", level: 1 }).waitFor();
    await page.getByLabel("Name").fill("Ada Admin");
    await page.getByLabel("E-mail").fill("ada@example.com");
    await page.getByRole("button", { name: "Use a passkey instead of a password" }).click();
    expect(await page.getByLabel("Password", { exact: true }).count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByRole("button", { name: "Create administrator with a passkey" }).click();
    await page.getByRole("heading", { name: "Workflows", level: 1 }).waitFor();

    const me = (await (await page.request.get(`${server.baseUrl}/auth/me`)).json()) as {
      email: string;
      isSuperuser: boolean;
    };
    expect(me).toMatchObject({ email: "ada@example.com", isSuperuser: true });
    const status = (await (await api(server, "/auth/status")).json()) as { needsSetup: boolean };
    expect(status.needsSetup).toBe(false);
    // No password was set: none signs in.
    expect(
      (await api(server, "/auth/login", { body: { email: "ada@example.com", password: PASSWORD } })).status,
    ).toBe(401);
    await page.goto(`${server.baseUrl}/account`);
    await cardOf(page, "Passkeys")
      .getByRole("row", { name: /Passkey/ })
      .waitFor();
  });

  it("an invited user accepts the invitation with a passkey and is signed in", async () => {
    const access = (await adminContext.cookies(server.baseUrl)).find((c) => c.name === "access_token");
    const token = access?.value ?? "";
    const organization = (await (
      await api(server, "/api/organizations", { token, body: { name: "Contoso" } })
    ).json()) as { id: string };
    const user = (await (
      await api(server, "/api/users", {
        token,
        body: { email: "grace@contoso.example", name: "Grace", organizationId: organization.id },
      })
    ).json()) as { id: string };
    // No mail server: the link is answered to the admin.
    const invitation = (await (
      await api(server, `/api/users/${user.id}/invite`, { token, body: {} })
    ).json()) as {
      sent: boolean;
      link: string;
    };
    expect(invitation.sent).toBe(false);
    expect(invitation.link.startsWith(`${server.baseUrl}/invite#token=`)).toBe(true);

    const visitor = await browser.newContext();
    const page = await pageWithAuthenticator(visitor);
    await page.goto(invitation.link);
    await page.getByRole("heading", { name: "Accept your invitation", level: 1 }).waitFor();
    await page.getByRole("button", { name: "Use a passkey instead of a password" }).click();
    expect(await page.getByLabel("New password").count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByRole("button", { name: "Create a passkey and sign in" }).click();
    await page.getByRole("heading", { name: "Workflows", level: 1 }).waitFor();
    const me = (await (await page.request.get(`${server.baseUrl}/auth/me`)).json()) as {
      email: string;
      organizationId: string;
    };
    expect(me).toMatchObject({ email: "grace@contoso.example", organizationId: organization.id });

    // The link is spent; the passkey signs Grace in again.
    await signOut(page);
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await page.getByRole("heading", { name: "Workflows", level: 1 }).waitFor();
    await visitor.close();
  });
});
