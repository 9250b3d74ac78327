import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousA11yViolations } from "../axe.js";
import { callApi, signedInAdmin, type SignedIn } from "./signed-in.js";

// Parameters declared out of alphabetical order, with a description, an enum with a default, a
// boolean default, an e-mail and a date-time.
const WORKFLOWS = `import { workflow, z } from "@bifrost/sdk";

export const provision = workflow({
  params: z.object({
    username: z.string().describe("The account's login name"),
    plan: z.enum(["basic", "pro", "team"]).default("pro"),
    seats: z.number().int(),
    notify: z.boolean().default(true),
    startsAt: z.iso.datetime().optional(),
    email: z.email().optional(),
  }),
  run: (params) => ({ provisioned: params.username, plan: params.plan, seats: params.seats, notify: params.notify }),
});

export const audit = workflow({
  params: z.object({ reason: z.string() }),
  run: ({ reason }) => ({ reason }),
});
`;

let session: SignedIn;
let baseUrl: string;

const api = <T>(method: string, route: string, body?: unknown): Promise<T> =>
  callApi<T>(session.baseUrl, session.token, method, route, body);

beforeAll(async () => {
  session = await signedInAdmin();
  baseUrl = session.baseUrl;
  await api("PUT", "/api/files/editor/content", { path: "provision.ts", content: WORKFLOWS });
});

afterAll(async () => {
  await session?.close();
});

/** What the builder shows for one field: name, type, required, default, help text, option values. */
async function fieldShown(group: Locator) {
  const options: string[] = [];
  const count = await group.getByLabel(/^Option \d+ value$/).count();
  for (let i = 1; i <= count; i++) options.push(await group.getByLabel(`Option ${i} value`).inputValue());
  const required = group.getByLabel("Required");
  return {
    name: await group.getByLabel("Name", { exact: true }).inputValue(),
    label: await group.getByLabel("Label", { exact: true }).inputValue(),
    type: await group.getByLabel("Type", { exact: true }).inputValue(),
    required: (await required.count()) > 0 && (await required.isChecked()),
    default: await group.getByLabel("Default", { exact: true }).inputValue(),
    help: await group.getByLabel("Help text", { exact: true }).inputValue(),
    options,
  };
}

async function fieldNames(page: Page): Promise<string[]> {
  const groups = page.getByRole("group", { name: /^Field \d+/ });
  const names: string[] = [];
  for (let i = 0; i < (await groups.count()); i++)
    names.push(await groups.nth(i).getByLabel("Name", { exact: true }).inputValue());
  return names;
}

