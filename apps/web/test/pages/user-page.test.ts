import { generate } from "otplib";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousA11yViolations } from "../axe.js";
import { callApi, signedInAdmin, type SignedIn } from "./signed-in.js";

// The user page and the Users list's roles column (issue 26 item 9), in Chromium on a real server:
// every change the page makes is checked again through the API.

const PASSWORD = "a user's long passphrase";

type User = {
  id: string;
  email: string;
  name: string;
  organizationId: string;
  isActive: boolean;
  mfaEnabled: boolean;
};
type Session = { id: string; userAgent: string | null };

let session: SignedIn;
let contoso: { id: string };
let fabrikam: { id: string };
let auditors: { id: string };
let reviewers: { id: string };
let ada: User;
let grace: User;
let adminId: string;

const api = <T>(method: string, route: string, body?: unknown, token = session.token): Promise<T> =>
  callApi<T>(session.baseUrl, token, method, route, body);

const createUser = (email: string, name: string, organizationId: string) =>
  api<User>("POST", "/api/users", { email, name, organizationId, password: PASSWORD });
const membersOf = async (roleId: string) =>
  (await api<{ items: { email: string }[] }>("GET", `/api/roles/${roleId}/users`)).items
    .map((m) => m.email)
    .sort();
const user = (id: string) => api<User>("GET", `/api/users/${id}`);

/** Signs `email` in through the API as a program naming itself `userAgent`: one session of theirs. */
async function signIn(email: string, userAgent: string): Promise<string> {
  const response = await fetch(`${session.baseUrl}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", "user-agent": userAgent },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

async function open(path: string, heading: string | RegExp): Promise<Page> {
  const page = await session.context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${session.baseUrl}${path}`);
  await page.getByRole("heading", { name: heading, level: 1 }).waitFor();
  return page;
}

/** What the Access card says about one thing ("Multi-factor authentication", "Status"…). */
const fact = (page: Page, term: string) =>
  page.locator("dl.admin-facts dt", { hasText: term }).locator("xpath=following-sibling::dd[1]");

beforeAll(async () => {
  session = await signedInAdmin();
  adminId = (await api<{ id: string }>("GET", "/auth/me")).id;
  contoso = await api("POST", "/api/organizations", { name: "Contoso" });
  fabrikam = await api("POST", "/api/organizations", { name: "Fabrikam" });
  auditors = await api("POST", "/api/roles", { name: "Auditors" });
  reviewers = await api("POST", "/api/roles", { name: "Reviewers" });
  ada = await createUser("ada@contoso.example", "Ada", contoso.id);
  grace = await createUser("grace@contoso.example", "Grace", contoso.id);
  await api("POST", `/api/roles/${auditors.id}/users`, { userIds: [ada.id] });
  // Grace enrols an authenticator through the API, with real TOTP codes.
  const graceToken = await signIn(grace.email, "grace-cli/1.0");
  const { secret } = await api<{ secret: string }>("POST", "/auth/mfa/enrol", {}, graceToken);
  await api("POST", "/auth/mfa/enrol/verify", { code: await generate({ secret }) }, graceToken);
}, 60_000);
afterAll(async () => {
  await session?.close();
});

describe("the Users list", () => {
  it("shows each user's roles, links to their page, and offers no Deactivate on one's own row", async () => {
    const page = await open("/admin/users", "Users");
    const row = (email: string) => page.getByRole("row", { name: new RegExp(email) });
    await row("ada@contoso.example").getByRole("cell", { name: "Auditors", exact: true }).waitFor();
    await row("grace@contoso.example").getByRole("cell", { name: "—", exact: true }).waitFor();
    await row("ada@contoso.example")
      .getByRole("button", { name: "Deactivate ada@contoso.example" })
      .waitFor();
    await row("admin@example.com")
      .getByRole("button", { name: /Send reset link/ })
      .waitFor();
    expect(
      await row("admin@example.com")
        .getByRole("button", { name: /Deactivate/ })
        .count(),
    ).toBe(0);

    await page.getByRole("link", { name: "ada@contoso.example" }).click();
    await page.getByRole("heading", { name: "Ada", level: 1 }).waitFor();
    expect(page.url()).toBe(`${session.baseUrl}/admin/users/${ada.id}`);
    await page.close();
  }, 60_000);
});

