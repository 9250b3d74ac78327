import { mkdirSync } from "node:fs";
import path from "node:path";
import { generate } from "otplib";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousA11yViolations } from "./axe.js";
import { launchChromium } from "./browser.js";
import { FIRST_ADMIN, submitFirstRunSetup } from "./first-run.js";
import { startServer, type TestServer } from "./server.js";

const SCREENSHOTS = path.resolve(import.meta.dirname, "screenshots");

let server: TestServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
  page = await browser.newPage({ viewport: { width: 1024, height: 640 } });
  page.setDefaultTimeout(10_000);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const url = (p: string) => `${server.baseUrl}${p}`;
const pathOf = (page: Page) => {
  const u = new URL(page.url());
  return `${u.pathname}${u.search}`;
};
const screenshot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
const setTheme = async (theme: "light" | "dark") => {
  await page.evaluate(`localStorage.setItem("bifrost.theme", "${theme}")`);
  await page.reload();
};

// One browser session walks the whole sign-in life cycle; the steps depend on each other.
describe("signing in to the web client", () => {
  let secret = "";

  it("first run: a deep link leads to setup, then MFA enrolment, then the signed-in layout", async () => {
    await page.goto(url("/"));
    await page.waitForURL((u) => u.pathname === "/setup");
    await submitFirstRunSetup(page);

    await page.waitForURL((u) => u.pathname === "/mfa-setup");
    await expect.poll(() => page.getByRole("img", { name: /QR code/ }).isVisible()).toBe(true);
    secret = (await page.getByTestId("mfa-secret").textContent()) ?? "";
    expect(secret).toMatch(/^[A-Z2-7]+=*$/);
    await page.getByLabel("Code from the app").fill(await generate({ secret }));
    await page.getByRole("button", { name: "Turn on two-factor authentication" }).click();

    await expect.poll(() => page.getByTestId("recovery-codes").locator("li").count()).toBe(10);
    await page.getByRole("button", { name: /continue/ }).click();
    await page.waitForURL((u) => u.pathname === "/workflows");
    const nav = page.getByRole("navigation", { name: "Main" });
    expect(await nav.getByRole("link", { name: "Workflows" }).isVisible()).toBe(true);
    expect(await nav.getByRole("link", { name: "Executions" }).isVisible()).toBe(true);
    expect(await page.getByText(FIRST_ADMIN.name).isVisible()).toBe(true);
    // A platform admin gets the organization scope switcher.
    expect(await page.getByLabel("Organization scope").isVisible()).toBe(true);
  });

  // The layout is checked with the page it frames (the workflows list), in both themes.
  it("the layout has no serious accessibility violations, and the theme toggle switches and persists", async () => {
    await setTheme("light");
    await page.getByRole("navigation", { name: "Main" }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot("layout-light");

    await page.getByTestId("theme-toggle").click();
    expect(await page.evaluate<string>("document.documentElement.dataset.theme")).toBe("dark");
    await page.reload();
    await page.getByRole("navigation", { name: "Main" }).waitFor();
    expect(await page.evaluate<string>("document.documentElement.dataset.theme")).toBe("dark");
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot("layout-dark");
  });

  it("unknown routes show Not found inside the layout, in both themes without accessibility violations", async () => {
    await page.goto(url("/no/such/page"));
    await page.getByRole("heading", { name: "Not found" }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await setTheme("light");
    await page.getByRole("heading", { name: "Not found" }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it("signing out leads to the login page, which has no serious accessibility violations", async () => {
    await page.goto(url("/workflows"));
    await page.getByRole("button", { name: /account menu/ }).click();
    await page.getByRole("menuitem", { name: "Sign out" }).click();
    await page.waitForURL((u) => u.pathname === "/login");
    // The page signed out from is not remembered for whoever signs in next.
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    expect(pathOf(page)).toBe("/login");
    await setTheme("dark");
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot("login-dark");
    await setTheme("light");
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot("login-light");
  });

  it("a deep link while signed out goes to login, through the MFA prompt, and back to the page", async () => {
    await page.goto(url("/executions?status=Failed"));
    await page.waitForURL((u) => u.pathname === "/login");
    expect(pathOf(page)).toBe(`/login?next=${encodeURIComponent("/executions?status=Failed")}`);

    await page.getByLabel("E-mail").fill(FIRST_ADMIN.email);
    await page.getByLabel("Password").fill("a wrong password!");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toMatch(/./);

    await page.getByLabel("Password").fill(FIRST_ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((u) => u.pathname === "/login/mfa");
    await page.getByRole("button", { name: "Verify" }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    // Never a step at or before the enrolment's: the next step is within the accepted ±1 window.
    const code = await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });
    await page.getByLabel("Code").fill(code);
    await page.getByRole("button", { name: "Verify" }).click();
    await page.waitForURL((u) => u.pathname === "/executions");
    expect(pathOf(page)).toBe("/executions?status=Failed");
    await page.getByRole("navigation", { name: "Main" }).waitFor();
  });
});
