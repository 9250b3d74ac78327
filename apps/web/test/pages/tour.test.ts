import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousA11yViolations } from "../axe.js";
import { watchCsp } from "../csp.js";
import { callApi, signedInAdmin, type SignedIn } from "./signed-in.js";

/**
 * Every main page, with data in it, in both themes: no serious or critical accessibility
 * violation, nothing refused by the client's Content-Security-Policy, and a screenshot of each into
 * test/screenshots (the README shows a few).
 */
const SCREENSHOTS = path.resolve(import.meta.dirname, "../screenshots");

const WORKFLOWS = `import { dataProvider, workflow, z } from "@bifrost/sdk";

export const createTicket = workflow({
  description: "Opens a ticket in the PSA",
  category: "Service desk",
  params: z.object({
    title: z.string().min(1),
    priority: z.enum(["low", "normal", "high"]).default("normal"),
    hours: z.number().min(0).default(1),
    billable: z.boolean().default(true),
  }),
  async run(params, ctx) {
    ctx.log.info("creating the ticket " + params.title);
    ctx.log.warn("the PSA is slow today");
    return { ticket: 4711, title: params.title, priority: params.priority };
  },
});

export const sites = dataProvider({
  description: "The customer's sites",
  async run() {
    return [
      { label: "Berlin", value: "ber" },
      { label: "Lisbon", value: "lis" },
    ];
  },
});
`;

let session: SignedIn;
let page: Page;
let csp: Awaited<ReturnType<typeof watchCsp>>;
const ids: Record<string, string> = {};

const api = <T>(method: string, route: string, body?: unknown): Promise<T> =>
  callApi<T>(session.baseUrl, session.token, method, route, body);

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  session = await signedInAdmin();
  await api("PUT", "/api/files/editor/content", { path: "service-desk.ts", content: WORKFLOWS });
  const workflows = await api<{ items: { id: string; name: string }[] }>("GET", "/api/workflows");
  const workflowId = workflows.items.find((w) => w.name === "createTicket")?.id ?? "";
  ids.workflow = workflowId;
  const org = await api<{ id: string }>("POST", "/api/organizations", {
    name: "Acme",
    domain: "acme.example",
  });
  const tess = await api<{ id: string }>("POST", "/api/users", {
    email: "tess@acme.example",
    name: "Tess Tech",
    password: "correct horse battery staple",
    organizationId: org.id,
  });
  ids.user = tess.id;
  await api("POST", "/api/roles", { name: "Technicians", description: "Run the service-desk forms" });
  const run = await api<{ executionId: string }>("POST", "/api/workflows/execute", {
    workflowId,
    inputData: { title: "Printer on fire", priority: "high" },
    sync: true,
  });
  ids.execution = run.executionId;
  const form = await api<{ id: string }>("POST", "/api/forms", {
    name: "New ticket",
    description: "Open a ticket for a customer",
    workflowId,
    fields: [
      { name: "title", label: "Title", type: "text", required: true },
      {
        name: "priority",
        label: "Priority",
        type: "select",
        options: [
          { label: "Low", value: "low" },
          { label: "Normal", value: "normal" },
          { label: "High", value: "high" },
        ],
      },
    ],
  });
  ids.form = form.id;
  await api("POST", "/api/config", { key: "psa_url", value: "https://psa.example", type: "string" });
  await api("POST", "/api/config", { key: "psa_api_key", value: "tour-secret-value", type: "secret" });
  const table = await api<{ id: string }>("POST", "/api/tables", { name: "assets", description: "Hardware" });
  ids.table = table.id;
  for (const [n, data] of [
    { name: "laptop-1", os: "linux" },
    { name: "laptop-2", os: "windows" },
  ].entries()) {
    await api("POST", `/api/tables/${table.id}/documents`, { id: `asset-${n}`, data });
  }
  await api("POST", "/api/schedules", {
    workflowId,
    cron: "0 9 * * 1-5",
    inputData: { title: "Daily check" },
  });
  await api("POST", "/api/events/sources", { name: "PSA webhooks" });
  csp = await watchCsp(session.context);
  page = await session.context.newPage();
  await page.setViewportSize({ width: 1280, height: 800 });
  page.setDefaultTimeout(15_000);
});

afterAll(async () => {
  await session?.close();
});

