import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousA11yViolations } from "../axe.js";
import { cookiesOf, PASSWORD, callApi, signedInAdmin, type SignedIn } from "./signed-in.js";

const WORKFLOWS = `import { dataProvider, files, workflow, z } from "@bifrost/sdk";

export const onboard = workflow({
  params: z.object({
    email: z.string(),
    licence: z.string(),
    manager: z.string().optional(),
    contract: z.object({ path: z.string() }).optional(),
  }),
  async run(params) {
    const text = params.contract ? await files.read(params.contract.path, { location: "uploads" }) : null;
    return { email: params.email, licence: params.licence, manager: params.manager ?? null, text };
  },
});

export const licences = dataProvider({
  params: z.object({ tier: z.string().default("basic") }),
  run: ({ tier }) =>
    tier === "pro"
      ? [{ label: "E5", value: "E5" }, { label: "E3", value: "E3" }]
      : [{ label: "E3", value: "E3" }],
});

export const prefill = workflow({
  params: z.object({ customer: z.string().optional() }),
  run: ({ customer }) => ({ email: (customer ?? "nobody") + "@example.com", who: "ignored" }),
});

export const greetForm = workflow({
  params: z.object({ who: z.string(), tone: z.string().optional() }),
  run: ({ who, tone }) => ({ greeting: tone === "loud" ? "HI " + who.toUpperCase() : "hi " + who }),
});
`;

let session: SignedIn;
let browser: Browser;
let context: BrowserContext;
let baseUrl: string;
const ids: Record<string, string> = {};

const api = <T>(method: string, route: string, body?: unknown): Promise<T> =>
  callApi<T>(session.baseUrl, session.token, method, route, body);

beforeAll(async () => {
  session = await signedInAdmin();
  ({ browser, context, baseUrl } = session);
  const written = await api<{ workflows: { id: string; name: string }[] }>(
    "PUT",
    "/api/files/editor/content",
    {
      path: "forms.ts",
      content: WORKFLOWS,
    },
  );
  for (const w of written.workflows) ids[w.name] = w.id;
});

afterAll(async () => {
  await session?.close();
});

