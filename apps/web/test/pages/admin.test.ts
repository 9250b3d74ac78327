import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cookiesOf, PASSWORD, signedInAdmin, type SignedIn } from "./signed-in.js";

let session: SignedIn;
let browser: Browser;
let context: BrowserContext;
let baseUrl: string;

beforeAll(async () => {
  session = await signedInAdmin();
  ({ browser, context, baseUrl } = session);
});

afterAll(async () => {
  await session?.close();
});

describe("admin pages", () => {
  it("lets the platform admin create an organization and a user in it, and hides them from that user", async () => {
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${baseUrl}/admin/organizations`);
    await page.getByRole("heading", { name: "Organizations", level: 1 }).waitFor();
    await page.getByLabel("Name").fill("Acme");
    await page.getByLabel("Domain").fill("acme.example");
    await page.getByRole("button", { name: "Create organization" }).click();
    await page.locator("tbody tr", { hasText: "Acme" }).getByText("acme.example").waitFor();

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users" }).click();
    await page.getByRole("heading", { name: "Users", level: 1 }).waitFor();
    await page.getByLabel("Email").fill("ada@acme.example");
    await page.getByLabel("Name").fill("Ada");
    await page.getByLabel(/^Password/).fill(PASSWORD);
    await page.getByLabel("Organization", { exact: true }).selectOption({ label: "Acme" });
    await page.getByRole("button", { name: "Create user" }).click();
    await page
      .locator("tbody tr", { hasText: "ada@acme.example" })
      .getByRole("cell", { name: "Acme", exact: true })
      .waitFor();
    // The organization filter narrows the list to Acme's users.
    await page.getByLabel("Filter by organization").selectOption({ label: "Acme" });
    await page.locator("tbody tr", { hasText: "ada@acme.example" }).waitFor();
    expect(await page.locator("tbody tr", { hasText: "admin@example.com" }).count()).toBe(0);

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit log" }).click();
    await page.getByRole("heading", { name: "Audit log", level: 1 }).waitFor();
    await page.locator("tbody tr").first().waitFor();
    await page.close();

    const login = await fetch(`${baseUrl}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "ada@acme.example", password: PASSWORD }),
    });
    expect(login.ok).toBe(true);
    const userContext = await browser.newContext();
    await userContext.addCookies(cookiesOf(login, baseUrl));
    const userPage = await userContext.newPage();
    userPage.setDefaultTimeout(10_000);
    await userPage.goto(`${baseUrl}/workflows`);
    const nav = userPage.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Workflows" }).waitFor();
    for (const label of ["Organizations", "Users", "Roles", "Audit log"]) {
      expect(await nav.getByRole("link", { name: label }).count()).toBe(0);
    }
    await userPage.goto(`${baseUrl}/admin/users`);
    await userPage.getByRole("heading", { name: "Not found" }).waitFor();
    await userContext.close();
  });
});
