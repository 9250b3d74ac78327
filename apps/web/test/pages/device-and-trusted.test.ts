import { generate } from "otplib";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousA11yViolations } from "../axe.js";
import { launchChromium } from "../browser.js";
import { startServer, type TestServer } from "../server.js";

// Issue 22 in Chromium: "Remember this browser for 30 days" at the MFA prompt skips it on the next
// sign-in in that browser, and not once the browser is forgotten; device login — a CLI-style client
// (plain HTTP here) gets a login once the signed-in user approves its code on /device, and nothing
// after a denial.

const ADMIN = { email: "ada@example.com", password: "correct horse battery staple", name: "Ada" };
let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let secret = "";
let apiToken = "";
/** The last TOTP step used: each code must be of a later one (the server refuses a replay). */
let lastStep = 0;

async function api<T>(method: string, path: string, body?: object, token = apiToken) {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: {
      ...(body ? { "content-type": "application/json" } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
}

/** A code of a TOTP step after the last one used (waiting for it when needed). */
async function freshCode(): Promise<string> {
  let step = Math.floor(Date.now() / 30_000);
  if (step <= lastStep) step = lastStep + 1; // the server accepts the next step too
  if (step > Math.floor(Date.now() / 30_000) + 1)
    await new Promise((resolve) => setTimeout(resolve, (step - 1) * 30_000 - Date.now() + 200));
  lastStep = step;
  return generate({ secret, epoch: step * 30 });
}

beforeAll(async () => {
  server = await startServer({ BIFROST_DEVICE_POLL_INTERVAL_SECONDS: "1" });
  expect((await api("POST", "/auth/setup", ADMIN, "")).status).toBe(201);
  const login = await api<{ mfaToken: string }>("POST", "/auth/login", ADMIN, "");
  const setup = await api<{ secret: string }>("POST", "/auth/mfa/setup", undefined, login.body.mfaToken);
  secret = setup.body.secret;
  const verified = await api<{ accessToken: string }>(
    "POST",
    "/auth/mfa/verify",
    { code: await freshCode() },
    login.body.mfaToken,
  );
  expect(verified.status).toBe(200);
  apiToken = verified.body.accessToken;
  browser = await launchChromium();
  context = await browser.newContext();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function signIn(page: Page): Promise<void> {
  await page.goto(`${server.baseUrl}/login`);
  await page.getByLabel("E-mail").fill(ADMIN.email);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: /account menu/ }).click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await page.waitForURL((u) => u.pathname === "/login");
}

describe("remember this browser", () => {
  it(
    "skips the MFA prompt in this browser on the next sign-in, and asks again once forgotten",
    { timeout: 120_000 },
    async () => {
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      await signIn(page);
      await page.waitForURL((u) => u.pathname === "/login/mfa");
      await page.getByLabel("Remember this browser for 30 days").check();
      expect(await seriousA11yViolations(page)).toEqual([]);
      await page.getByLabel("Code").fill(await freshCode());
      await page.getByRole("button", { name: "Verify" }).click();
      await page.waitForURL((u) => u.pathname === "/workflows");

      // Signed out and in again: no prompt.
      await signOut(page);
      await signIn(page);
      await page.waitForURL((u) => u.pathname === "/workflows");

      // The browser is listed; forgotten, the next sign-in asks for the code again.
      const devices = await api<{ items: Array<{ id: string; userAgent: string }> }>(
        "GET",
        "/auth/trusted-devices",
      );
      expect(devices.body.items).toHaveLength(1);
      expect(devices.body.items[0]?.userAgent).toContain("Chrome");
      expect((await api("DELETE", `/auth/trusted-devices/${devices.body.items[0]?.id}`)).status).toBe(204);
      await signOut(page);
      await signIn(page);
      await page.waitForURL((u) => u.pathname === "/login/mfa");
      await page.getByLabel("Code").fill(await freshCode());
      await page.getByRole("button", { name: "Verify" }).click();
      await page.waitForURL((u) => u.pathname === "/workflows");
      await page.close();
    },
  );
});

type CodePair = { deviceCode: string; userCode: string; verificationUriComplete: string; interval: number };

/** What the CLI does: asks for a code pair, then polls. */
async function startDeviceLogin(): Promise<CodePair> {
  const pair = await api<CodePair>(
    "POST",
    "/auth/device/code",
    { clientName: "bifrost CLI on build-01" },
    "",
  );
  expect(pair.status).toBe(200);
  return pair.body;
}
async function poll(pair: CodePair) {
  await new Promise((resolve) => setTimeout(resolve, pair.interval * 1000 + 100));
  return api<{ error?: string; accessToken?: string }>(
    "POST",
    "/auth/device/token",
    { deviceCode: pair.deviceCode },
    "",
  );
}

describe("device login", () => {
  it(
    "a CLI-style client gets a login after the user approves its code in the browser",
    { timeout: 60_000 },
    async () => {
      const pair = await startDeviceLogin();
      expect((await poll(pair)).body).toMatchObject({ error: "authorization_pending" });
      // The link the CLI prints, opened in the signed-in browser.
      expect(new URL(pair.verificationUriComplete).origin).toBe(server.baseUrl);
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      await page.goto(pair.verificationUriComplete);
      await page.getByRole("heading", { name: "Approve this sign-in?" }).waitFor();
      expect(await page.getByText(pair.userCode).isVisible()).toBe(true);
      expect(await page.getByText("bifrost CLI on build-01").isVisible()).toBe(true);
      expect(await seriousA11yViolations(page)).toEqual([]);
      await page.getByRole("button", { name: "Approve" }).click();
      await page
        .getByRole("status")
        .getByText(/signed in as you/)
        .waitFor();

      const granted = await poll(pair);
      expect(granted.status).toBe(200);
      const me = await api<{ email: string }>("GET", "/auth/me", undefined, granted.body.accessToken);
      expect(me.body.email).toBe(ADMIN.email);
      await page.close();
    },
  );

  it("a code typed by hand and denied gives the client nothing", { timeout: 60_000 }, async () => {
    const pair = await startDeviceLogin();
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${server.baseUrl}/device`);
    await page.getByRole("heading", { name: "Sign in a device" }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    // As a person types it: lower case, no dash.
    await page.getByLabel("Code shown by the program").fill(pair.userCode.replace("-", "").toLowerCase());
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByRole("heading", { name: "Approve this sign-in?" }).waitFor();
    await page.getByRole("button", { name: "Deny" }).click();
    await page.getByRole("heading", { name: "Sign-in denied" }).waitFor();
    const denied = await poll(pair);
    expect(denied.status).toBe(400);
    expect(denied.body).toMatchObject({ error: "access_denied" });

    // A wrong or expired code says so, and asks for another.
    await page.goto(`${server.baseUrl}/device?code=BCDF-GHJK`);
    await page
      .getByRole("alert")
      .getByText(/No sign-in waits for this code/)
      .waitFor();
    await page.close();
  });
});
