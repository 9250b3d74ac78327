import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousA11yViolations } from "../axe.js";
import { callApi, signedInAdmin, type SignedIn } from "./signed-in.js";

const WORKFLOWS = `import { workflow, z } from "@bifrost/sdk";

export const nightly = workflow({
  description: "A report",
  async run() {
    return "done";
  },
});

export const napper = workflow({
  description: "Sleeps about 3 seconds",
  async run() {
    await new Promise((r) => setTimeout(r, 3000));
    return "rested";
  },
});

export const hookHandler = workflow({
  description: "Receives webhook events",
  params: z.object({ event: z.any().optional() }),
  async run(params) {
    return params;
  },
});
`;

let session: SignedIn;
let context: BrowserContext;
let baseUrl: string;

const api = <T>(method: string, route: string, body?: unknown): Promise<T> =>
  callApi<T>(session.baseUrl, session.token, method, route, body);

async function open(path: string, heading: string): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(`${baseUrl}${path}`);
  await page.getByRole("heading", { name: heading, level: 1 }).waitFor();
  return page;
}

/** The fire times the preview shows, as the ISO strings of its <time> elements. */
async function previewTimes(page: Page): Promise<string[]> {
  const list = page.getByRole("list", { name: "Next runs" });
  if ((await list.count()) === 0) return [];
  const times = await list.locator("time").all();
  return Promise.all(times.map(async (t) => (await t.getAttribute("datetime")) ?? ""));
}

beforeAll(async () => {
  // A short execution lease makes the worker's heartbeat (a third of it) about once a second.
  session = await signedInAdmin({ BIFROST_EXECUTION_LEASE_SECONDS: "4" });
  ({ context, baseUrl } = session);
  await api("PUT", "/api/files/editor/content", { path: "ops.ts", content: WORKFLOWS });
});

afterAll(async () => {
  await session?.close();
});

