import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousA11yViolations } from "../axe.js";
import { cookiesOf, PASSWORD, callApi, signedInAdmin, type SignedIn } from "./signed-in.js";

// Declared in an order jsonb does not keep (it sorts keys by length): recipient, cc, subject.
const WORKFLOWS = `import { workflow, z } from "@bifrost/sdk";

export const sendMemo = workflow({
  description: "Sends a memo to a colleague",
  params: z.object({
    recipient: z.string().describe("Who receives the memo"),
    cc: z.array(z.string()).default([]),
    subject: z.enum(["hello", "reminder"]).optional(),
  }),
  run: (params) => "sent to " + params.recipient,
});
`;
const PATH = "memos.ts";

let session: SignedIn;
let browser: Browser;
let context: BrowserContext;
let baseUrl: string;
let workflowId: string;
let userToken: string;
let userCookies: ReturnType<typeof cookiesOf>;
let userRun: string;
let adminRun: string;
let formId: string;

const api = <T>(method: string, route: string, body?: unknown, token = session.token): Promise<T> =>
  callApi<T>(session.baseUrl, token, method, route, body);

const run = async (token: string, organizationId?: string) =>
  (
    await api<{ executionId: string; status: string }>(
      "POST",
      "/api/workflows/execute",
      {
        workflowId,
        inputData: { recipient: "Milton" },
        sync: true,
        ...(organizationId ? { organizationId } : {}),
      },
      token,
    )
  ).executionId;

beforeAll(async () => {
  session = await signedInAdmin();
  ({ browser, context, baseUrl } = session);
  const written = await api<{ workflows: { id: string; name: string }[] }>(
    "PUT",
    "/api/files/editor/content",
    {
      path: PATH,
      content: WORKFLOWS,
    },
  );
  workflowId = written.workflows.find((w) => w.name === "sendMemo")?.id ?? "";
  // An organization user whose role may run the workflow.
  const org = await api<{ id: string }>("POST", "/api/organizations", { name: "Initech" });
  const user = await api<{ id: string }>("POST", "/api/users", {
    email: "peter@initech.example",
    name: "Peter",
    password: PASSWORD,
    organizationId: org.id,
  });
  const role = await api<{ id: string }>("POST", "/api/roles", { name: "Memo writers" });
  await api("POST", `/api/roles/${role.id}/users`, { userIds: [user.id] });
  await api("PATCH", `/api/workflows/${workflowId}`, { accessLevel: "role_based", roleIds: [role.id] });
  const form = await api<{ id: string }>("POST", "/api/forms", {
    name: "Memo form",
    workflowId,
    accessLevel: "role_based",
    roleIds: [role.id],
    fields: [{ name: "recipient", label: "Recipient", type: "text", required: true }],
  });
  formId = form.id;
  const login = await fetch(`${baseUrl}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "peter@initech.example", password: PASSWORD }),
  });
  userCookies = cookiesOf(login, baseUrl);
  userToken = ((await login.json()) as { accessToken: string }).accessToken;
  userRun = await run(userToken);
  adminRun = await run(session.token, org.id);
}, 120_000);

afterAll(async () => {
  await session?.close();
});

/** One attribute of each element of `locator`, in order (the tests' TypeScript has no DOM types). */
const attributesOf = (locator: Locator, name: string) =>
  locator.evaluateAll(
    (elements: { getAttribute(name: string): string | null }[], attribute) =>
      elements.map((element) => element.getAttribute(attribute)),
    name,
  );

async function openWorkflow(ctx: BrowserContext): Promise<Page> {
  const page = await ctx.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(`${baseUrl}/workflows/${workflowId}`);
  await page.getByRole("heading", { name: "sendMemo", level: 1 }).waitFor();
  await page.locator("[data-execution-id]").first().waitFor();
  return page;
}

describe("a workflow's page", () => {
  it("shows an organization user what it does, the forms that run it and their own runs, nothing of its code", async () => {
    const userContext = await browser.newContext();
    await userContext.addCookies(userCookies);
    const page = await openWorkflow(userContext);
    await page.getByText("Sends a memo to a colleague").waitFor();
    expect(await page.getByRole("link", { name: "Run", exact: true }).getAttribute("href")).toBe(
      `/workflows/${workflowId}/run`,
    );
    expect(await page.getByRole("link", { name: "Memo form" }).getAttribute("href")).toBe(`/forms/${formId}`);
    const runs = page.getByRole("table", { name: "Your recent runs" }).locator("[data-execution-id]");
    expect(await attributesOf(runs, "data-execution-id")).toEqual([userRun]);
    await runs.locator('[data-status="Success"]').waitFor();

    const html = await page.content();
    const text = await page.locator("body").innerText();
    expect(html).not.toContain(PATH);
    expect(text).not.toContain(".ts");
    expect(html).not.toContain("properties");
    expect(html).not.toContain("$schema");
    expect(await page.getByRole("heading", { name: "Parameters" }).count()).toBe(0);
    expect(await page.getByRole("heading", { name: "Settings" }).count()).toBe(0);
    expect(await page.getByRole("link", { name: "Open in the editor" }).count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await userContext.close();
  });

  it("shows a platform admin its file, its parameters in declared order and every recent run", async () => {
    const page = await openWorkflow(context);
    await page.getByText(PATH, { exact: true }).waitFor();
    expect(await page.getByRole("link", { name: "Open in the editor" }).getAttribute("href")).toBe(
      `/editor?file=${PATH}`,
    );
    const parameters = page.getByRole("table", { name: "Parameters" });
    expect(await attributesOf(parameters.locator("[data-parameter]"), "data-parameter")).toEqual([
      "recipient",
      "cc",
      "subject",
    ]);
    const recipient = parameters.locator('[data-parameter="recipient"]');
    expect(await recipient.locator("td").allInnerTexts()).toEqual([
      "recipient",
      "string",
      "Yes",
      "—",
      "Who receives the memo",
    ]);
    const cc = parameters.locator('[data-parameter="cc"]');
    expect(await cc.locator("td").allInnerTexts()).toEqual(["cc", "list of string", "No", "[]", ""]);
    const subject = parameters.locator('[data-parameter="subject"]');
    expect(await subject.locator("td").nth(1).innerText()).toBe('one of "hello", "reminder"');

    const runs = page.getByRole("table", { name: "Recent runs" }).locator("[data-execution-id]");
    expect(new Set(await attributesOf(runs, "data-execution-id"))).toEqual(new Set([userRun, adminRun]));
    await page.getByRole("heading", { name: "Settings" }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);

    await runs.filter({ hasText: "Peter" }).getByRole("link").click();
    await page.waitForURL(`${baseUrl}/executions/${userRun}`);
    await page.close();
  });
});