describe("the user page", () => {
  it("renames, moves, and gives and takes roles", { timeout: 60_000 }, async () => {
    const page = await open(`/admin/users/${ada.id}`, "Ada");
    await page.getByText("ada@contoso.example", { exact: true }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.getByLabel("Name", { exact: true }).fill("Ada Lovelace");
    await page.getByRole("button", { name: "Save name" }).click();
    await page.getByRole("heading", { name: "Ada Lovelace", level: 1 }).waitFor();
    expect((await user(ada.id)).name).toBe("Ada Lovelace");

    await page.getByLabel("Organization", { exact: true }).selectOption({ label: "Fabrikam" });
    await page.getByRole("button", { name: "Move", exact: true }).click();
    await page.getByRole("status").getByText("ada@contoso.example moved to Fabrikam.").waitFor();
    expect((await user(ada.id)).organizationId).toBe(fabrikam.id);

    const roles = page.getByRole("group", { name: "Roles of Ada Lovelace" });
    expect(await roles.getByLabel("Auditors").isChecked()).toBe(true);
    await roles.getByLabel("Reviewers").check();
    await roles.getByLabel("Auditors").uncheck();
    await page.getByRole("button", { name: "Save roles" }).click();
    await page
      .getByRole("status")
      .getByText("ada@contoso.example: given Reviewers; no longer holds Auditors.")
      .waitFor();
    expect(await membersOf(reviewers.id)).toEqual(["ada@contoso.example"]);
    expect(await membersOf(auditors.id)).toEqual([]);
    await roles.getByLabel("Reviewers").uncheck();
    await page.getByRole("button", { name: "Save roles" }).click();
    await page.getByRole("status").getByText("ada@contoso.example: no longer holds Reviewers.").waitFor();
    expect(await membersOf(reviewers.id)).toEqual([]);
    await page.close();
  });

  it("lists the user's sessions and ends one of them", { timeout: 60_000 }, async () => {
    const ended = await signIn(ada.email, "bifrost-test-agent/1.0");
    const kept = await signIn(ada.email, "another-agent/2.0");
    const page = await open(`/admin/users/${ada.id}`, /^Ada/);
    const sessions = page.getByRole("table", { name: `Sessions of ${ada.email}` });
    await sessions.getByRole("row", { name: /another-agent\/2\.0/ }).waitFor();
    const row = sessions.getByRole("row", { name: /bifrost-test-agent\/1\.0/ });
    await row.getByRole("button", { name: /^End session on bifrost-test-agent\/1\.0/ }).click();
    await page.getByRole("status").getByText("The session on bifrost-test-agent/1.0 has ended.").waitFor();
    await row.waitFor({ state: "detached" });
    const left = (await api<{ items: Session[] }>("GET", `/api/users/${ada.id}/sessions`)).items;
    expect(left.map((s) => s.userAgent)).toEqual(["another-agent/2.0"]);
    // That login is over at once; the other goes on.
    expect(
      (await fetch(`${session.baseUrl}/auth/me`, { headers: { authorization: `Bearer ${ended}` } })).status,
    ).toBe(401);
    expect(
      (await fetch(`${session.baseUrl}/auth/me`, { headers: { authorization: `Bearer ${kept}` } })).status,
    ).toBe(200);
    await page.close();
  });

  it("shows whether MFA is enrolled, and resets it", { timeout: 60_000 }, async () => {
    const page = await open(`/admin/users/${grace.id}`, "Grace");
    await fact(page, "Multi-factor authentication").getByText("Enrolled", { exact: true }).waitFor();
    await page.getByRole("button", { name: "Reset MFA" }).click();
    await page.getByRole("status").getByText("MFA reset for grace@contoso.example.").waitFor();
    await fact(page, "Multi-factor authentication").getByText("Not enrolled").waitFor();
    expect((await user(grace.id)).mfaEnabled).toBe(false);
    await page.goto(`${session.baseUrl}/admin/users/${ada.id}`);
    await fact(page, "Multi-factor authentication").getByText("Not enrolled").waitFor();
    await page.close();
  });

  it(
    "deactivates and activates another user; never offers Deactivate on one's own page",
    { timeout: 60_000 },
    async () => {
      const page = await open(`/admin/users/${grace.id}`, "Grace");
      await page.getByRole("button", { name: "Deactivate", exact: true }).click();
      const dialog = page.getByRole("dialog", { name: "Deactivate grace@contoso.example?" });
      await dialog.getByText(/signed out at once/).waitFor();
      expect(await seriousA11yViolations(page)).toEqual([]);
      await dialog.getByRole("button", { name: "Deactivate" }).click();
      await page.getByRole("status").getByText("grace@contoso.example is deactivated.").waitFor();
      await fact(page, "Status")
        .getByText(/^Deactivated/)
        .waitFor();
      expect((await user(grace.id)).isActive).toBe(false);

      await page.getByRole("button", { name: "Activate", exact: true }).click();
      await page.getByRole("status").getByText("grace@contoso.example is active again.").waitFor();
      await fact(page, "Status").getByText("Active", { exact: true }).waitFor();
      expect((await user(grace.id)).isActive).toBe(true);

      await page.goto(`${session.baseUrl}/admin/users/${adminId}`);
      await page.getByRole("heading", { name: "Admin", level: 1 }).waitFor();
      await page.getByText("This is your own account").waitFor();
      expect(await page.getByRole("button", { name: /Deactivate/ }).count()).toBe(0);
      await page.close();
    },
  );

  it("is Not found for an unknown or malformed id", async () => {
    const page = await open("/admin/users/00000000-0000-4000-8000-000000000000", "Not found");
    await page.goto(`${session.baseUrl}/admin/users/not-a-user`);
    await page.getByRole("heading", { name: "Not found", level: 1 }).waitFor();
    await page.close();
  });

  it(
    "has no serious accessibility violation in the light and the dark theme",
    { timeout: 60_000 },
    async () => {
      for (const theme of ["light", "dark"] as const) {
        const page = await session.context.newPage();
        await page.addInitScript(`localStorage.setItem("bifrost.theme", "${theme}")`);
        await page.goto(`${session.baseUrl}/admin/users/${ada.id}`);
        await page.getByRole("heading", { name: /^Ada/, level: 1 }).waitFor();
        await page.getByRole("table", { name: `Sessions of ${ada.email}` }).waitFor();
        await page.getByRole("group", { name: /^Roles of/ }).waitFor();
        expect(await page.locator("html").getAttribute("data-theme")).toBe(theme);
        expect(await seriousA11yViolations(page), theme).toEqual([]);
        await page.close();
      }
    },
  );
});
