import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PASSWORD, callApi, signedInAdmin, type SignedIn } from "./signed-in.js";

/**
 * Where a sign-in lands: the page a deep link asked for, else the user's home, and never the page
 * the previous user of the same browser signed out from.
 */
let session: SignedIn;
let page: Page;
const TESS = { email: "tess@acme.example", name: "Tess Tech" };

const api = <T>(method: string, route: string, body?: unknown): Promise<T> =>
  callApi<T>(session.baseUrl, session.token, method, route, body);

const pathOf = () => {
  const u = new URL(page.url());
  return `${u.pathname}${u.search}`;
};

async function signOut() {
  await page.getByRole("button", { name: /account menu/ }).click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await page.getByRole("button", { name: "Sign in" }).waitFor();
}

async function signIn(email: string) {
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
}

beforeAll(async () => {
  session = await signedInAdmin();
  const org = await api<{ id: string }>("POST", "/api/organizations", {
    name: "Acme",
    domain: "acme.example",
  });
  await api("POST", "/api/users", { ...TESS, password: PASSWORD, organizationId: org.id });
  page = await session.context.newPage();
  page.setDefaultTimeout(15_000);
});

afterAll(async () => {
  await session?.close();
});

describe("signing in after someone signed out in the same browser", () => {
  it("an organization user lands on their home, not on the admin page the platform admin left", async () => {
    await page.goto(`${session.baseUrl}/workflows`);
    // Within the app, as a user gets there: the page is the app's memory, not a new document's.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users" }).click();
    await page.getByRole("heading", { level: 1, name: "Users" }).waitFor();
    await signOut();
    expect(pathOf()).toBe("/login");

    await signIn(TESS.email);
    await page.waitForURL((u) => u.pathname !== "/login");
    await page.getByRole("heading", { level: 1, name: "Workflows" }).waitFor();
    expect(pathOf()).toBe("/workflows");
    expect(await page.getByRole("heading", { name: "Not found" }).count()).toBe(0);
    expect(await page.getByText(TESS.name).isVisible()).toBe(true);
  });

  it("a deep link through the login still leads to the page asked for, in the same browser page", async () => {
    await signOut();
    await page.goto(`${session.baseUrl}/executions?status=Failed`);
    await page.waitForURL((u) => u.pathname === "/login");
    expect(pathOf()).toBe(`/login?next=${encodeURIComponent("/executions?status=Failed")}`);
    await signIn(TESS.email);
    await page.waitForURL((u) => u.pathname === "/executions");
    expect(pathOf()).toBe("/executions?status=Failed");
  });

  it("a session that ends on a page (here: revoked) does not hand that page to the next sign-in", async () => {
    await page.goto(`${session.baseUrl}/forms`);
    await page.getByRole("heading", { level: 1, name: "Forms" }).waitFor();
    // Signed out elsewhere: the next request of this page is refused, and the page sends to login.
    await page.context().clearCookies();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Executions" }).click();
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    expect(pathOf()).toBe("/login");
  });
});
