import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SmtpSink, tokenIn } from "../../../server/test/support/smtp-sink.js";
import { seriousA11yViolations } from "../axe.js";
import { signedInAdmin, type SignedIn } from "./signed-in.js";

// Invitations and password resets in Chromium (issue 21): the admin invites from the Users page, the
// mail arrives at a real SMTP server of the test's own, the invited person sets a password on the
// landing page and is signed in; the forgotten-password and reset pages; the mail log.

const NEW_PASSWORD = "an invited person's passphrase";
const RESET_PASSWORD = "a freshly reset passphrase";

let session: SignedIn;
const smtp = new SmtpSink();

beforeAll(async () => {
  await smtp.start();
  session = await signedInAdmin({ BIFROST_SMTP_URL: smtp.url }, { publicUrlIsSelf: true });
});
afterAll(async () => {
  await session?.close();
  await smtp.stop();
});

async function open(path: string, heading: string): Promise<Page> {
  const page = await session.context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(`${session.baseUrl}${path}`);
  await page.getByRole("heading", { name: heading, level: 1 }).waitFor();
  return page;
}

describe("invitations and password resets in the web client", () => {
  it(
    "an admin invites a new user; the mailed link sets a password and signs them in; a reset link changes it",
    { timeout: 90_000 },
    async () => {
      const email = "grace@invited.example";
      const role = await fetch(`${session.baseUrl}/api/roles`, {
        method: "POST",
        headers: { authorization: `Bearer ${session.token}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "Field technicians" }),
      });
      expect(role.status).toBe(201);
      const page = await open("/admin/users", "Users");
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Name").fill("Grace");
      await page.getByLabel("Organization", { exact: true }).selectOption({ label: "Provider" });
      await page.getByRole("group", { name: "Roles" }).getByLabel("Field technicians").check();
      await page.getByRole("button", { name: "Create user" }).click();
      await page.getByRole("status").getByText(`An invitation sent to ${email}.`).waitFor();
      const row = page.getByRole("row", { name: new RegExp(email) });
      await row.getByText(/invited until/).waitFor();
      await row.getByRole("button", { name: `Resend invitation to ${email}` }).waitFor();
      expect(await seriousA11yViolations(page)).toEqual([]);

      // The invited person, in a browser of their own.
      const mail = await smtp.next(email, /invited you/);
      const { link } = tokenIn(mail);
      const visitor = await session.browser.newContext();
      const landing = await visitor.newPage();
      landing.setDefaultTimeout(20_000);
      const requests: string[] = [];
      landing.on("request", (request) => requests.push(request.url()));
      await landing.goto(link);
      await landing.getByRole("heading", { name: "Accept your invitation", level: 1 }).waitFor();
      expect(await seriousA11yViolations(landing)).toEqual([]);
      await landing.getByLabel("New password").fill(NEW_PASSWORD);
      await landing.getByLabel("Repeat the password").fill(NEW_PASSWORD);
      await landing.getByRole("button", { name: "Set password and sign in" }).click();
      await landing.waitForURL(`${session.baseUrl}/`);
      // The token travelled in the fragment and the request body only: no URL the server saw holds it.
      const token = link.split("#token=")[1] ?? "";
      expect(requests.filter((url) => url.includes(token))).toEqual([]);

      // Invited into the organization with the role chosen.
      const signIn = await fetch(`${session.baseUrl}/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password: NEW_PASSWORD }),
      });
      const { accessToken } = (await signIn.json()) as { accessToken: string };
      const me = (await (
        await fetch(`${session.baseUrl}/auth/me`, { headers: { authorization: `Bearer ${accessToken}` } })
      ).json()) as { roles: string[] };
      expect(me.roles).toEqual(["Field technicians"]);

      // The same link again: refused with a clear message.
      const again = await visitor.newPage();
      await again.goto(link);
      await again.getByLabel("New password").fill(NEW_PASSWORD);
      await again.getByLabel("Repeat the password").fill(NEW_PASSWORD);
      await again.getByRole("button", { name: "Set password and sign in" }).click();
      await again
        .getByRole("alert")
        .getByText(/not valid/)
        .waitFor();

      // Forgot the password: the page asks for the address, the mail's link resets it.
      // (In a browser not signed in: the sign-in page sends a signed-in one home.)
      const signedOut = await session.browser.newContext();
      const forgot = await signedOut.newPage();
      forgot.setDefaultTimeout(20_000);
      await forgot.goto(`${session.baseUrl}/login`);
      await forgot.getByRole("link", { name: "Forgot your password?" }).click();
      await forgot.getByRole("heading", { name: "Forgot your password?" }).waitFor();
      await forgot.getByLabel("E-mail").fill(email);
      await forgot.getByRole("button", { name: "Send me a link" }).click();
      await forgot
        .getByRole("status")
        .getByText(/a link to choose a new password is on its way/)
        .waitFor();
      const resetMail = await smtp.next(email, /Reset your/);
      await forgot.goto(tokenIn(resetMail).link);
      await forgot.getByRole("heading", { name: "Choose a new password" }).waitFor();
      await forgot.getByLabel("New password").fill(RESET_PASSWORD);
      await forgot.getByLabel("Repeat the password").fill(RESET_PASSWORD);
      await forgot.getByRole("button", { name: "Change password" }).click();
      await forgot
        .getByRole("status")
        .getByText(/signed out everywhere/)
        .waitFor();
      // The login the invitation opened has ended.
      await landing.reload();
      await landing.waitForURL(/\/login/);
      await visitor.close();
      await signedOut.close();

      // The mail log lists both messages, sent.
      const log = await open("/admin/mail", "Mail");
      const rows = log.getByRole("row", { name: new RegExp(email) });
      await rows.first().waitFor();
      expect(await rows.count()).toBe(2);
      expect(await log.locator('[data-status="sent"]').count()).toBeGreaterThanOrEqual(2);
      expect(await log.content()).not.toContain("#token=");
      await log.close();
      await page.close();
    },
  );

  it("an admin sends an existing user a reset link from the Users page", async () => {
    const created = await fetch(`${session.baseUrl}/api/users`, {
      method: "POST",
      headers: { authorization: `Bearer ${session.token}`, "content-type": "application/json" },
      body: JSON.stringify({
        email: "henry@reset.example",
        name: "Henry",
        password: "henry's first passphrase",
        organizationId: "00000000-0000-0000-0000-000000000002",
      }),
    });
    expect(created.status).toBe(201);
    const page = await open("/admin/users", "Users");
    await page.getByRole("button", { name: "Send reset link to henry@reset.example" }).click();
    await page.getByRole("status").getByText("A password reset link sent to henry@reset.example.").waitFor();
    expect(tokenIn(await smtp.next("henry@reset.example", /Reset your/)).link).toContain(
      "/reset-password#token=",
    );
    await page.close();
  });
});