/** The main pages: where, the heading they show, and a screenshot name. */
const PAGES: { name: string; path: () => string; heading: RegExp; then?: () => Promise<void> }[] = [
  { name: "workflows", path: () => "/workflows", heading: /^Workflows$/ },
  { name: "workflow-detail", path: () => `/workflows/${ids.workflow}`, heading: /createTicket/ },
  { name: "workflow-run", path: () => `/workflows/${ids.workflow}/run`, heading: /Run createTicket/ },
  { name: "executions", path: () => "/executions", heading: /^Executions$/ },
  { name: "execution-detail", path: () => `/executions/${ids.execution}`, heading: /createTicket/ },
  {
    name: "editor",
    path: () => "/editor",
    heading: /^Editor$/,
    then: async () => {
      await page.getByRole("navigation", { name: "Workspace files" }).getByText("service-desk.ts").click();
      await page.locator(".cm-editor").waitFor();
      await page.locator(".cm-content", { hasText: "createTicket" }).waitFor();
      // The cursor in a definition names the workflow the Run button starts.
      await page.locator(".cm-line", { hasText: "category" }).click();
      await page.getByRole("button", { name: "Run createTicket" }).waitFor();
    },
  },
  { name: "forms", path: () => "/forms", heading: /^Forms$/ },
  { name: "form-run", path: () => `/forms/${ids.form}`, heading: /New ticket/ },
  { name: "form-builder", path: () => `/forms/${ids.form}/edit`, heading: /./ },
  { name: "organizations", path: () => "/admin/organizations", heading: /^Organizations$/ },
  { name: "users", path: () => "/admin/users", heading: /^Users$/ },
  { name: "user-detail", path: () => `/admin/users/${ids.user}`, heading: /Tess Tech/ },
  { name: "roles", path: () => "/admin/roles", heading: /^Roles$/ },
  { name: "audit", path: () => "/admin/audit", heading: /^Audit log$/ },
  { name: "config", path: () => "/admin/config", heading: /^Config/ },
  { name: "tables", path: () => "/admin/tables", heading: /^Tables$/ },
  { name: "table", path: () => `/admin/tables/${ids.table}`, heading: /assets/ },
  { name: "integrations", path: () => "/admin/integrations", heading: /^Integrations$/ },
  { name: "schedules", path: () => "/admin/schedules", heading: /^Schedules$/ },
  { name: "webhooks", path: () => "/admin/webhooks", heading: /^Webhooks$/ },
  { name: "workers", path: () => "/admin/workers", heading: /^Workers$/ },
];

async function setTheme(theme: "light" | "dark") {
  await page.goto(`${session.baseUrl}/workflows`);
  await page.evaluate(`localStorage.setItem("bifrost.theme", "${theme}")`);
}

/** Opens a page and waits until it shows its content: its heading, and no spinner left. */
async function open(target: (typeof PAGES)[number]) {
  await page.goto(`${session.baseUrl}${target.path()}`);
  await page.getByRole("heading", { level: 1, name: target.heading }).waitFor();
  await target.then?.();
  await expect
    .poll(() => page.locator(".ui-spinner, [aria-busy='true']").count(), { timeout: 15_000 })
    .toBe(0);
  // Fonts and transitions settle before the screenshot.
  await page.evaluate("document.fonts.ready.then(() => undefined)");
}

describe("every main page", () => {
  for (const theme of ["light", "dark"] as const) {
    it(`has no serious accessibility violation and no CSP violation in the ${theme} theme, screenshots in test/screenshots`, async () => {
      await setTheme(theme);
      const found: string[] = [];
      for (const target of PAGES) {
        csp.clear();
        await open(target);
        expect(await page.evaluate<string>("document.documentElement.dataset.theme")).toBe(theme);
        for (const violation of await seriousA11yViolations(page)) {
          found.push(`${target.name}: ${violation}`);
        }
        for (const violation of csp.violations()) found.push(`${target.name}: CSP ${violation}`);
        await page.screenshot({ path: path.join(SCREENSHOTS, `${target.name}-${theme}.png`) });
      }
      expect(found).toEqual([]);
    }, 240_000);
  }

  it("fits a phone's width: no page scrolls sideways at 390 px (wide tables scroll inside their box)", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const overflowing: string[] = [];
    for (const target of PAGES) {
      await open(target);
      // The page's width, and the innermost element that sticks out, to say where to look.
      const widths = await page.evaluate<{ scroll: number; view: number; culprit: string }>(`(() => {
        const view = window.innerWidth;
        const out = [...document.querySelectorAll("body *")].filter(
          (e) => e.getBoundingClientRect().right > view + 0.5 && e.closest(".ui-table-wrap, .cm-editor") === null,
        );
        const last = out.filter((e) => !out.some((o) => o !== e && e.contains(o)))[0];
        const culprit = last ? last.tagName.toLowerCase() + "." + String(last.className).split(" ").join(".") : "";
        return { scroll: document.documentElement.scrollWidth, view, culprit };
      })()`);
      if (widths.scroll > widths.view)
        overflowing.push(`${target.name}: ${widths.scroll} px wide (${widths.culprit})`);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(overflowing).toEqual([]);
  }, 240_000);
});

/** The pages shown at a phone's size: lists, detail pages, a form, the editor and admin pages. */
const PHONE_PAGES = [
  "workflows",
  "workflow-detail",
  "form-run",
  "execution-detail",
  "editor",
  "users",
  "user-detail",
  "audit",
];
const PHONE = { width: 390, height: 844 };

