import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousA11yViolations } from "./axe.js";
import { launchChromium } from "./browser.js";
import { startServer, type TestServer } from "./server.js";
import { enrolMfa, inPage } from "./first-run.js";

/**
 * The acceptance journey, on a server with its secure defaults (MFA required): one admin
 * from first-run setup to a workflow written in the editor, run from its generated form and found
 * in history; then an organization user who runs an assigned form and reaches nothing else.
 */
const PASSWORD = "correct horse battery staple";
const ADMIN = { name: "Ada Admin", email: "ada@example.com" };
const USER = { name: "Tess Tech", email: "tess@acme.example" };

const WORKFLOW = `import { workflow, z } from "@bifrost/sdk";

export const onboard = workflow({
  description: "Onboards a new employee",
  params: z.object({
    employee: z.string().min(1),
    seats: z.number().int().min(1).default(1),
  }),
  async run(params, ctx) {
    for (let i = 1; i <= 4; i++) {
      ctx.log.info("provisioning step " + i + " for " + params.employee);
      await new Promise((r) => setTimeout(r, 400));
    }
    return { onboarded: params.employee, seats: params.seats };
  },
});
`;

const SLEEPER = `import { workflow } from "@bifrost/sdk";

export const sleeper = workflow({
  async run(_params, ctx) {
    ctx.log.info("going to sleep");
    await new Promise((r) => setTimeout(r, 60_000));
    return "woke up";
  },
});
`;

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const url = (p: string) => `${server.baseUrl}${p}`;

