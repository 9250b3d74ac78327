import type { BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousA11yViolations } from "../axe.js";
import { callApi, signedInAdmin, type SignedIn } from "./signed-in.js";

const WORKFLOWS = `import { workflow, z } from "@bifrost/sdk";

export const greet = workflow({
  description: "Greets someone, slowly",
  params: z.object({
    name: z.string().min(1).describe("Who to greet"),
    count: z.number().int().min(1).max(10).multipleOf(2).default(2),
    mood: z.enum(["happy", "grumpy"]).default("happy"),
    loud: z.boolean().default(false),
  }),
  async run(params, ctx) {
    for (let i = 0; i < 5; i++) {
      ctx.log.info("step " + i);
      await new Promise((r) => setTimeout(r, 300));
    }
    ctx.log.warn("almost done");
    return { greeting: "Hello " + params.name, count: params.count, mood: params.mood };
  },
});

// Declared in an order jsonb does not keep (it sorts keys by length): to, tags, address; zip, city, street.
export const postcard = workflow({
  description: "Sends a postcard",
  params: z.object({
    to: z.string(),
    address: z.object({ street: z.string(), city: z.string(), zip: z.string().optional() }),
    tags: z.array(z.string()).default([]),
  }),
  run: (params) => params,
});

export const flaky = workflow({
  description: "Fails on its first two attempts",
  async run(_params, ctx) {
    ctx.log.info("attempt " + ctx.attempt);
    if (ctx.attempt < 3) throw new Error("flaked on attempt " + ctx.attempt);
    return "third time lucky";
  },
});

export const sleeper = workflow({
  description: "Sleeps for a minute",
  async run(_params, ctx) {
    ctx.log.info("going to sleep");
    await new Promise((r) => setTimeout(r, 60_000));
    return "woke up";
  },
});
`;

let session: SignedIn;
let context: BrowserContext;
let baseUrl: string;

const api = <T>(method: string, route: string, body?: unknown): Promise<T> =>
  callApi<T>(session.baseUrl, session.token, method, route, body);

beforeAll(async () => {
  session = await signedInAdmin();
  ({ context, baseUrl } = session);
  await api("PUT", "/api/files/editor/content", { path: "greetings.ts", content: WORKFLOWS });
});

afterAll(async () => {
  await session?.close();
});

async function openRunPage(name: string, page?: Page): Promise<Page> {
  page ??= await context.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(`${baseUrl}/workflows`);
  await page.getByRole("heading", { name: "Workflows", level: 1 }).waitFor();
  await page.getByRole("searchbox").fill(name);
  await page.getByRole("link", { name: `Run ${name}` }).click();
  await page.getByRole("heading", { name: `Run ${name}` }).waitFor();
  return page;
}

/** The little of the DOM the style checks need (the tests' TypeScript has no DOM types). */
type Control = {
  type?: string;
  getAttribute(name: string): string | null;
  classList: { contains(name: string): boolean };
  getBoundingClientRect(): { width: number; height: number };
  ownerDocument: {
    defaultView: {
      getComputedStyle(element: unknown): {
        backgroundColor: string;
        borderTopColor: string;
        colorScheme: string;
      };
    } | null;
  };
};

/** The run form's fields (`data-field`: the dotted path), top to bottom. */
const fieldOrder = (page: Page) =>
  page
    .locator(".jsf [data-field]")
    .evaluateAll((fields: Control[]) => fields.map((f) => f.getAttribute("data-field")));

/** What a control looks like: the kit's class, its size, its colours, its native scheme. */
const lookOf = (control: Locator) =>
  control.evaluate((el: Control) => {
    const style = el.ownerDocument.defaultView?.getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return {
      kit: el.classList.contains("ui-input"),
      type: el.type,
      width: box.width,
      height: box.height,
      background: style?.backgroundColor,
      border: style?.borderTopColor,
      scheme: style?.colorScheme,
    };
  });

