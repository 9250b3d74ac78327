import { generate } from "otplib";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousA11yViolations } from "../axe.js";
import { cookiesOf, PASSWORD, signedInAdmin, type SignedIn } from "./signed-in.js";

// The account page (issue 22) in Chromium, for the signed-in admin and an organization user: the
// name, the password, the second factor with real TOTP codes (otplib), the logins and the remembered
// browsers. The tests run in order on one server: each starts from where the one before left off.

const ADMIN_EMAIL = "admin@example.com";
const NEW_PASSWORD = "a quite different passphrase";

let session: SignedIn;
/** Recovery codes the page showed the admin, for a sign-in of the remembered-browser test. */
let recoveryCodes: string[] = [];

beforeAll(async () => {
  session = await signedInAdmin();
});
afterAll(async () => {
  await session?.close();
});

async function open(path = "/account", heading = "Account"): Promise<Page> {
  const page = await session.context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(`${session.baseUrl}${path}`);
  await page.getByRole("heading", { name: heading, level: 1 }).waitFor();
  return page;
}

function api(
  path: string,
  init: { method?: string; token?: string; body?: unknown; userAgent?: string } = {},
) {
  return fetch(`${session.baseUrl}${path}`, {
    method: init.method ?? "GET",
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.body === undefined ? {} : { "content-type": "application/json" }),
      ...(init.userAgent ? { "user-agent": init.userAgent } : {}),
    },
    body: init.body === undefined ? null : JSON.stringify(init.body),
  });
}

const login = (email: string, password: string, userAgent?: string) =>
  api("/auth/login", { method: "POST", body: { email, password }, ...(userAgent ? { userAgent } : {}) });

/**
 * An authenticator app's codes for one user. The server takes a 30-s step at most once per user,
 * whichever seed (and refuses older ones): each code here is of a later step than the last, the
 * current or the next (accepted within the server's ±1 step window), waiting for the clock when
 * both are spent.
 */
class Authenticator {
  private lastStep = -1;

  async code(secret: string): Promise<string> {
    for (;;) {
      const now = Math.floor(Date.now() / 30_000);
      const step = Math.max(this.lastStep + 1, now);
      if (step <= now + 1) {
        this.lastStep = step;
        return generate({ secret, epoch: step * 30 });
      }
      await new Promise((resolve) => setTimeout(resolve, (now + 1) * 30_000 - Date.now() + 200));
    }
  }
}

/** The card titled `title`. */
const cardOf = (page: Page, title: string) =>
  page.locator("section.ui-card", { has: page.getByRole("heading", { name: title, level: 2 }) });

/** The field (label, control, hint, error) whose control is labelled `label`. */
const field = (page: Page, label: string) =>
  page.locator(".ui-field", { has: page.getByLabel(label, { exact: true }) });

