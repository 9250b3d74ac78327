import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousA11yViolations } from "../axe.js";
import { PASSWORD, callApi, signedInAdmin, type SignedIn } from "./signed-in.js";

// The Audit page (issue 26 item 8), in Chromium on a real server: names instead of ids, and the
// actor, action and date filters, which the URL carries.

let session: SignedIn;
let initech: { id: string };
let ada: { id: string };

const api = <T>(method: string, route: string, body?: unknown): Promise<T> =>
  callApi<T>(session.baseUrl, session.token, method, route, body);

/** The text of one column (1-based) of every row shown. */
const column = (page: Page, n: number) => page.locator(`tbody tr td:nth-child(${n})`).allTextContents();
const WHO = 2;
const ORGANIZATION = 3;
const ACTION = 4;
const RESOURCE = 5;

beforeAll(async () => {
  session = await signedInAdmin();
  initech = await api("POST", "/api/organizations", { name: "Initech" });
  ada = await api("POST", "/api/users", {
    email: "ada@initech.example",
    name: "Ada Lovelace",
    organizationId: initech.id,
    password: PASSWORD,
  });
  const login = await fetch(`${session.baseUrl}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "ada@initech.example", password: PASSWORD }),
  });
  expect(login.ok).toBe(true);
});

afterAll(async () => {
  await session?.close();
});

describe("the audit page", () => {
  it("shows the names of organizations, actors and resources, and filters by action and actor through the URL", async () => {
    const page = await session.context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${session.baseUrl}/admin/audit`);
    await page.getByRole("heading", { name: "Audit log", level: 1 }).waitFor();

    const created = page.locator("tbody tr", { hasText: "organization.create" });
    await created.getByRole("cell", { name: "organization Initech", exact: true }).waitFor();
    await page
      .locator("tbody tr", { hasText: "user.create" })
      .getByRole("cell", { name: "user Ada Lovelace", exact: true })
      .waitFor();
    const login = page.locator("tbody tr", { hasText: "auth.login" }).filter({ hasText: "Ada Lovelace" });
    await login.getByRole("cell", { name: "Initech", exact: true }).waitFor();
    // The ids stay out of the text (they are in the tooltips).
    const body = (await page.locator("tbody").textContent()) ?? "";
    expect(body).not.toContain(initech.id);
    expect(body).not.toContain(ada.id);
    expect(await created.getByTitle(initech.id).count()).toBe(1);

    expect(await seriousA11yViolations(page)).toEqual([]);

    // By action prefix.
    await page.getByLabel("Action", { exact: true }).fill("user.");
    await page.getByRole("button", { name: "Filter", exact: true }).click();
    await page.waitForURL(/[?&]action=user\./);
    await page.locator("caption", { hasText: "filtered" }).waitFor({ state: "attached" });
    await expect.poll(() => column(page, ACTION)).not.toContain("organization.create");
    const actions = await column(page, ACTION);
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.every((a) => a.startsWith("user."))).toBe(true);

    // By actor, the action filter cleared.
    await page.getByRole("button", { name: "Clear", exact: true }).click();
    await page.waitForURL((url) => url.search === "");
    await page.getByLabel("Actor", { exact: true }).fill("ada@initech.example");
    await page.getByRole("button", { name: "Filter", exact: true }).click();
    await page.waitForURL(/[?&]actor=ada%40initech\.example/);
    await expect.poll(async () => new Set(await column(page, WHO))).toEqual(new Set(["Ada Lovelace"]));
    expect(new Set(await column(page, ORGANIZATION))).toEqual(new Set(["Initech"]));
    expect(await column(page, ACTION)).toContain("auth.login");

    // A link to a filtered view opens it filtered, the form showing the filter.
    await page.goto(`${session.baseUrl}/admin/audit?action=organization.create&from=2000-01-01`);
    await page.locator("caption", { hasText: "filtered" }).waitFor({ state: "attached" });
    await expect.poll(() => column(page, RESOURCE)).toEqual(["organization Initech"]);
    expect(await page.getByLabel("Action", { exact: true }).inputValue()).toBe("organization.create");
    expect(await page.getByLabel("From", { exact: true }).inputValue()).toBe("2000-01-01");

    // A day range that ends before anything happened shows nothing.
    await page.goto(`${session.baseUrl}/admin/audit?to=2000-01-01`);
    await page.getByText("Nothing matches these filters.").waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  });
});