/** What of an element lies outside the viewport or is cut off by its box, or null when it all shows. */
async function clippedAt(selector: string): Promise<string | null> {
  return page.evaluate<string | null>(`(() => {
    const element = document.querySelector(${JSON.stringify(selector)});
    if (!element) return "absent";
    const box = element.getBoundingClientRect();
    if (box.left < 0 || box.right > window.innerWidth) return Math.round(box.right) + " px wide";
    if (element.scrollWidth > element.clientWidth) return "text " + element.scrollWidth + " px in " + element.clientWidth;
    if (!(element instanceof HTMLSelectElement)) return null;
    // A select's scrollWidth is its box: its chosen option's text has to fit besides the arrow.
    const style = getComputedStyle(element);
    const context = document.createElement("canvas").getContext("2d");
    context.font = style.font;
    const label = element.selectedOptions[0]?.text ?? "";
    const text = context.measureText(label).width;
    const room = element.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 20;
    return text > room ? label + ": " + Math.round(text) + " px in " + Math.round(room) : null;
  })()`);
}

describe("at a phone's size (390×844)", () => {
  for (const theme of ["light", "dark"] as const) {
    it(`shows each page's heading on the first screen, the navigation behind the menu button, and passes axe with it closed and open (${theme})`, async () => {
      await setTheme(theme);
      await page.setViewportSize(PHONE);
      const found: string[] = [];
      try {
        for (const target of PAGES.filter((p) => PHONE_PAGES.includes(p.name))) {
          await open(target);
          // The heading on the first screen, right under the header: no navigation in between.
          const heading = await page.getByRole("heading", { level: 1 }).first().boundingBox();
          const header = await page.getByRole("banner").boundingBox();
          expect(heading ? heading.y + heading.height : Infinity, `${target.name}: h1 bottom`).toBeLessThan(
            PHONE.height,
          );
          expect((heading?.y ?? Infinity) - (header ? header.y + header.height : 0)).toBeLessThan(80);
          // The header fits: the organization picker and the account menu show whole.
          expect(await clippedAt(".org-scope select"), `${target.name}: organization picker`).toBeNull();
          expect(await clippedAt(".layout__user"), `${target.name}: account menu`).toBeNull();
          const account = await page.getByRole("button", { name: /account menu/ }).boundingBox();
          expect(account && account.x + account.width <= PHONE.width).toBe(true);
          for (const v of await seriousA11yViolations(page)) found.push(`${target.name} (menu closed): ${v}`);
          await page.screenshot({ path: path.join(SCREENSHOTS, `${target.name}-phone-${theme}.png`) });

          const menu = page.getByRole("button", { name: "Menu", exact: true });
          const link = page
            .getByRole("navigation", { name: "Main" })
            .getByRole("link", { name: "Executions" });
          expect(await menu.getAttribute("aria-expanded")).toBe("false");
          expect(await link.isVisible()).toBe(false);
          await menu.click();
          await link.waitFor();
          expect(await menu.getAttribute("aria-expanded")).toBe("true");
          expect(await page.evaluate<string | undefined>("document.activeElement?.closest('nav')?.id")).toBe(
            await menu.getAttribute("aria-controls"),
          );
          for (const v of await seriousA11yViolations(page)) found.push(`${target.name} (menu open): ${v}`);
          if (target.name === "workflows")
            await page.screenshot({ path: path.join(SCREENSHOTS, `menu-phone-${theme}.png`) });
          await page.keyboard.press("Escape");
          await link.waitFor({ state: "hidden" });
          expect(await menu.getAttribute("aria-expanded")).toBe("false");
          // Focus back on the button (the only element that controls the navigation).
          expect(
            await page.evaluate<string | null>("document.activeElement.getAttribute('aria-controls')"),
          ).toBe(await menu.getAttribute("aria-controls"));
        }

        // Following a link closes the menu.
        await page.getByRole("button", { name: "Menu", exact: true }).click();
        await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Forms" }).click();
        await page.getByRole("heading", { level: 1, name: /^Forms$/ }).waitFor();
        expect(await page.getByRole("navigation", { name: "Main" }).count()).toBe(0);
        expect(
          await page.getByRole("button", { name: "Menu", exact: true }).getAttribute("aria-expanded"),
        ).toBe("false");
      } finally {
        await page.setViewportSize({ width: 1280, height: 800 });
      }
      expect(found).toEqual([]);
      // Wider than a phone: the sidebar as before, no menu button.
      expect(
        await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Forms" }).isVisible(),
      ).toBe(true);
      expect(await page.getByRole("button", { name: "Menu", exact: true }).isVisible()).toBe(false);
    }, 240_000);
  }
});
