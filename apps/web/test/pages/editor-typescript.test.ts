import type { BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { callApi, signedInAdmin, type SignedIn } from "./signed-in.js";

// The typed editor (issue 25), in Chromium on the real server: TypeScript's language service in a web
// worker with the SDK's declarations — completions, hover documentation, type errors as warnings, go
// to definition across workspace files, rename, find in files — and not one request to another host.

const FORMAT = `/** Shouts the text. */
export function shout(text: string): string {
  return text.toUpperCase();
}
`;

const TYPED = `import { tables, workflow, z } from "@bifrost/sdk";
import { shout } from "./lib/format";

export const typed = workflow({
  params: z.object({ name: z.string() }),
  async run({ name }, ctx) {
    const rows = await tables.query("people", {});
    ctx.log.info(shout(name));
    return rows.items.length;
  },
});
`;

let session: SignedIn;
let context: BrowserContext;
let baseUrl: string;
const requested: string[] = [];

const api = <T>(method: string, route: string, body?: unknown): Promise<T> =>
  callApi<T>(session.baseUrl, session.token, method, route, body);
const contentOf = async (path: string) =>
  (await api<{ content: string }>("GET", `/api/files/editor/content?path=${encodeURIComponent(path)}`))
    .content;

beforeAll(async () => {
  session = await signedInAdmin();
  ({ context, baseUrl } = session);
  // Every request of the browser, the worker's included.
  context.on("request", (request) => requested.push(request.url()));
});

// Each test starts from the same two files (a test edits and saves them).
beforeEach(async () => {
  await api("PUT", "/api/files/editor/content", { path: "lib/format.ts", content: FORMAT });
  await api("PUT", "/api/files/editor/content", { path: "typed.ts", content: TYPED });
});

afterAll(async () => {
  await session?.close();
});

/** The editor on `typed.ts`, once the language service answers (a hover shows a type). */
async function openTyped(): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(`${baseUrl}/editor`);
  await page
    .getByRole("navigation", { name: "Workspace files" })
    .getByRole("button", { name: "typed.ts" })
    .click();
  await page.getByRole("textbox", { name: "File content" }).waitFor();
  // The service starts with the page (TypeScript and the declarations load in the worker): hover
  // until it answers.
  await hoverUntil(
    page,
    "shout(name)",
    0,
    page.locator(".ts-hover").filter({ hasText: "shout(text: string): string" }),
  );
  await page.mouse.move(0, 0);
  return page;
}

/**
 * Where the character `at` of the first `text` in the editor is on screen. CodeMirror splits a line
 * into highlighted spans: the text is found across them with a DOM range.
 */
async function pointAt(page: Page, text: string, at = 0): Promise<{ x: number; y: number }> {
  // A script as text: the tests are typed without the DOM's declarations.
  const point = await page.evaluate<{ x: number; y: number } | null>(`(() => {
    const wanted = ${JSON.stringify(text)};
    for (const line of document.querySelectorAll(".cm-content .cm-line")) {
      const index = (line.textContent ?? "").indexOf(wanted);
      if (index < 0) continue;
      let remaining = index + ${at};
      const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const length = node.textContent.length;
        if (remaining < length) {
          const range = document.createRange();
          range.setStart(node, remaining);
          range.setEnd(node, remaining + 1);
          const box = range.getBoundingClientRect();
          return { x: box.left + box.width / 2, y: box.top + box.height / 2 };
        }
        remaining -= length;
      }
    }
    return null;
  })()`);
  if (!point) throw new Error(`${text} is not on screen`);
  return point;
}

/** Hovers the character `at` of `text` again (a tooltip asks on a move) until `shown` is there. */
async function hoverUntil(page: Page, text: string, at: number, shown: Locator): Promise<void> {
  for (let tries = 0; (await shown.count()) === 0; tries++) {
    if (tries === 60) {
      const seen = await page.locator(".cm-tooltip").allTextContents();
      throw new Error(`no tooltip over ${text}; tooltips: ${JSON.stringify(seen)}`);
    }
    await page.mouse.move(0, 0);
    await hover(page, text, at);
    await shown.waitFor({ timeout: 1_000 }).catch(() => undefined);
  }
}

/** Hovers the character `at` of `text` in the editor. */
async function hover(page: Page, text: string, at = 0): Promise<void> {
  const { x, y } = await pointAt(page, text, at);
  await page.mouse.move(x, y);
}

/** Puts the cursor on the character `at` of `text`. */
async function clickOn(page: Page, text: string, at = 0): Promise<void> {
  const { x, y } = await pointAt(page, text, at);
  await page.mouse.click(x, y);
}

/** Puts the cursor at the end of the line holding `text`. */
async function cursorAfterLineOf(page: Page, text: string): Promise<void> {
  await page.locator(".cm-line").filter({ hasText: text }).first().click();
  await page.keyboard.press("End");
}