describe("platform admin operations pages", () => {
  it("previews cron fire times, shows the API's reason for a bad cron, and creates, disables and deletes a schedule", async () => {
    const page = await open("/admin/schedules", "Schedules");
    const form = page.getByRole("form", { name: "New schedule" });
    await form.getByLabel("Workflow").selectOption({ label: "nightly" });
    expect(await form.getByLabel("Timezone").inputValue()).toBe("UTC");

    // A preset fills the expression; the preview is every 5 minutes.
    await form.getByLabel("Preset").selectOption({ label: "Every 5 minutes" });
    expect(await form.getByLabel("Cron expression").inputValue()).toBe("*/5 * * * *");
    await expect
      .poll(
        async () => {
          const times = (await previewTimes(page)).map((t) => Date.parse(t));
          return (
            times.length === 5 &&
            times.every(
              (t, i) => new Date(t).getUTCMinutes() % 5 === 0 && (i === 0 || t - times[i - 1]! === 300_000),
            )
          );
        },
        { timeout: 15_000 },
      )
      .toBe(true);

    // Weekdays at 09:00 UTC: five weekday 09:00 times.
    await form.getByLabel("Cron expression").fill("0 9 * * 1-5");
    await expect
      .poll(
        async () => {
          const times = (await previewTimes(page)).map((t) => new Date(t));
          return (
            times.length === 5 &&
            times.every(
              (d) =>
                d.getUTCHours() === 9 && d.getUTCMinutes() === 0 && d.getUTCDay() >= 1 && d.getUTCDay() <= 5,
            )
          );
        },
        { timeout: 15_000 },
      )
      .toBe(true);

    // An invalid expression: the API's own message, inline under the field.
    const bad = await api<{ valid: boolean; error?: string }>("POST", "/api/schedules/validate", {
      cron: "61 * * * *",
      timezone: "UTC",
    });
    expect(bad.valid).toBe(false);
    expect(bad.error).toBeTruthy();
    await form.getByLabel("Cron expression").fill("61 * * * *");
    await form.getByText(bad.error!, { exact: true }).waitFor();
    expect(await form.getByLabel("Cron expression").getAttribute("aria-invalid")).toBe("true");

    await form.getByLabel("Cron expression").fill("0 9 * * 1-5");
    await page.getByRole("list", { name: "Next runs" }).waitFor();
    await form.getByLabel("Input data (JSON)").fill('{"report": "daily"}');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await form.getByRole("button", { name: "Create schedule" }).click();

    const row = page.locator("tbody tr", { hasText: "nightly" });
    await row.getByText("0 9 * * 1-5").waitFor();
    await row.getByText("enabled", { exact: true }).waitFor();
    const created = await api<{
      items: { id: string; enabled: boolean; inputData: unknown; cron: string }[];
    }>("GET", "/api/schedules");
    expect(created.items).toHaveLength(1);
    expect(created.items[0]).toMatchObject({
      cron: "0 9 * * 1-5",
      enabled: true,
      inputData: { report: "daily" },
    });

    await page.getByRole("button", { name: "Disable schedule nightly (0 9 * * 1-5)" }).click();
    await row.getByText("disabled", { exact: true }).waitFor();
    const disabled = await api<{ items: { enabled: boolean }[] }>("GET", "/api/schedules");
    expect(disabled.items[0]?.enabled).toBe(false);

    await page.getByRole("button", { name: "Delete schedule nightly (0 9 * * 1-5)" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete schedule" });
    await dialog.getByRole("button", { name: "Delete" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByText("No schedules yet.").waitFor();
    expect((await api<{ items: unknown[] }>("GET", "/api/schedules")).items).toHaveLength(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  });

  it("creates a webhook source, lists an event posted to it (polled, no reload) and shows its body and run", async () => {
    const page = await open("/admin/webhooks", "Webhooks");
    const form = page.getByRole("form", { name: "New webhook source" });
    await form.getByLabel("Source name").fill("Shop orders");
    await form.getByRole("button", { name: "Create source" }).click();
    const receiveUrl = (await page.getByTestId("receive-url").textContent())?.trim() ?? "";
    expect(receiveUrl).toMatch(new RegExp(`^${baseUrl}/api/hooks/[0-9a-f-]{36}$`));
    await page.locator("tbody tr", { hasText: "Shop orders" }).getByText(receiveUrl).waitFor();

    await page.getByRole("button", { name: "Events of Shop orders" }).click();
    await page.getByText("No events received yet.").waitFor();
    const subscribe = page.getByRole("form", { name: "Add a subscription" });
    await subscribe.getByLabel("Workflow to start").selectOption({ label: "hookHandler" });
    await subscribe.getByRole("button", { name: "Add subscription" }).click();
    await page.getByRole("table", { name: "Subscriptions" }).getByText("hookHandler").waitFor();

    const navigations: string[] = [];
    page.on("framenavigated", (frame) => {
      if (frame === page.mainFrame()) navigations.push(frame.url());
    });
    const posted = await fetch(receiveUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ order: "A-1001", total: 42 }),
    });
    expect(posted.status).toBe(202);

    // The list refreshes itself every 5 s: the event appears without a reload or a click.
    const view = page.getByRole("button", { name: /^View event received/ });
    await view.waitFor({ timeout: 20_000 });
    await view.click();
    const body = page.getByRole("tree", { name: "Event body" });
    await body.getByText('"A-1001"').waitFor();
    await body.getByText("42", { exact: true }).waitFor();
    await page.getByRole("tree", { name: "Event headers" }).getByText('"application/json"').waitFor();
    // The delivery started a run of hookHandler, linked to its execution page.
    const runLink = page
      .getByRole("table", { name: "Deliveries" })
      .getByRole("link", { name: "open execution" });
    await runLink.waitFor({ timeout: 20_000 });
    expect(await runLink.getAttribute("href")).toMatch(/^\/executions\/[0-9a-f-]{36}$/);
    expect(navigations.filter((url) => !url.includes("/admin/webhooks"))).toEqual([]);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  });

  it("shows the embedded worker and its pool, and a process going busy then idle live", async () => {
    const page = await open("/admin/workers", "Workers");
    const card = page.locator("[data-worker-id]").first();
    await card.waitFor();
    const processes = card.getByRole("table", { name: /^Pool processes of/ });
    await processes.locator("tbody tr").first().waitFor();
    expect(await processes.locator("tbody tr").count()).toBeGreaterThanOrEqual(1);
    // This host isolates children: the card says how, and there is no sandbox warning.
    expect(await card.getByTestId("sandbox").textContent()).toMatch(
      /isolated.*own PID and mount namespaces, uid 64000, gid 64000/,
    );
    expect(await card.getByTestId("sandbox-warning").count()).toBe(0);
    await page.getByRole("status").getByText("live", { exact: true }).waitFor();
    // Heartbeats arrive over the socket (the page's "last update" only moves on a channel message).
    await page.getByText(/^last update \d+ s ago$/).waitFor();
    // Only the connection state is a live region: the ticking "last update" is not announced.
    expect(await page.getByRole("status").filter({ hasText: "last update" }).count()).toBe(0);

    const navigations: string[] = [];
    page.on("framenavigated", (frame) => {
      if (frame === page.mainFrame()) navigations.push(frame.url());
    });
    const run = await api<{ executionId: string }>("POST", "/api/workflows/execute", {
      workflowName: "napper",
      inputData: {},
    });
    // A heartbeat on the platform_workers channel shows the child busy with this run…
    const busyRow = processes.locator("tbody tr", {
      has: page.locator(`a[href="/executions/${run.executionId}"]`),
    });
    await busyRow.getByText("busy", { exact: true }).waitFor({ timeout: 20_000 });
    const pid = (await busyRow.locator("td").first().textContent())?.trim() ?? "";
    expect(pid).toMatch(/^\d+$/);
    expect(await seriousA11yViolations(page)).toEqual([]);
    // …then idle again once the run is over.
    await busyRow.waitFor({ state: "detached", timeout: 20_000 });
    await processes
      .locator("tbody tr", { has: page.getByRole("cell", { name: pid, exact: true }) })
      .getByText("idle", { exact: true })
      .waitFor({ timeout: 20_000 });
    expect(navigations).toEqual([]);
    await page.close();
  });

  it("an organization's run limit is set on the Organizations page; the Workers page shows its line, running and limit", async () => {
    const org = await api<{ id: string }>("POST", "/api/organizations", { name: "Queue Co" });
    const page = await open("/admin/organizations", "Organizations");
    await page.getByRole("button", { name: "Change the run limit of Queue Co" }).click();
    const dialog = page.getByRole("dialog", { name: "Runs at once for Queue Co" });
    await dialog.getByLabel("Most runs at once").fill("1");
    await dialog.getByRole("button", { name: "Save limit" }).click();
    await dialog.waitFor({ state: "detached" });
    const row = page.getByRole("row", { name: /Queue Co/ });
    await row.getByTestId("concurrency-limit").getByText("1", { exact: true }).waitFor();
    expect(await api<{ maxConcurrentRuns: number }>("GET", `/api/organizations/${org.id}`)).toMatchObject({
      maxConcurrentRuns: 1,
    });

    const runs = await Promise.all(
      [1, 2, 3].map(() =>
        api<{ executionId: string }>("POST", "/api/workflows/execute", {
          workflowName: "napper",
          inputData: {},
          organizationId: org.id,
        }),
      ),
    );
    await page.goto(`${baseUrl}/admin/workers`);
    const line = page.locator(`[data-organization="${org.id}"]`);
    await line.waitFor();
    // One runs, two wait in the organization's line; the limit is its own.
    await expect
      .poll(
        async () => {
          const cells = await line.locator("td").allTextContents();
          return cells[3] === "1" && Number(cells[1]) + Number(cells[2]) === 2;
        },
        { timeout: 15_000 },
      )
      .toBe(true);
    expect(await line.locator("td").nth(4).textContent()).toBe("1 (its own)");
    expect(await seriousA11yViolations(page)).toEqual([]);
    for (const run of runs) await api("POST", `/api/executions/${run.executionId}/cancel`);
    await page.close();
  });
});
