import type { Page } from "playwright-core";

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
