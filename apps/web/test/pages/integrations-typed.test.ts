import { randomBytes } from "node:crypto";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousA11yViolations } from "../axe.js";
import { callApi, signedInAdmin, type SignedIn } from "./signed-in.js";

// The Integrations page without raw JSON (issue 26 item 8): config fields as rows, defaults and a
// mapping's config as one typed input per field, a secret kept as "[SECRET]" when left alone.

const WAIT = 20_000;
let session: SignedIn;
let initech: { id: string };

const api = <T>(method: string, route: string, body?: unknown): Promise<T> =>
  callApi<T>(session.baseUrl, session.token, method, route, body);

type Integration = { id: string; name: string; configSchema: unknown[]; defaults: Record<string, unknown> };
const erp = async () =>
  (await api<{ items: Integration[] }>("GET", "/api/integrations")).items.find((i) => i.name === "erp");

beforeAll(async () => {
  session = await signedInAdmin();
  initech = await api("POST", "/api/organizations", { name: "Initech" });
});

afterAll(async () => {
  await session?.close();
});

async function addField(page: Page, n: number, name: string, type: string, flags: string[] = []) {
  await page.getByRole("button", { name: "Add config field" }).click();
  await page.getByLabel(`Name of config field ${n}`).fill(name);
  await page.getByLabel(`Type of config field ${n}`).selectOption(type);
  for (const flag of flags) await page.getByLabel(`${flag} of config field ${n}`).check();
}

describe("integrations with typed config", () => {
  it("creates fields as rows, sets typed defaults with a secret kept as [SECRET], and a typed mapping", async () => {
    const page = await session.context.newPage();
    page.setDefaultTimeout(WAIT);
    await page.goto(`${session.baseUrl}/admin/integrations`);
    await page.getByRole("heading", { name: "Integrations", level: 1 }).waitFor();

    // Config fields through the rows editor: no JSON typed.
    await page.getByLabel("Integration name").fill("erp");
    await addField(page, 1, "retries", "int");
    await addField(page, 2, "tenant", "string", ["Required"]);
    await addField(page, 3, "apiKey", "string", ["Secret"]);
    // Moved up: the order of the rows is the order saved.
    await page.getByRole("button", { name: "Move config field 2 up" }).click();
    expect(await page.getByLabel("Name of config field 1").inputValue()).toBe("tenant");
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByRole("button", { name: "Create integration" }).click();
    const row = page.locator("tbody tr").filter({ has: page.getByRole("button", { name: "Test erp" }) });
    await row.waitFor();
    expect((await erp())?.configSchema).toEqual([
      { key: "tenant", type: "string", required: true, secret: false },
      { key: "retries", type: "int", required: false, secret: false },
      { key: "apiKey", type: "string", required: false, secret: true },
    ]);

    // Defaults through one typed input per field; the secret is typed in a password box.
    const secret = `k-${randomBytes(6).toString("hex")}`;
    await page.getByRole("button", { name: "Edit defaults of erp" }).click();
    const defaults = page.getByRole("dialog", { name: "Defaults of erp" });
    expect(await defaults.getByLabel(/JSON/).count()).toBe(0);
    await defaults.getByLabel("Default tenant (required)").fill("acme");
    await defaults.getByLabel("Default retries").fill("3");
    const apiKey = defaults.getByLabel("Default apiKey");
    await apiKey.fill(secret);
    expect(await apiKey.getAttribute("type")).toBe("password");
    expect(await seriousA11yViolations(page)).toEqual([]);
    await defaults.getByRole("button", { name: "Save defaults" }).click();
    await defaults.waitFor({ state: "detached" });
    expect((await erp())?.defaults).toEqual({ tenant: "acme", retries: 3, apiKey: "[SECRET]" });

    // Saved again with the secret untouched: shown as [SECRET], kept, never in the page.
    await page.getByRole("button", { name: "Edit defaults of erp" }).click();
    await expect.poll(() => defaults.getByLabel("Default apiKey").inputValue()).toBe("[SECRET]");
    await defaults.getByLabel("Default retries").fill("4");
    await defaults.getByRole("button", { name: "Save defaults" }).click();
    await defaults.waitFor({ state: "detached" });
    expect((await erp())?.defaults).toEqual({ tenant: "acme", retries: 4, apiKey: "[SECRET]" });
    expect(await page.content()).not.toContain(secret);
    await row.getByRole("button", { name: "Test erp" }).click();
    await row.getByRole("status").getByText("ready", { exact: true }).waitFor();

    // A mapping for an organization with a typed value over the defaults.
    await page.getByRole("button", { name: "Mappings of erp" }).click();
    const mappings = page.getByRole("dialog", { name: "Mappings of erp" });
    await mappings.getByText("No mappings yet.").waitFor();
    await mappings.getByLabel("Mapping organization").selectOption({ label: "Initech" });
    await mappings.getByLabel("Mapping retries").fill("5");
    await mappings.getByLabel("Mapping apiKey").fill("initech-key");
    await mappings.getByRole("button", { name: "Add mapping" }).click();
    const table = mappings.getByRole("table", { name: "Mappings of erp" });
    await table.getByText('"retries":5').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    const id = (await erp())?.id ?? "";
    type Mapping = { organizationId: string | null; config: Record<string, unknown> };
    const mappingsNow = () => api<{ items: Mapping[] }>("GET", `/api/integrations/${id}/mappings`);
    expect((await mappingsNow()).items).toEqual([
      expect.objectContaining({ organizationId: initech.id, config: { retries: 5, apiKey: "[SECRET]" } }),
    ]);

    // Edited and saved without touching the secret: still there; an emptied value is removed.
    await mappings.getByRole("button", { name: "Edit the mapping of Initech" }).click();
    expect(await mappings.getByLabel("Mapping apiKey").inputValue()).toBe("[SECRET]");
    await mappings.getByLabel("Mapping retries").fill("");
    await mappings.getByLabel("Mapping tenant (required)").fill("initech");
    await mappings.getByRole("button", { name: "Save mapping" }).click();
    await table.getByText('"tenant":"initech"').waitFor();
    expect((await mappingsNow()).items).toEqual([
      expect.objectContaining({
        organizationId: initech.id,
        config: { tenant: "initech", apiKey: "[SECRET]" },
      }),
    ]);
    expect(await page.content()).not.toContain("initech-key");
    await page.close();
  });
});
