import { generate } from "otplib";
import type { Page } from "playwright-core";
import { expect } from "vitest";
import { seriousA11yViolations } from "./axe.js";

/** The platform admin the browser tests create on a fresh platform's first-run setup page. */
export const FIRST_ADMIN = {
  name: "Ada Admin",
  email: "ada@example.com",
  password: "correct horse battery staple",
};

/** On `/setup`: fills the first administrator's form and submits it. */
export async function submitFirstRunSetup(page: Page): Promise<void> {
  await page.getByLabel("Name").fill(FIRST_ADMIN.name);
  await page.getByLabel("E-mail").fill(FIRST_ADMIN.email);
  await page.getByLabel("Password", { exact: true }).fill(FIRST_ADMIN.password);
  await page.getByLabel("Repeat the password").fill(FIRST_ADMIN.password);
  await page.getByRole("button", { name: "Create administrator" }).click();
}

/** A call to the API from inside the page, with its session cookies and CSRF token (as the client does). */
export async function inPage<T>(page: Page, method: string, route: string, body?: unknown): Promise<T> {
  const answer = await page.evaluate(
    async ({ method, route, body }) => {
      const { cookie } = (globalThis as unknown as { document: { cookie: string } }).document;
      const csrf = /(?:^|; )csrf_token=([^;]*)/.exec(cookie)?.[1];
      const response = await fetch(route, {
        method,
        headers: {
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...(csrf ? { "x-csrf-token": decodeURIComponent(csrf) } : {}),
        },
        body: body === undefined ? null : JSON.stringify(body),
      });
      return { status: response.status, text: await response.text() };
    },
    { method, route, body },
  );
  if (answer.status >= 300) throw new Error(`${method} ${route} → ${answer.status} ${answer.text}`);
  return (answer.text ? JSON.parse(answer.text) : undefined) as T;
}

/** Enrols TOTP on the MFA setup page with a real code, and goes past the recovery codes. */
export async function enrolMfa(page: Page): Promise<string> {
  await page.waitForURL((u) => u.pathname === "/mfa-setup");
  await page.getByRole("img", { name: /QR code/ }).waitFor();
  expect(await seriousA11yViolations(page)).toEqual([]);
  const secret = (await page.getByTestId("mfa-secret").textContent()) ?? "";
  expect(secret).toMatch(/^[A-Z2-7]+=*$/);
  await page.getByLabel("Code from the app").fill(await generate({ secret }));
  await page.getByRole("button", { name: "Turn on two-factor authentication" }).click();
  await expect.poll(() => page.getByTestId("recovery-codes").locator("li").count()).toBe(10);
  await page.getByRole("button", { name: /continue/ }).click();
  return secret;
}
