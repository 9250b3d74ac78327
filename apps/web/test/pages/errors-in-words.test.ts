import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer } from "../server.js";
import { PASSWORD, signedInAdmin, type SignedIn } from "./signed-in.js";

/**
 * Issue 26 item 5: a 422's `details.fields` reach the form in the server's own words, under the
 * field they name — never replaced by the API's summary ("The request is invalid", "The password
 * is not acceptable"). Each case first asks the API itself what it says, so nothing here guesses.
 */

const WAIT = 10_000;
/** In the server's list of common passwords, and long enough to pass the length rule. */
const COMMON_PASSWORD = "1qaz2wsx3edc";
const GENERIC = /The request is invalid|is not acceptable/;

let session: SignedIn;

beforeAll(async () => {
  session = await signedInAdmin();
});

afterAll(async () => {
  await session?.close();
});

/** A POST to this test's server as its admin, or to `baseUrl` signed out; the status and body. */
async function api(
  path: string,
  body: unknown,
  baseUrl?: string,
): Promise<{ status: number; body: unknown }> {
  const auth = baseUrl ? {} : { authorization: `Bearer ${session.token}` };
  const response = await fetch(`${baseUrl ?? session.baseUrl}${path}`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** What the API says about `path` when it refuses `body` at `route` (a 422 naming that field). */
async function refusal(route: string, body: unknown, path: string, baseUrl?: string): Promise<string> {
  const answer = await api(route, body, baseUrl);
  expect(answer.status).toBe(422);
  const fields = (answer.body as { details: { fields: { path: string; message: string }[] } }).details.fields;
  const message = fields.find((field) => field.path === path)?.message;
  expect(message, JSON.stringify(answer.body)).toBeTruthy();
  return message ?? "";
}

const field = (page: Page, label: string) =>
  page.locator(".ui-field", { has: page.getByLabel(label, { exact: true }) });

async function expectNoGenericText(page: Page) {
  expect(await page.getByText(GENERIC).count()).toBe(0);
}

/** A user of a new organization, and the token of the link `kind` gives them (answered: no mail). */
async function linkFor(kind: "invite" | "password-reset", email: string, organization: string) {
  const { id: organizationId } = (await api("/api/organizations", { name: organization })).body as {
    id: string;
  };
  const password = kind === "password-reset" ? { password: PASSWORD } : {};
  const user = (await api("/api/users", { email, name: "Grace", organizationId, ...password })).body as {
    id: string;
  };
  const { link } = (await api(`/api/users/${user.id}/${kind}`, {})).body as { link: string };
  return { link, token: new URLSearchParams(new URL(link).hash.slice(1)).get("token") };
}

/** Opens `url` in a browser context of its own (signed out), runs `steps`, closes it. */
async function signedOut(url: string, heading: string, steps: (page: Page) => Promise<void>) {
  const visitor = await session.browser.newContext();
  try {
    const page = await visitor.newPage();
    page.setDefaultTimeout(WAIT);
    await page.goto(url);
    await page.getByRole("heading", { name: heading, level: 1 }).waitFor();
    await steps(page);
  } finally {
    await visitor.close();
  }
}

/** Types the password twice, submits, and finds the server's words under `label`. */
async function refusedPassword(page: Page, label: string, repeat: string, submit: string, said: string) {
  await page.getByLabel(label, { exact: true }).fill(COMMON_PASSWORD);
  await page.getByLabel(repeat, { exact: true }).fill(COMMON_PASSWORD);
  await page.getByRole("button", { name: submit, exact: true }).click();
  await field(page, label).getByText(said, { exact: true }).waitFor();
  expect(await page.getByLabel(label, { exact: true }).getAttribute("aria-invalid")).toBe("true");
  await expectNoGenericText(page);
}

describe("the server's words reach the form", () => {
  it("an invitation with a too common password shows the server's reason under the password", async () => {
    const { link, token } = await linkFor("invite", "grace@contoso.example", "Contoso");
    // Refused before the single-use link is spent: the page below can still use it.
    const said = await refusal(
      "/auth/register-from-invite",
      { token, password: COMMON_PASSWORD },
      "body.password",
    );
    await signedOut(link, "Accept your invitation", (page) =>
      refusedPassword(page, "New password", "Repeat the password", "Set password and sign in", said),
    );
  });

  it("a password reset with a too common password shows the server's reason under the password", async () => {
    const { link, token } = await linkFor("password-reset", "hedy@fabrikam.example", "Fabrikam");
    const said = await refusal("/auth/password/reset", { token, password: COMMON_PASSWORD }, "body.password");
    await signedOut(link, "Choose a new password", (page) =>
      refusedPassword(page, "New password", "Repeat the password", "Change password", said),
    );
  });

  it("first-run setup with a too common password shows the server's reason under the password", async () => {
    const fresh = await startServer({ BIFROST_MFA_REQUIRED: "false" });
    try {
      const admin = { name: "Admin", email: "root@example.com", password: COMMON_PASSWORD };
      const said = await refusal("/auth/setup", admin, "body.password", fresh.baseUrl);
      await signedOut(`${fresh.baseUrl}/setup`, "Set up Bifrost", async (page) => {
        await page.getByLabel("Name", { exact: true }).fill(admin.name);
        await page.getByLabel("E-mail", { exact: true }).fill(admin.email);
        await refusedPassword(page, "Password", "Repeat the password", "Create administrator", said);
      });
    } finally {
      await fresh.stop();
    }
  });

  it("an organization with an invalid domain shows the server's rule under Domain", async () => {
    const said = await refusal("/api/organizations", { name: "Bad", domain: "not a domain" }, "body.domain");
    const page = await session.context.newPage();
    page.setDefaultTimeout(WAIT);
    await page.goto(`${session.baseUrl}/admin/organizations`);
    await page.getByRole("heading", { name: "Organizations", level: 1 }).waitFor();
    await page.getByLabel("Name", { exact: true }).fill("Bad");
    await page.getByLabel("Domain", { exact: true }).fill("not a domain");
    await page.getByRole("button", { name: "Create organization" }).click();
    await field(page, "Domain").getByText(said, { exact: true }).waitFor();
    expect(await page.getByLabel("Domain", { exact: true }).getAttribute("aria-invalid")).toBe("true");
    await expectNoGenericText(page);
    await page.close();
  });

  it("a config entry with an invalid key shows the server's rule under Key", async () => {
    const body = { key: "smtp host", type: "string", value: "mail.example" };
    const said = await refusal("/api/config", body, "body.key");
    const page = await session.context.newPage();
    page.setDefaultTimeout(WAIT);
    await page.goto(`${session.baseUrl}/admin/config`);
    await page.getByRole("heading", { name: "Config & secrets", level: 1 }).waitFor();
    await page.getByLabel("Key", { exact: true }).fill(body.key);
    await page.getByLabel("Value", { exact: true }).fill(body.value);
    await page.getByRole("button", { name: "Create entry" }).click();
    await field(page, "Key").getByText(said, { exact: true }).waitFor();
    expect(await page.getByLabel("Key", { exact: true }).getAttribute("aria-invalid")).toBe("true");
    await expectNoGenericText(page);
    await page.close();
  });
});