async function newPage(ctx: BrowserContext = context): Promise<Page> {
  const page = await ctx.newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

describe("forms pages", () => {
  it("lets an admin build a form with a select and a conditional field, preview it and save it", async () => {
    const page = await newPage();
    await page.goto(`${baseUrl}/forms`);
    await page.getByRole("heading", { name: "Forms", level: 1 }).waitFor();
    await page.getByRole("link", { name: "New form" }).click();
    await page.getByRole("heading", { name: "New form", level: 1 }).waitFor();

    await page.getByLabel("Form name").fill("Greeting form");
    await page.getByLabel("Form description").fill("Says hello");
    // Without a workflow the form is not saved: the page says so in words, the page stays.
    await page.getByRole("button", { name: "Save form" }).click();
    await page.getByText("Choose the workflow the form runs").waitFor();
    expect(page.url()).toMatch(/\/forms\/new$/);
    await page.getByLabel("Access").selectOption({ label: "Every signed-in user" });

    await page.getByRole("button", { name: "Add field" }).click();
    const first = page.getByRole("group", { name: /^Field 1/ });
    await first.getByLabel("Name", { exact: true }).fill("tone");
    await first.getByLabel("Label", { exact: true }).fill("Tone");
    await first.getByLabel("Type", { exact: true }).selectOption("select");
    await first.getByRole("button", { name: "Add option" }).click();
    await first.getByRole("button", { name: "Add option" }).click();
    await first.getByLabel("Option 1 label").fill("Calm");
    await first.getByLabel("Option 1 value").fill("calm");
    await first.getByLabel("Option 2 label").fill("Loud");
    await first.getByLabel("Option 2 value").fill("loud");

    await page.getByRole("button", { name: "Add field" }).click();
    const second = page.getByRole("group", { name: /^Field 2/ });
    await second.getByLabel("Name", { exact: true }).fill("who");
    await second.getByLabel("Label", { exact: true }).fill("Who");
    await second.getByLabel("Required").check();
    await second.getByLabel("Visible").selectOption("simple");
    await second.getByLabel("When field").selectOption({ label: "Tone" });
    await second.getByLabel("Equals").fill("loud");

    // Choosing the workflow now offers its parameters as fields; these are kept.
    const workflowSelect = page.getByLabel("Workflow (required)");
    await workflowSelect.locator("option", { hasText: "greetForm" }).waitFor({ state: "attached" });
    await workflowSelect.selectOption({ label: "greetForm" });
    await page.getByText("Choose the workflow the form runs").waitFor({ state: "detached" });
    await page.getByRole("button", { name: "Keep the fields as they are" }).click();

    // Reordering: move "Who" up, then back down.
    await page.getByRole("button", { name: "Move up: Who" }).click();
    await page.getByRole("group", { name: /^Field 1: Who/ }).waitFor();
    await page.getByRole("button", { name: "Move down: Who" }).click();
    await page.getByRole("group", { name: /^Field 2: Who/ }).waitFor();

    // The preview renders the runner's fields: "Who" shows only once Tone is Loud.
    const preview = page.getByRole("group", { name: "Preview of the form" });
    await preview.getByLabel("Tone").waitFor();
    expect(await preview.getByLabel("Who (required)").count()).toBe(0);
    await preview.getByLabel("Tone").selectOption({ label: "Loud" });
    await preview.getByLabel("Who (required)").waitFor();
    await preview.getByLabel("Tone").selectOption({ label: "Calm" });
    await preview.getByLabel("Who (required)").waitFor({ state: "detached" });

    expect(await seriousA11yViolations(page)).toEqual([]);
    // The dark theme keeps the contrast too.
    await page.evaluate(`document.documentElement.dataset.theme = "dark"`);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.evaluate(`delete document.documentElement.dataset.theme`);

    await page.getByRole("button", { name: "Save form" }).click();
    await page.getByRole("heading", { name: "Forms", level: 1 }).waitFor();
    await page.locator("tbody tr", { hasText: "Greeting form" }).getByText("Says hello").waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);

    const saved = await api<{ items: { name: string; fields: { name: string; visibleWhen: unknown }[] }[] }>(
      "GET",
      "/api/forms",
    );
    const form = saved.items.find((f) => f.name === "Greeting form");
    expect(form?.fields.map((f) => f.name)).toEqual(["tone", "who"]);
    expect(form?.fields[1]?.visibleWhen).toEqual({ field: "tone", equals: "loud" });
    await page.close();
  });

  it("runs a form: query prefill, visibleWhen, a data-provider select, a file upload, then the execution", async () => {
    const form = await api<{ id: string }>("POST", "/api/forms", {
      name: "Onboard",
      workflowId: ids.onboard,
      accessLevel: "authenticated",
      fields: [
        { name: "email", label: "E-mail", type: "email", required: true },
        {
          name: "tier",
          label: "Tier",
          type: "select",
          options: [
            { label: "Basic", value: "basic" },
            { label: "Pro", value: "pro" },
          ],
        },
        {
          name: "licence",
          label: "Licence",
          type: "select",
          required: true,
          dataProvider: { workflowId: ids.licences, inputs: { tier: "{{ tier }}" } },
        },
        { name: "hasManager", label: "Has a manager", type: "checkbox" },
        {
          name: "manager",
          label: "Manager",
          type: "text",
          required: true,
          visibleWhen: { field: "hasManager", equals: true },
        },
        { name: "contract", label: "Contract", type: "file", validation: { allowedTypes: ["text/*"] } },
      ],
    });
    const page = await newPage();
    await page.goto(`${baseUrl}/forms/${form.id}?email=ada%40example.com&tier=pro`);
    await page.getByRole("heading", { name: "Onboard", level: 1 }).waitFor();
    expect(await page.getByLabel("E-mail (required)").inputValue()).toBe("ada@example.com");
    const tier = page.getByLabel("Tier", { exact: true });
    expect(await tier.locator("option:checked").textContent()).toBe("Pro");

    // The provider is asked with tier=pro, so E5 is offered.
    const licence = page.getByLabel("Licence (required)");
    await licence.locator("option", { hasText: "E5" }).waitFor({ state: "attached" });
    await licence.selectOption({ label: "E5" });
    // Basic does not offer E5: once its options arrive, the stale choice is cleared, not submitted.
    await tier.selectOption({ label: "Basic" });
    await licence.locator("option", { hasText: "E5" }).waitFor({ state: "detached" });
    await expect.poll(() => licence.inputValue()).toBe("");
    await expect.poll(() => licence.isDisabled()).toBe(false);
    await tier.selectOption({ label: "Pro" });
    await licence.locator("option", { hasText: "E5" }).waitFor({ state: "attached" });
    await expect.poll(() => licence.isDisabled()).toBe(false);
    await licence.selectOption({ label: "E5" });

    expect(await page.getByLabel("Manager (required)").count()).toBe(0);
    await page.getByLabel("Has a manager").check();
    await page.getByLabel("Manager (required)").waitFor();
    await page.getByLabel("Has a manager").uncheck();
    await page.getByLabel("Manager (required)").waitFor({ state: "detached" });
    await page.getByLabel("Has a manager").check();
    await page.getByLabel("Manager (required)").fill("Grace");

    // The signed upload URL authorizes the PUT by itself: no CSRF header goes with the bytes.
    const upload = page.waitForRequest((request) => request.method() === "PUT");
    await page.getByLabel("Contract").setInputFiles({
      name: "contract.txt",
      mimeType: "text/plain",
      buffer: Buffer.from("signed by Ada"),
    });
    await page.getByRole("status").filter({ hasText: "Uploaded contract.txt." }).waitFor();
    expect((await upload).headers()["x-csrf-token"]).toBeUndefined();
    expect(await seriousA11yViolations(page)).toEqual([]);

    // The API's 422 lands next to the field it names.
    const email = page.getByLabel("E-mail (required)");
    await email.fill("not-an-address");
    await page.getByRole("button", { name: "Submit" }).click();
    await page.locator(".ui-field", { has: email }).getByText("must be an e-mail address").waitFor();
    expect(await email.getAttribute("aria-invalid")).toBe("true");
    await email.fill("ada@example.com");

    await page.getByRole("button", { name: "Submit" }).click();
    await page.waitForURL(/\/executions\/[0-9a-f-]{36}$/);
    await page.locator('.ex-title [data-status="Success"]').waitFor({ timeout: 20_000 });
    const result = page.getByRole("tree", { name: "Result" });
    await result.getByText('"E5"').waitFor();
    await result.getByText('"Grace"').waitFor();
    await result.getByText('"signed by Ada"').waitFor();
    await page.close();
  });

  it("prefills a form from its launch workflow, run with the allowed query parameters", async () => {
    const form = await api<{ id: string }>("POST", "/api/forms", {
      name: "Launched",
      workflowId: ids.greetForm,
      launchWorkflowId: ids.prefill,
      allowedQueryParams: ["customer"],
      accessLevel: "authenticated",
      fields: [
        { name: "email", label: "E-mail", type: "email" },
        { name: "who", label: "Who", type: "text" },
      ],
    });
    const page = await newPage();
    // A query parameter naming a field wins over the launch workflow's value.
    await page.goto(`${baseUrl}/forms/${form.id}?customer=acme&who=Ada`);
    await page.getByRole("heading", { name: "Launched", level: 1 }).waitFor();
    const email = page.getByLabel("E-mail");
    await expect.poll(() => email.inputValue(), { timeout: 15_000 }).toBe("acme@example.com");
    expect(await page.getByLabel("Who").inputValue()).toBe("Ada");
    await page.close();
  });

  it("edits a form (PUT) and deletes one after confirming", async () => {
    const page = await newPage();
    await page.goto(`${baseUrl}/forms`);
    await page.getByRole("link", { name: "Edit Greeting form" }).click();
    await page.getByRole("heading", { name: "Edit Greeting form", level: 1 }).waitFor();
    expect(
      await page
        .getByRole("group", { name: /^Field 2: Who/ })
        .getByLabel("Equals")
        .inputValue(),
    ).toBe("loud");
    await page.getByLabel("Form description").fill("Says hello, edited");
    await page.getByRole("button", { name: "Save form" }).click();
    await page.getByRole("heading", { name: "Forms", level: 1 }).waitFor();
    await page.locator("tbody tr", { hasText: "Greeting form" }).getByText("Says hello, edited").waitFor();

    await page.getByRole("button", { name: "Delete Greeting form" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete Greeting form?" });
    await dialog.getByRole("button", { name: "Keep it" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByRole("button", { name: "Delete Greeting form" }).click();
    await dialog.getByRole("button", { name: "Delete" }).click();
    await page.getByRole("status").filter({ hasText: "Deleted Greeting form." }).waitFor();
    await page.locator("tbody tr", { hasText: "Greeting form" }).waitFor({ state: "detached" });
    await page.close();
  });

  it("shows an organization user only the forms they may run, and runs an assigned one", async () => {
    const org = await api<{ id: string }>("POST", "/api/organizations", { name: "Initech" });
    const user = await api<{ id: string }>("POST", "/api/users", {
      email: "zed@initech.example",
      name: "Zed",
      password: PASSWORD,
      organizationId: org.id,
    });
    const granted = await api<{ id: string }>("POST", "/api/roles", { name: "Greeters" });
    const withheld = await api<{ id: string }>("POST", "/api/roles", { name: "Auditors" });
    await api("POST", `/api/roles/${granted.id}/users`, { userIds: [user.id] });
    const fields = [{ name: "who", label: "Who", type: "text", required: true }];
    await api("POST", "/api/forms", {
      name: "Greet someone",
      workflowId: ids.greetForm,
      accessLevel: "role_based",
      roleIds: [granted.id],
      fields,
    });
    const secret = await api<{ id: string }>("POST", "/api/forms", {
      name: "Audit secrets",
      workflowId: ids.greetForm,
      accessLevel: "role_based",
      roleIds: [withheld.id],
      fields,
    });

    const login = await fetch(`${baseUrl}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "zed@initech.example", password: PASSWORD }),
    });
    expect(login.ok).toBe(true);
    const userContext = await browser.newContext();
    await userContext.addCookies(cookiesOf(login, baseUrl));
    const page = await newPage(userContext);
    await page.goto(`${baseUrl}/forms`);
    await page.getByRole("heading", { name: "Forms", level: 1 }).waitFor();
    await page.locator("tbody tr", { hasText: "Greet someone" }).waitFor();
    expect(await page.locator("tbody tr", { hasText: "Audit secrets" }).count()).toBe(0);
    expect(await page.getByRole("link", { name: "New form" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: /^Delete/ }).count()).toBe(0);

    await page.goto(`${baseUrl}/forms/${secret.id}`);
    // Out of reach looks like absent: the shared "Not found" page.
    await page.getByRole("heading", { name: "Not found", level: 1 }).waitFor();

    await page.goto(`${baseUrl}/forms`);
    await page.getByRole("link", { name: "Run Greet someone" }).click();
    await page.getByRole("heading", { name: "Greet someone", level: 1 }).waitFor();
    // The required field is checked before the API is asked.
    await page.getByRole("button", { name: "Submit" }).click();
    await page.getByText("Who is required").waitFor();
    await page.getByLabel("Who (required)").fill("Zed");
    await page.getByRole("button", { name: "Submit" }).click();
    await page.waitForURL(/\/executions\/[0-9a-f-]{36}$/);
    await page.locator('.ex-title [data-status="Success"]').waitFor({ timeout: 20_000 });
    await page.getByRole("tree", { name: "Result" }).getByText('"hi Zed"').waitFor();
    await userContext.close();
  });
});