describe("the account page", () => {
  it("renaming oneself shows the new name in the header and in /auth/me", async () => {
    // Reached from the account menu.
    const page = await open("/workflows", "Workflows");
    await page.getByRole("button", { name: /account menu/ }).click();
    await page.getByRole("menuitem", { name: "Account" }).click();
    await page.getByRole("heading", { name: "Account", level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/account");

    await page.getByLabel("Name", { exact: true }).fill("Ada Lovelace");
    await page.getByRole("button", { name: "Save name" }).click();
    await page.getByRole("status").getByText("Saved.").waitFor();
    await page.getByRole("button", { name: /Ada Lovelace.*account menu/ }).waitFor();
    const me = (await (await api("/auth/me", { token: session.token })).json()) as { name: string };
    expect(me.name).toBe("Ada Lovelace");
    await page.close();
  });

  it("a password change shows the server's reasons at the fields, then works", async () => {
    const page = await open();
    const fill = async (current: string, next: string) => {
      await page.getByLabel("Current password").fill(current);
      await page.getByLabel("New password", { exact: true }).fill(next);
      await page.getByLabel("Repeat the new password").fill(next);
      await page.getByRole("button", { name: "Change password" }).click();
    };
    await fill("not my password at all", NEW_PASSWORD);
    await field(page, "Current password").getByText("The current password is wrong").waitFor();
    expect(await page.getByLabel("Current password").getAttribute("aria-invalid")).toBe("true");

    await fill(PASSWORD, "password1234");
    await field(page, "New password").getByText("Password is too common").waitFor();
    expect(await field(page, "Current password").locator(".ui-field__error").count()).toBe(0);

    await fill(PASSWORD, NEW_PASSWORD);
    await page
      .getByRole("status")
      .getByText(/Password changed/)
      .waitFor();
    expect((await login(ADMIN_EMAIL, NEW_PASSWORD)).status).toBe(200);
    // This login stays.
    expect((await api("/auth/me", { token: session.token })).status).toBe(200);
    await page.close();
  });

  it("another login is listed and signed out from the page", async () => {
    const other = await login(ADMIN_EMAIL, NEW_PASSWORD, "Second laptop");
    expect(other.status).toBe(200);
    const { accessToken } = (await other.json()) as { accessToken: string };
    expect((await api("/auth/me", { token: accessToken })).status).toBe(200);

    const page = await open();
    const sessions = page.getByRole("table", { name: "Sessions" });
    await sessions.getByRole("row", { name: /This browser/ }).waitFor();
    const row = sessions.getByRole("row", { name: /Second laptop/ });
    await row.waitFor();
    expect(await row.getByRole("cell").nth(1).textContent()).toMatch(/127\.0\.0\.1/);
    expect(await seriousA11yViolations(page)).toEqual([]);

    await row.getByRole("button", { name: "Sign out session on Second laptop" }).click();
    await row.waitFor({ state: "detached" });
    expect((await api("/auth/me", { token: accessToken })).status).toBe(401);
    expect((await api("/auth/me", { token: session.token })).status).toBe(200);
    await page.close();
  });

  it(
    "two-factor authentication is turned on, and its authenticator replaced with a current code; a wrong code keeps the user on the page",
    { timeout: 120_000 },
    async () => {
      const app = new Authenticator();
      const page = await open();
      const card = cardOf(page, "Two-factor authentication");
      await card.getByText("Sign-ins need only your password.").waitFor();
      await card.getByRole("button", { name: "Set up two-factor authentication" }).click();
      await card.getByRole("img", { name: "QR code of the authenticator secret" }).waitFor();
      const secret = (await card.getByTestId("mfa-secret").textContent()) ?? "";
      await card.getByLabel("Code from the app").fill(await app.code(secret));
      await card.getByRole("button", { name: "Turn on two-factor authentication" }).click();
      const codes = card.getByTestId("recovery-codes").getByRole("listitem");
      await codes.first().waitFor();
      expect(await codes.count()).toBe(10);
      await card.getByRole("button", { name: "I saved them" }).click();
      await card.getByText("10 recovery codes left.").waitFor();
      expect(await (await api("/auth/mfa/status", { token: session.token })).json()).toEqual({
        enabled: true,
        recoveryCodesRemaining: 10,
      });

      // A wrong code: the server's 401 is the code's, not the login's. The user stays, signed in.
      await card.getByRole("button", { name: "Replace authenticator" }).click();
      const dialog = page.getByRole("dialog", { name: "Replace your authenticator" });
      const current = await generate({ secret, epoch: Math.floor(Date.now() / 1000) });
      const wrong = (Number(current) + 1) % 1_000_000;
      await dialog.getByLabel("Code from your authenticator app").fill(String(wrong).padStart(6, "0"));
      await dialog.getByRole("button", { name: "Continue" }).click();
      await dialog.getByRole("alert").getByText("Invalid code").waitFor();
      expect(new URL(page.url()).pathname).toBe("/account");
      expect(await page.evaluate(async () => (await fetch("/auth/me")).status)).toBe(200);
      // (The modal hides the header from the accessibility tree: found by its class.)
      expect(await page.locator(".layout__user").textContent()).toBe("Ada Lovelace");

      // With a current code of the authenticator in use, a new one replaces it once confirmed.
      await dialog.getByLabel("Code from your authenticator app").fill(await app.code(secret));
      await dialog.getByRole("button", { name: "Continue" }).click();
      await dialog.waitFor({ state: "detached" });
      await card.getByLabel("Code from the new app").waitFor();
      const newSecret = (await card.getByTestId("mfa-secret").textContent()) ?? "";
      expect(newSecret).not.toBe(secret);
      await card.getByLabel("Code from the new app").fill(await app.code(newSecret));
      await card.getByRole("button", { name: "Use the new authenticator" }).click();
      await codes.first().waitFor();
      recoveryCodes = await codes.allTextContents();
      expect(recoveryCodes).toHaveLength(10);
      await card.getByRole("button", { name: "I saved them" }).click();
      await card.getByText("10 recovery codes left.").waitFor();
      await page.close();
    },
  );

  it("a remembered browser is listed and forgotten", async () => {
    const userAgent = "Remembered browser";
    const first = await login(ADMIN_EMAIL, NEW_PASSWORD, userAgent);
    const { mfaToken } = (await first.json()) as { mfaToken: string };
    const second = await api("/auth/mfa/login", {
      method: "POST",
      body: { mfaToken, code: recoveryCodes[0], rememberDevice: true },
      userAgent,
    });
    expect(second.status).toBe(200);

    const page = await open();
    const card = cardOf(page, "Remembered browsers");
    await card.getByText(/skip it for 30 days/).waitFor();
    const row = card.getByRole("row", { name: /Remembered browser/ });
    await row.waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await row.getByRole("button", { name: "Forget Remembered browser" }).click();
    await card.getByText("No remembered browsers.").waitFor();
    const devices = (await (await api("/auth/trusted-devices", { token: session.token })).json()) as {
      items: unknown[];
    };
    expect(devices.items).toEqual([]);
    await page.close();
  });

  it(
    "an organization user opens their account page, turns two-factor authentication on, makes new recovery codes and turns it off",
    { timeout: 90_000 },
    async () => {
      const organization = await api("/api/organizations", {
        method: "POST",
        token: session.token,
        body: { name: "Contoso" },
      });
      const { id: organizationId } = (await organization.json()) as { id: string };
      const email = "olga@contoso.example";
      const password = "olga's own long passphrase";
      const created = await api("/api/users", {
        method: "POST",
        token: session.token,
        body: { email, name: "Olga", password, organizationId },
      });
      expect(created.status).toBe(201);
      const signIn = await login(email, password);
      expect(signIn.status).toBe(200);
      const { accessToken } = (await signIn.json()) as { accessToken: string };
      const context = await session.browser.newContext();
      await context.addCookies(cookiesOf(signIn, session.baseUrl));
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      await page.goto(`${session.baseUrl}/account`);
      await page.getByRole("heading", { name: "Account", level: 1 }).waitFor();
      await page.getByText(email).waitFor();
      expect(await page.getByLabel("Name", { exact: true }).inputValue()).toBe("Olga");
      await page
        .getByRole("table", { name: "Sessions" })
        .getByRole("row", { name: /This browser/ })
        .waitFor();

      const app = new Authenticator();
      const card = cardOf(page, "Two-factor authentication");
      await card.getByRole("button", { name: "Set up two-factor authentication" }).click();
      const secret = (await card.getByTestId("mfa-secret").textContent()) ?? "";
      await card.getByLabel("Code from the app").fill(await app.code(secret));
      await card.getByRole("button", { name: "Turn on two-factor authentication" }).click();
      const codes = card.getByTestId("recovery-codes").getByRole("listitem");
      await codes.first().waitFor();
      const first = await codes.allTextContents();
      expect(first).toHaveLength(10);
      await card.getByRole("button", { name: "I saved them" }).click();

      await card.getByRole("button", { name: "New recovery codes" }).click();
      const asked = page.getByRole("dialog", { name: "New recovery codes" });
      await asked.getByLabel("Code from your authenticator app").fill(await app.code(secret));
      await asked.getByRole("button", { name: "Make new codes" }).click();
      await asked.waitFor({ state: "detached" });
      await codes.first().waitFor();
      const second = await codes.allTextContents();
      expect(second).toHaveLength(10);
      expect(second.filter((code) => first.includes(code))).toEqual([]);
      await card.getByRole("button", { name: "I saved them" }).click();

      await card.getByRole("button", { name: "Turn off" }).click();
      const dialog = page.getByRole("dialog", { name: "Turn off two-factor authentication" });
      await dialog.getByText(/Signing in will then need only your password/).waitFor();
      expect(await seriousA11yViolations(page)).toEqual([]);
      await dialog.getByLabel("Code from your authenticator app").fill(await app.code(secret));
      await dialog.getByRole("button", { name: "Turn off" }).click();
      await card.getByText("Sign-ins need only your password.").waitFor();
      expect(await (await api("/auth/mfa/status", { token: accessToken })).json()).toEqual({
        enabled: false,
        recoveryCodesRemaining: 0,
      });
      await context.close();
    },
  );

  // Last: it ends the admin's login the tests above use.
  it("“Sign out everywhere” ends every login, this one too, and goes to the sign-in page", async () => {
    const other = await login(ADMIN_EMAIL, NEW_PASSWORD, "Second laptop");
    const { mfaToken } = (await other.json()) as { mfaToken: string };
    const signedIn = await api("/auth/mfa/login", {
      method: "POST",
      body: { mfaToken, code: recoveryCodes[1] },
    });
    const { accessToken } = (await signedIn.json()) as { accessToken: string };
    const page = await open();
    await page.getByRole("button", { name: "Sign out everywhere" }).click();
    const dialog = page.getByRole("dialog", { name: "Sign out everywhere?" });
    await dialog.getByRole("button", { name: "Sign out everywhere" }).click();
    await page.waitForURL(/\/login/);
    expect((await api("/auth/me", { token: accessToken })).status).toBe(401);
    expect((await api("/auth/me", { token: session.token })).status).toBe(401);
    await page.close();
  });
});
