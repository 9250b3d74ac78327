import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./browser.js";
import { enrolMfa, inPage, submitFirstRunSetup } from "./first-run.js";
import { startServer, type TestServer } from "./server.js";

/**
 * Issue 26's newcomer walk, as someone who has not read the README would go, on a server with its
 * secure defaults (MFA required): setup → MFA → "New workflow" from a template → run it → a bug
 * shows a source-mapped error whose line matches the editor's and moves the cursor there → fixed →
 * a form built from the workflow's parameters without typing a field name → a customer's user runs
 * the form.
 */
const CUSTOMER = {
  name: "Carl Customer",
  email: "carl@acme.example",
  password: "a customer's long passphrase",
};
const BUG = "    const ticket: { id?: string } = {};\n    ctx.log.info(ticket.id!.toUpperCase());\n";

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const url = (path: string) => `${server.baseUrl}${path}`;

async function runFromEditor(page: Page, name: string): Promise<void> {
  await page.getByRole("button", { name: /^Run/ }).click();
  const dialog = page.getByRole("dialog", { name: `Run ${name}` });
  await dialog.getByLabel(/^name/i).fill(name === "greetCustomer" ? "Ada" : name);
  await dialog.getByRole("button", { name: "Run", exact: true }).click();
  await dialog.waitFor({ state: "detached" });
}

describe("the first hour, without the README", () => {
  it("from a blank platform to a customer's user running a form built from a template workflow", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);

    await page.goto(url("/"));
    await page.waitForURL((u) => u.pathname === "/setup");
    await submitFirstRunSetup(page);
    await enrolMfa(page);
    await page.waitForURL((u) => u.pathname === "/workflows");

    // No workflow yet: the empty state leads to the editor's New workflow dialog.
    await page.getByRole("link", { name: "Create your first workflow" }).click();
    const create = page.getByRole("dialog", { name: "New workflow" });
    await create.getByRole("textbox", { name: "Name" }).fill("greetCustomer");
    await create.getByRole("radio", { name: /Hello world with parameters/ }).check();
    await create.getByRole("button", { name: "Create" }).click();
    await page.locator(".ed-path").filter({ hasText: "greetCustomer.ts" }).waitFor();

    // Run it: its parameters are asked, its log shows live, it succeeds.
    await runFromEditor(page, "greetCustomer");
    const panel = page.getByTestId("run-panel");
    await panel.locator('[data-status="Success"]').waitFor();
    await panel.getByRole("log", { name: "Run log" }).getByText("Hello, Ada!").waitFor();

    // A bug on line 11: the error names greetCustomer.ts:11 — the editor's line — and clicking the
    // place puts the cursor on it.
    await page.locator(".cm-line", { hasText: "async run({ name, times }, ctx) {" }).click();
    await page.keyboard.press("End");
    await page.keyboard.press("Enter");
    await page.keyboard.insertText(BUG.trimEnd().replace(/^ {4}/, ""));
    await page.keyboard.press("Control+s");
    await page.getByText("Saved.", { exact: true }).waitFor();
    const lines = await page.locator(".cm-line").allTextContents();
    const bugLine = lines.findIndex((line) => line.includes("ticket.id!.toUpperCase()")) + 1;
    expect(bugLine).toBe(11);
    await runFromEditor(page, "greetCustomer");
    await panel.locator('[data-status="Failed"]').waitFor();
    const place = panel.getByRole("alert").getByRole("button", { name: /^greetCustomer\.ts:11:\d+$/ });
    await place.waitFor();
    await page.locator(".cm-line", { hasText: "import { workflow, z }" }).click();
    await place.click();
    await page.locator(".cm-activeLine").filter({ hasText: "ticket.id!.toUpperCase()" }).waitFor();

    // Fixed (the two lines removed), saved, run again: Success.
    for (const text of ["ticket.id!.toUpperCase()", "const ticket: { id?: string } = {};"]) {
      await page.locator(".cm-line", { hasText: text }).click();
      // CodeMirror's "delete line".
      await page.keyboard.press("Control+Shift+k");
    }
    expect(await page.locator(".cm-line", { hasText: "ticket" }).count()).toBe(0);
    await page.keyboard.press("Control+s");
    await page.locator(".ed-path", { hasText: "(unsaved)" }).waitFor({ state: "detached" });
    await runFromEditor(page, "greetCustomer");
    await panel.locator('[data-status="Success"]').waitFor();

    // A form from the workflow's parameters: choosing the workflow makes the fields.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Forms" }).click();
    await page.getByRole("link", { name: "New form" }).click();
    await page.getByLabel("Form name").fill("Greet a customer");
    await page.getByLabel("Workflow (required)").selectOption({ label: "greetCustomer" });
    await page.getByRole("group", { name: /^Field 1/ }).waitFor();
    await page.getByLabel("Access").selectOption({ label: "Every signed-in user" });
    await page.getByRole("button", { name: "Save form" }).click();
    await page.getByRole("heading", { name: "Forms", level: 1 }).waitFor();
    const forms = await inPage<{ items: Array<{ name: string; fields: Array<{ name: string }> }> }>(
      page,
      "GET",
      "/api/forms",
    );
    expect(forms.items.find((f) => f.name === "Greet a customer")?.fields.map((f) => f.name)).toEqual([
      "name",
      "times",
    ]);

    // A customer's user (organization Acme) signs in and runs the form.
    const acme = await inPage<{ id: string }>(page, "POST", "/api/organizations", {
      name: "Acme",
      domain: null,
    });
    await inPage(page, "POST", "/api/users", { ...CUSTOMER, organizationId: acme.id });
    const customer = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    customer.setDefaultTimeout(20_000);
    await customer.goto(url("/forms"));
    await customer.waitForURL((u) => u.pathname === "/login");
    await customer.getByLabel("E-mail").fill(CUSTOMER.email);
    await customer.getByLabel("Password").fill(CUSTOMER.password);
    await customer.getByRole("button", { name: "Sign in" }).click();
    await enrolMfa(customer);
    await customer.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Forms" }).click();
    await customer.getByText("Greet a customer").waitFor();
    await customer.getByRole("link", { name: /Run/ }).first().click();
    await customer.getByLabel(/Who to greet|^name/i).fill("Carla");
    await customer.getByRole("button", { name: /Run|Submit/ }).click();
    await customer.waitForURL(/\/executions\/[0-9a-f-]{36}$/);
    await customer.locator('.ex-title [data-status="Success"]').waitFor();
    await customer.getByRole("log", { name: "Execution logs" }).getByText("Hello, Carla!").waitFor();
    await context.close();
  });
});