describe("the typed editor", { timeout: 90_000 }, () => {
  it("offers ctx.log's methods after `ctx.log.`, shows tables.query's documentation on hover", async () => {
    const page = await openTyped();
    await cursorAfterLineOf(page, "ctx.log.info(shout(name));");
    await page.keyboard.press("Enter");
    await page.keyboard.type("ctx.log.");
    const options = page.locator(".cm-tooltip-autocomplete li");
    await options.filter({ hasText: /^info/ }).waitFor();
    expect(await options.allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/^warn/)]));
    await page.keyboard.press("Escape");
    // Signature help: inside a call, the signature with the argument being typed in bold.
    await page.keyboard.type("info(");
    const signature = page.locator(".ts-signature");
    await signature
      .filter({ hasText: "info(message: string, data?: Record<string, unknown>): void" })
      .waitFor();
    expect(await signature.locator("strong").textContent()).toBe("message: string");
    // Escape closes the completions first, then the signature.
    await page.keyboard.press("Escape");
    await page.keyboard.press("Escape");
    await signature.waitFor({ state: "hidden" });

    const tooltip = page.locator(".ts-hover");
    await hoverUntil(page, "tables.query(", 8, tooltip.filter({ hasText: "The documents matching" }));
    expect(await tooltip.textContent()).toContain(
      "query<DocumentData>(table: string, options?: QueryOptions)",
    );
    await page.close();
  });

  it("underlines a wrong argument type with TypeScript's message as a warning; saving still works", async () => {
    const page = await openTyped();
    await cursorAfterLineOf(page, "ctx.log.info(shout(name));");
    await page.keyboard.press("Enter");
    await page.keyboard.insertText("shout(42);");
    const underline = page.locator(".cm-lintRange-warning");
    await underline.first().waitFor();
    await hover(page, "shout(42)", 7);
    await page
      .locator(".cm-tooltip-lint .cm-diagnostic-warning")
      .filter({ hasText: "Argument of type 'number' is not assignable to parameter of type 'string'." })
      .waitFor();
    expect(await page.locator(".cm-lintRange-error").count()).toBe(0);
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("Saved.", { exact: true }).waitFor();
    expect(await contentOf("typed.ts")).toContain("shout(42);");
    await page.close();
  });

  it("goes to a definition in another workspace file (F12), renames a symbol across files (F2)", async () => {
    const page = await openTyped();
    await clickOn(page, "shout(name)", 1);
    await page.keyboard.press("F12");
    await page.locator(".ed-path").filter({ hasText: "lib/format.ts" }).waitFor();
    await page
      .locator(".cm-activeLine")
      .filter({ hasText: "export function shout(text: string): string {" })
      .waitFor();

    // Back to typed.ts: rename `shout` to `yell` everywhere.
    await page
      .getByRole("navigation", { name: "Workspace files" })
      .getByRole("button", { name: "typed.ts" })
      .click();
    await page.locator(".ed-path").filter({ hasText: "typed.ts" }).waitFor();
    await hover(page, "shout(name)");
    await page.locator(".ts-hover").first().waitFor();
    await clickOn(page, "shout(name)", 1);
    await page.keyboard.press("F2");
    const dialog = page.getByRole("dialog", { name: "Rename shout" });
    await dialog.getByRole("textbox", { name: "New name" }).fill("yell");
    await dialog.getByRole("button", { name: "Rename" }).click();
    await dialog.waitFor({ state: "hidden" });
    await page.locator(".cm-content").getByText("ctx.log.info(yell(name));").waitFor();
    await page.locator(".cm-content").getByText('import { yell } from "./lib/format";').waitFor();
    // The other file was saved at once; the open one waits for its own save.
    expect(await contentOf("lib/format.ts")).toContain("export function yell(text: string): string {");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("Saved.", { exact: true }).waitFor();
    expect(await contentOf("typed.ts")).toContain("ctx.log.info(yell(name));");
    await page.close();
  });

  it("finds text and regular expressions in every file; a result opens its file at the line", async () => {
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${baseUrl}/editor`);
    const find = page.getByRole("searchbox", { name: "Find in files" });
    await find.fill("touppercase");
    await page.getByRole("status").filter({ hasText: "1 match" }).waitFor();
    await page.getByRole("button", { name: /lib\/format\.ts:3/ }).click();
    await page.locator(".ed-path").filter({ hasText: "lib/format.ts" }).waitFor();
    await page.locator(".cm-activeLine").filter({ hasText: "return text.toUpperCase();" }).waitFor();

    await page.getByRole("checkbox", { name: "Regular expression" }).check();
    await find.fill("shout\\((text|name)");
    await page.getByRole("status").filter({ hasText: "2 matches" }).waitFor();
    await page.getByRole("button", { name: /typed\.ts:8/ }).waitFor();
    await find.fill("shout(");
    await page.getByRole("alert").filter({ hasText: "Not a regular expression" }).waitFor();
    await page.close();
  });

  it("made no request to any host but the platform", () => {
    expect(requested.length).toBeGreaterThan(10);
    // The worker's script came from the platform too.
    expect(requested.some((url) => /\/assets\/ts-worker-[\w-]+\.js$/.test(url))).toBe(true);
    const elsewhere = requested.filter((url) => !url.startsWith(`${baseUrl}/`) && !url.startsWith("data:"));
    expect(elsewhere).toEqual([]);
  });
});