describe("form builder from a workflow's parameters", () => {
  it("makes the fields from the chosen workflow's parameters, in declared order, and the form runs", async () => {
    const page = await session.context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${baseUrl}/forms/new`);
    await page.getByRole("heading", { name: "New form", level: 1 }).waitFor();
    await page.getByLabel("Form name").fill("Provision an account");
    await page.getByLabel("Access").selectOption({ label: "Every signed-in user" });

    // Saving without a workflow: words next to the workflow's input, not schema text.
    await page.getByRole("button", { name: "Save form" }).click();
    const workflow = page.getByLabel("Workflow (required)");
    const workflowBox = page.locator(".ui-field", { has: workflow });
    await workflowBox.getByText("Choose the workflow the form runs").waitFor();
    expect(await workflow.getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByText(/Invalid GUID|workflowId/).count()).toBe(0);
    expect(page.url()).toMatch(/\/forms\/new$/);

    // Choosing it clears the message and makes one field per parameter, no name typed.
    await workflow.locator("option", { hasText: "provision" }).waitFor({ state: "attached" });
    await workflow.selectOption({ label: "provision" });
    await workflowBox.getByText("Choose the workflow the form runs").waitFor({ state: "detached" });
    expect(await workflow.getAttribute("aria-invalid")).toBeNull();
    await page
      .getByRole("status")
      .filter({ hasText: "Made 6 fields from the parameters of provision." })
      .waitFor();
    expect(await fieldNames(page)).toEqual(["username", "plan", "seats", "notify", "startsAt", "email"]);
    const field = (n: number) => page.getByRole("group", { name: new RegExp(`^Field ${n}:`) });
    const base = { required: false, default: "", help: "", options: [] };
    expect(await fieldShown(field(1))).toEqual({
      ...base,
      name: "username",
      label: "Username",
      type: "text",
      required: true,
      help: "The account's login name",
    });
    expect(await fieldShown(field(2))).toEqual({
      ...base,
      name: "plan",
      label: "Plan",
      type: "select",
      default: "pro",
      options: ["basic", "pro", "team"],
    });
    expect(await fieldShown(field(3))).toEqual({
      ...base,
      name: "seats",
      label: "Seats",
      type: "number",
      required: true,
    });
    expect(await fieldShown(field(4))).toEqual({
      ...base,
      name: "notify",
      label: "Notify",
      type: "checkbox",
      default: "true",
    });
    expect(await fieldShown(field(5))).toEqual({
      ...base,
      name: "startsAt",
      label: "Starts at",
      type: "datetime",
    });
    expect(await fieldShown(field(6))).toEqual({ ...base, name: "email", label: "Email", type: "email" });

    // The fields stay editable.
    await field(3).getByLabel("Label", { exact: true }).fill("Seats to buy");
    await page.getByRole("button", { name: "Remove: Email" }).click();

    // Another workflow on a form with fields asks first; keeping them changes nothing.
    await workflow.selectOption({ label: "audit" });
    await page.getByRole("button", { name: "Keep the fields as they are" }).click();
    expect(await fieldNames(page)).toEqual(["username", "plan", "seats", "notify", "startsAt"]);
    // Back to provision: only the missing parameter is added, the edit is kept.
    await workflow.selectOption({ label: "provision" });
    await page.getByRole("button", { name: "Add the missing ones (1)" }).click();
    expect(await fieldNames(page)).toEqual(["username", "plan", "seats", "notify", "startsAt", "email"]);
    expect(await field(3).getByLabel("Label", { exact: true }).inputValue()).toBe("Seats to buy");
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.getByRole("button", { name: "Save form" }).click();
    await page.getByRole("heading", { name: "Forms", level: 1 }).waitFor();
    const forms = await api<{ items: { id: string; name: string; fields: Record<string, unknown>[] }[] }>(
      "GET",
      "/api/forms",
    );
    const saved = forms.items.find((f) => f.name === "Provision an account");
    expect(saved?.fields[1]).toMatchObject({
      name: "plan",
      type: "select",
      required: false,
      default: "pro",
      options: [
        { label: "basic", value: "basic" },
        { label: "pro", value: "pro" },
        { label: "team", value: "team" },
      ],
    });
    expect(saved?.fields[3]).toMatchObject({ name: "notify", type: "checkbox", default: true });

    // Its runner: the defaults are there, the required fields filled, the run succeeds.
    await page.goto(`${baseUrl}/forms/${saved?.id}`);
    await page.getByRole("heading", { name: "Provision an account", level: 1 }).waitFor();
    expect(await page.getByLabel("Plan", { exact: true }).locator("option:checked").textContent()).toBe(
      "pro",
    );
    expect(await page.getByLabel("Notify").isChecked()).toBe(true);
    await page.getByLabel("Username (required)").fill("ada");
    await page.getByLabel("Seats to buy (required)").fill("3");
    await page.getByRole("button", { name: "Submit" }).click();
    await page.waitForURL(/\/executions\/[0-9a-f-]{36}$/);
    await page.locator('.ex-title [data-status="Success"]').waitFor({ timeout: 20_000 });
    const result = page.getByRole("tree", { name: "Result" });
    await result.getByText('"ada"').waitFor();
    await result.getByText('"pro"').waitFor();
    await page.close();
  });

  it("shows the API's refusal in words next to the field it is about, gone once the field changes", async () => {
    const page = await session.context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${baseUrl}/forms/new`);
    await page.getByRole("heading", { name: "New form", level: 1 }).waitFor();
    await page.getByLabel("Form name").fill("Audit");
    const workflow = page.getByLabel("Workflow (required)");
    await workflow.locator("option", { hasText: "audit" }).waitFor({ state: "attached" });
    await workflow.selectOption({ label: "audit" });
    // A label longer than the API takes is only caught by the API: its 422 lands on the label.
    const field = page.getByRole("group", { name: /^Field 1:/ });
    const label = field.getByLabel("Label", { exact: true });
    await label.fill("x".repeat(501));
    await page.getByRole("button", { name: "Save form" }).click();
    const labelBox = field.locator(".ui-field", { has: page.getByLabel("Label", { exact: true }) });
    await labelBox.getByText("Give the field a label of up to 500 characters").waitFor();
    await page.getByRole("alert").filter({ hasText: "The form was not saved" }).waitFor();
    expect(await page.getByText(/Too big|fields\.0/).count()).toBe(0);
    await label.fill("Reason");
    await labelBox.getByText("Give the field a label of up to 500 characters").waitFor({ state: "detached" });
    await page.getByRole("alert").waitFor({ state: "detached" });
    await page.getByRole("button", { name: "Save form" }).click();
    await page.getByRole("heading", { name: "Forms", level: 1 }).waitFor();
    await page.close();
  });
});