describe("workflow and execution pages", () => {
  it("runs a workflow from its generated form, streams its logs and flips to Success without reload", async () => {
    const page = await openRunPage("greet");
    // Defaults come from the schema; the required field is marked.
    expect(await page.getByLabel(/^count/).inputValue()).toBe("2");
    expect(await page.getByLabel(/^mood/).inputValue()).toBe("happy");
    // Client-side validation: the required name is missing.
    await page.getByRole("button", { name: "Run now" }).click();
    await page.getByText("Required").waitFor();
    await page.getByLabel(/^name/).fill("Ada");
    await page.getByLabel(/^mood/).selectOption("grumpy");
    await page.getByRole("button", { name: "Run now" }).click();

    await page.waitForURL(/\/executions\/[0-9a-f-]{36}$/);
    await page.getByRole("heading", { name: "greet" }).waitFor();
    const navigations: string[] = [];
    page.on("framenavigated", (frame) => {
      if (frame === page.mainFrame()) navigations.push(frame.url());
    });
    const logs = page.getByRole("log", { name: "Execution logs" });
    await page.locator('.ex-title [data-status="Success"]').waitFor({ timeout: 15_000 });
    // The status is a polite live region: its change is announced.
    await page.getByRole("status").filter({ hasText: "Status: Success" }).waitFor();
    await logs.getByText("step 0").waitFor({ timeout: 15_000 });
    await logs.getByText("almost done").waitFor();
    await page.getByRole("tree", { name: "Result" }).getByText('"Hello Ada"').waitFor();
    expect(navigations).toEqual([]);

    await page.getByRole("link", { name: "Executions" }).first().click();
    await page.getByRole("heading", { name: "Executions", level: 1 }).waitFor();
    const row = page.locator("tbody tr", { hasText: "greet" }).first();
    await row.locator('[data-status="Success"]').waitFor();
    await page.close();
  });

  for (const theme of ["light", "dark"] as const) {
    it(`lists the parameters in declared order, with help text and the kit's controls (${theme} theme)`, async () => {
      // The theme is kept in localStorage, shared by the context's pages.
      const themed = await context.newPage();
      await themed.goto(`${baseUrl}/workflows`);
      await themed.evaluate(`localStorage.setItem("bifrost.theme", "${theme}")`);
      const greet = await openRunPage("greet", themed);
      expect(await greet.evaluate<string>("document.documentElement.dataset.theme")).toBe(theme);
      // As declared, not jsonb's order (loud, mood, name, count).
      expect(await fieldOrder(greet)).toEqual(["name", "count", "mood", "loud"]);

      // `.describe()` is help text under the field, tied to its input.
      const name = greet.getByLabel(/^name/);
      const [helpId] = ((await name.getAttribute("aria-describedby")) ?? "").split(" ");
      const help = greet.locator(`[id="${helpId}"]`);
      expect(await help.textContent()).toBe("Who to greet");
      expect(await help.getAttribute("class")).toContain("ui-field__hint");

      // The kit's inputs (40 px, the theme's surface and border), not the 21 px native ones.
      const surface = theme === "light" ? "rgb(255, 255, 255)" : "rgb(24, 27, 34)";
      const border = theme === "light" ? "rgb(207, 212, 222)" : "rgb(58, 64, 80)";
      for (const control of [name, greet.getByLabel(/^count/), greet.getByLabel(/^mood/)]) {
        const look = await lookOf(control);
        expect(look).toMatchObject({ kit: true, background: surface, border });
        expect(look.height).toBeGreaterThanOrEqual(32);
      }
      const loud = await lookOf(greet.getByLabel(/^loud/));
      expect(loud).toMatchObject({ type: "checkbox", width: 18 });
      // A native box drawn for the page's theme (a light one on the dark surface is the bug).
      expect(loud.scheme === "dark").toBe(theme === "dark");
      expect(await seriousA11yViolations(greet)).toEqual([]);
      await greet.close();

      // A nested object keeps its order too; its inputs and the list's are the kit's.
      const postcard = await openRunPage("postcard");
      expect(await fieldOrder(postcard)).toEqual([
        "to",
        "address",
        "address.street",
        "address.city",
        "address.zip",
        "tags",
      ]);
      await postcard.getByRole("button", { name: "Add tags" }).click();
      for (const control of [
        postcard.getByLabel(/^street/),
        postcard.getByLabel("tags 1", { exact: true }),
      ]) {
        const look = await lookOf(control);
        expect(look).toMatchObject({ kit: true, background: surface });
        expect(look.height).toBeGreaterThanOrEqual(32);
      }
      expect(await postcard.evaluate<string>("document.documentElement.dataset.theme")).toBe(theme);
      expect(await seriousA11yViolations(postcard)).toEqual([]);
      await postcard.evaluate(`localStorage.removeItem("bifrost.theme")`);
      await postcard.close();
    });
  }

  it("shows the API's 422 on the field it names", async () => {
    const page = await openRunPage("greet");
    await page.getByLabel(/^name/).fill("Bob");
    // 3 is within the form's bounds, but not a multiple of 2: only the API says so.
    await page.getByLabel(/^count/).fill("3");
    await page.getByRole("button", { name: "Run now" }).click();
    const field = page.locator(".jsf-field", { has: page.getByLabel(/^count/) });
    await field
      .getByRole("alert")
      .filter({ hasText: /multiple of 2/ })
      .waitFor();
    expect(await page.getByLabel(/^count/).getAttribute("aria-invalid")).toBe("true");
    expect(page.url()).toMatch(/\/run$/);
    await page.close();
  });

  it("shows a platform admin only the runs of the organization picked in the header", async () => {
    const acme = await api<{ id: string }>("POST", "/api/organizations", { name: "Acme" });
    const globex = await api<{ id: string }>("POST", "/api/organizations", { name: "Globex" });
    const runIn = async (organizationId: string, name: string) =>
      (
        await api<{ executionId: string }>("POST", "/api/workflows/execute", {
          workflowName: "greet",
          inputData: { name },
          organizationId,
        })
      ).executionId;
    const acmeRun = await runIn(acme.id, "Ann");
    const globexRun = await runIn(globex.id, "Gus");

    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    // The header's organization picker keeps its choice here (shell/org-scope.tsx).
    await page.addInitScript(`sessionStorage.setItem("bifrost.orgScope", ${JSON.stringify(acme.id)})`);
    const listRequests: string[] = [];
    page.on("request", (request) => {
      if (request.url().includes("/api/executions?")) listRequests.push(request.url());
    });
    await page.goto(`${baseUrl}/executions`);
    await page.getByRole("heading", { name: "Executions", level: 1 }).waitFor();
    const row = (id: string) => page.locator(`[data-execution-id="${id}"]`);
    await row(acmeRun).waitFor();
    expect(await row(globexRun).count()).toBe(0);
    expect(listRequests.every((url) => new URL(url).searchParams.get("scope") === acme.id)).toBe(true);

    // Live: a new run of the picked organization appears; one of another organization does not.
    const laterGlobexRun = await runIn(globex.id, "Gina");
    const laterAcmeRun = await runIn(acme.id, "Abe");
    await row(laterAcmeRun).waitFor();
    await row(laterAcmeRun).locator('[data-status="Success"]').waitFor({ timeout: 20_000 });
    expect(await row(laterGlobexRun).count()).toBe(0);
    expect(await row(globexRun).count()).toBe(0);
    await page.close();
  });

  it("marks a local run (bifrost run --local) in the history and on its page", async () => {
    const local = await api<{ executionId: string }>("POST", "/api/local-runs", {
      workflowName: "greet",
      inputData: { name: "Lou" },
    });
    const lines = [{ level: "info", message: "from the author's machine", timestamp: Date.now() }];
    await api("POST", `/api/local-runs/${local.executionId}/logs`, { lines });
    await api("POST", `/api/local-runs/${local.executionId}/finish`, { status: "Success", durationMs: 12 });
    const remote = await api<{ executionId: string }>("POST", "/api/workflows/execute", {
      workflowName: "greet",
      inputData: { name: "Rita" },
    });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${baseUrl}/executions`);
    const row = (id: string) => page.locator(`[data-execution-id="${id}"]`);
    await row(local.executionId).getByText("(user, local run)").waitFor();
    await row(remote.executionId).waitFor();
    expect(await row(remote.executionId).getByText("local run").count()).toBe(0);
    await page.goto(`${baseUrl}/executions/${local.executionId}`);
    await page.getByText("(user, local run)").waitFor();
    await page.getByText("from the author's machine").waitFor();
    await page.close();
  });

  it("re-runs an ended execution from its detail page: a new one with the same input, linked back", async () => {
    const first = await api<{ executionId: string }>("POST", "/api/workflows/execute", {
      workflowName: "greet",
      inputData: { name: "Grace", count: 4 },
      sync: true,
    });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${baseUrl}/executions/${first.executionId}`);
    await page.locator('.ex-title [data-status="Success"]').waitFor();
    await page.getByRole("button", { name: "Re-run" }).click();
    await page.waitForURL(
      (url) => /\/executions\/[0-9a-f-]{36}$/.test(url.pathname) && !url.pathname.endsWith(first.executionId),
    );
    const rerunId = page.url().split("/").pop() ?? "";
    expect(rerunId).not.toBe(first.executionId);
    await page.locator('.ex-title [data-status="Success"]').waitFor({ timeout: 20_000 });
    await page.getByRole("tree", { name: "Result" }).getByText('"Hello Grace"').waitFor();
    // The fact links back to the run it repeats.
    await page.getByRole("link", { name: first.executionId }).click();
    await page.waitForURL(new RegExp(`/executions/${first.executionId}$`));
    const detail = await api<{ rerunOf: string | null; inputData: unknown }>(
      "GET",
      `/api/executions/${rerunId}`,
    );
    expect(detail).toMatchObject({ rerunOf: first.executionId, inputData: { name: "Grace", count: 4 } });
    await page.close();
  });

  it("cancels a running execution from its detail page", async () => {
    const page = await openRunPage("sleeper");
    await page.getByText("This workflow takes no parameters.").waitFor();
    await page.getByRole("button", { name: "Run now" }).click();
    await page.waitForURL(/\/executions\/[0-9a-f-]{36}$/);
    await page
      .getByRole("log", { name: "Execution logs" })
      .getByText("going to sleep")
      .waitFor({ timeout: 15_000 });
    await page.locator('.ex-title [data-status="Running"]').waitFor();
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.locator('.ex-title [data-status="Cancelled"]').waitFor({ timeout: 15_000 });
    expect(await page.getByRole("button", { name: "Cancel" }).count()).toBe(0);
    await page.close();
  });

  it("a retry policy set on the workflow page retries a failing run; its page lists each attempt with its own logs", async () => {
    const { items } = await api<{ items: Array<{ id: string; name: string }> }>(
      "GET",
      "/api/workflows?limit=1000",
    );
    const flaky = items.find((w) => w.name === "flaky");
    if (!flaky) throw new Error("no flaky workflow");
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${baseUrl}/workflows/${flaky.id}`);
    const settings = page.getByRole("form", { name: "Settings" });
    await settings.getByLabel("Retries (0 = none)").fill("2");
    await settings.getByLabel("First delay (seconds)").fill("0.5");
    await settings.getByLabel("Multiplier").fill("1");
    await settings.getByRole("button", { name: "Save settings" }).click();
    await settings.getByRole("status").getByText("Saved.").waitFor();
    expect(
      (await api<{ retryPolicy: unknown }>("GET", `/api/workflows/${flaky.id}`)).retryPolicy,
    ).toMatchObject({
      retries: 2,
      initialDelaySeconds: 0.5,
      backoffMultiplier: 1,
    });

    const run = await api<{ executionId: string }>("POST", "/api/workflows/execute", {
      workflowName: "flaky",
      inputData: {},
    });
    await page.goto(`${baseUrl}/executions/${run.executionId}`);
    await page.locator('.ex-title [data-status="Success"]').waitFor({ timeout: 20_000 });
    const attempts = page.getByRole("table", { name: "Attempts of this execution" });
    for (const n of [1, 2, 3]) await attempts.locator(`[data-attempt="${n}"]`).waitFor();
    expect(await attempts.locator('[data-attempt="1"] [data-status="Failed"]').count()).toBe(1);
    await attempts.locator('[data-attempt="1"]').getByText("flaked on attempt 1").waitFor();
    await attempts.locator('[data-attempt="2"]').getByText("Retry (retry policy)").waitFor();
    await attempts.locator('[data-attempt="2"]').getByRole("button", { name: "Show logs" }).click();
    const logs = page.getByRole("log", { name: "Logs of attempt 2" });
    await logs.getByText("attempt 2", { exact: true }).waitFor();
    expect(await logs.getByText("attempt 1", { exact: true }).count()).toBe(0);
    await page.close();
  });
});