describe("the acceptance journey", () => {
  let admin: BrowserContext;
  let adminPage: Page;
  let otherOrgExecutionId = "";

  it("setup with MFA → a workflow written in the editor → run from its form → live logs and Success → history", async () => {
    admin = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await admin.newPage();
    adminPage = page;
    page.setDefaultTimeout(15_000);

    await page.goto(url("/"));
    await page.waitForURL((u) => u.pathname === "/setup");
    await page.getByRole("button", { name: "Create administrator" }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByLabel("Name").fill(ADMIN.name);
    await page.getByLabel("E-mail").fill(ADMIN.email);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByLabel("Repeat the password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create administrator" }).click();
    await enrolMfa(page);
    await page.waitForURL((u) => u.pathname === "/workflows");

    // The workflow is written in the editor, not through the API.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Editor" }).click();
    await page.getByRole("heading", { name: "Editor", level: 1 }).waitFor();
    await page.getByRole("button", { name: "New file" }).click();
    const newFile = page.getByRole("dialog", { name: "New file" });
    await newFile.getByRole("textbox", { name: "Path" }).fill("onboarding.ts");
    await newFile.getByRole("button", { name: "Create" }).click();
    const editor = page.getByRole("textbox", { name: "File content" });
    await editor.waitFor();
    await editor.click();
    await page.keyboard.insertText(WORKFLOW);
    await page.keyboard.press("Control+s");
    await page.getByRole("link", { name: "onboard" }).waitFor();

    // Its generated form: defaults, validation, then the run.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Workflows" }).click();
    await page.getByRole("heading", { name: "Workflows", level: 1 }).waitFor();
    await page.getByRole("link", { name: "Run onboard" }).click();
    await page.getByRole("heading", { name: "Run onboard" }).waitFor();
    expect(await page.getByLabel(/^seats/).inputValue()).toBe("1");
    await page.getByRole("button", { name: "Run now" }).click();
    await page.getByText("Required").waitFor();
    await page.getByLabel(/^employee/).fill("Grace");
    await page.getByRole("button", { name: "Run now" }).click();

    // Logs stream and the status flips to Success on the same page, without a navigation.
    await page.waitForURL(/\/executions\/[0-9a-f-]{36}$/);
    const executionId = new URL(page.url()).pathname.split("/").pop() ?? "";
    const navigations: string[] = [];
    page.on("framenavigated", (frame) => {
      if (frame === page.mainFrame()) navigations.push(frame.url());
    });
    const logs = page.getByRole("log", { name: "Execution logs" });
    await logs.getByText("provisioning step 1 for Grace").waitFor();
    // The first line arrived while the run was still going: it was streamed, not loaded at the end.
    expect(await page.locator('.ex-title [data-status="Success"]').count()).toBe(0);
    await page.locator('.ex-title [data-status="Success"]').waitFor();
    await logs.getByText("provisioning step 4 for Grace").waitFor();
    await page.getByRole("tree", { name: "Result" }).getByText('"Grace"').waitFor();
    expect(navigations).toEqual([]);

    // History lists it; its row leads back to it.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Executions" }).click();
    await page.getByRole("heading", { name: "Executions", level: 1 }).waitFor();
    const row = page.locator("tbody tr", { hasText: "onboard" }).first();
    await row.locator('[data-status="Success"]').waitFor();
    await row.getByRole("link").first().click();
    await page.waitForURL((u) => u.pathname === `/executions/${executionId}`);
  });

  it("an organization user runs an assigned form, and reaches no admin page and no other organization's run", async () => {
    const page = adminPage;
    // Data the admin pages are tested for elsewhere: set up through the API, as the admin, in the page.
    const acme = await inPage<{ id: string }>(page, "POST", "/api/organizations", {
      name: "Acme",
      domain: null,
    });
    const globex = await inPage<{ id: string }>(page, "POST", "/api/organizations", {
      name: "Globex",
      domain: null,
    });
    const tess = await inPage<{ id: string }>(page, "POST", "/api/users", {
      ...USER,
      password: PASSWORD,
      organizationId: acme.id,
    });
    const technicians = await inPage<{ id: string }>(page, "POST", "/api/roles", { name: "Technicians" });
    await inPage(page, "POST", `/api/roles/${technicians.id}/users`, { userIds: [tess.id] });
    const workflows = await inPage<{ items: { id: string; name: string }[] }>(page, "GET", "/api/workflows");
    const onboard = workflows.items.find((w) => w.name === "onboard");
    if (!onboard) throw new Error("the onboard workflow is not listed");
    const fields = [
      { name: "employee", label: "Employee name", type: "text", required: true },
      { name: "seats", label: "Seats", type: "number", default: 2 },
    ];
    await inPage(page, "POST", "/api/forms", {
      name: "Onboard an employee",
      workflowId: onboard.id,
      organizationId: acme.id,
      accessLevel: "role_based",
      roleIds: [technicians.id],
      fields,
    });
    const hidden = await inPage<{ id: string }>(page, "POST", "/api/forms", {
      name: "Globex only",
      workflowId: onboard.id,
      organizationId: globex.id,
      accessLevel: "authenticated",
      fields,
    });
    const globexRun = await inPage<{ executionId: string }>(page, "POST", "/api/workflows/execute", {
      workflowId: onboard.id,
      inputData: { employee: "Hans" },
      organizationId: globex.id,
    });
    otherOrgExecutionId = globexRun.executionId;

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const user = await context.newPage();
    user.setDefaultTimeout(15_000);
    await user.goto(url("/forms"));
    await user.waitForURL((u) => u.pathname === "/login");
    await user.getByLabel("E-mail").fill(USER.email);
    await user.getByLabel("Password").fill(PASSWORD);
    await user.getByRole("button", { name: "Sign in" }).click();
    await enrolMfa(user);
    await user.waitForURL((u) => u.pathname === "/forms");

    // No admin navigation; only the form assigned through the role.
    const nav = user.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Forms" }).waitFor();
    for (const name of ["Editor", "Organizations", "Users", "Config & secrets", "Workers"]) {
      expect(await nav.getByRole("link", { name }).count()).toBe(0);
    }
    await user.getByRole("heading", { name: "Forms", level: 1 }).waitFor();
    await user.getByText("Onboard an employee").waitFor();
    expect(await user.getByText("Globex only").count()).toBe(0);

    await user.getByRole("link", { name: /Run/ }).first().click();
    await user.getByLabel(/^Employee name/).fill("Linus");
    await user.getByRole("button", { name: /Run|Submit/ }).click();
    await user.waitForURL(/\/executions\/[0-9a-f-]{36}$/);
    await user.locator('.ex-title [data-status="Success"]').waitFor();
    await user
      .getByRole("log", { name: "Execution logs" })
      .getByText("provisioning step 4 for Linus")
      .waitFor();

    // Pages out of reach answer "Not found", as the API does.
    for (const path of [
      "/admin/users",
      "/editor",
      `/executions/${otherOrgExecutionId}`,
      `/forms/${hidden.id}`,
    ]) {
      await user.goto(url(path));
      await user.getByRole("heading", { name: /not found/i }).waitFor();
    }
    expect(await user.getByText("Hans").count()).toBe(0);
    await context.close();
  });

  it("cancels a running execution from its detail page", async () => {
    const page = adminPage;
    await inPage(page, "PUT", "/api/files/editor/content", { path: "sleeper.ts", content: SLEEPER });
    const run = await inPage<{ executionId: string }>(page, "POST", "/api/workflows/execute", {
      workflowName: "sleeper",
      inputData: {},
    });
    await page.goto(url(`/executions/${run.executionId}`));
    await page.getByRole("log", { name: "Execution logs" }).getByText("going to sleep").waitFor();
    await page.locator('.ex-title [data-status="Running"]').waitFor();
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.locator('.ex-title [data-status="Cancelled"]').waitFor();
    const detail = await inPage<{ status: string }>(page, "GET", `/api/executions/${run.executionId}`);
    expect(detail.status).toBe("Cancelled");
    await admin.close();
  });
});
