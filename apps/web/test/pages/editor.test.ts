import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousA11yViolations } from "../axe.js";
import { signedInAdmin, type SignedIn } from "./signed-in.js";

let session: SignedIn;
let context: BrowserContext;
let baseUrl: string;

/** Saves a workspace file through the API, as another editor would; fails the test unless 200. */
async function saveFile(path: string, content: string): Promise<void> {
  const response = await fetch(`${baseUrl}/api/files/editor/content`, {
    method: "PUT",
    headers: { authorization: `Bearer ${session.token}`, "content-type": "application/json" },
    body: JSON.stringify({ path, content }),
  });
  expect(response.status, await response.text()).toBe(200);
}

async function listFiles(): Promise<string[]> {
  const response = await fetch(`${baseUrl}/api/files/editor`, {
    headers: { authorization: `Bearer ${session.token}` },
  });
  const tree = (await response.json()) as { files: { path: string }[] };
  return tree.files.map((f) => f.path);
}

beforeAll(async () => {
  session = await signedInAdmin();
  ({ context, baseUrl } = session);
});

afterAll(async () => {
  await session?.close();
});

const WORKFLOW = `import { workflow } from "@bifrost/sdk";

export const hello = workflow({
  description: "Says hello",
  async run() {
    return "hello";
  },
});
`;

const TWO_WORKFLOWS = `import { workflow, z } from "@bifrost/sdk";

export const first = workflow({
  async run(_params, ctx) {
    ctx.log.info("hello from first");
    return "one";
  },
});

export const second = workflow({
  params: z.object({ who: z.string().min(1) }),
  async run(params, ctx) {
    ctx.log.info("hello from second " + params.who);
    ctx.log.warn("second is done");
    return { greeting: "Hi " + params.who };
  },
});
`;

describe("workspace editor page", () => {
  it("creates a file, saves a workflow, then shows the diagnostics of a syntax error", async () => {
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${baseUrl}/editor`);
    await page.getByRole("heading", { name: "Editor", level: 1 }).waitFor();

    await page.getByRole("button", { name: "New file" }).click();
    const newFile = page.getByRole("dialog", { name: "New file" });
    await newFile.getByRole("textbox", { name: "Path" }).fill("hello.ts");
    await newFile.getByRole("button", { name: "Create" }).click();
    const editor = page.getByRole("textbox", { name: "File content" });
    await editor.waitFor();
    // insertText avoids the editor's auto-indent and bracket closing.
    await editor.click();
    await page.keyboard.insertText(WORKFLOW);
    await page.keyboard.press("Control+s");
    const link = page.getByRole("link", { name: "hello" });
    await link.waitFor();
    expect(await link.getAttribute("href")).toMatch(/^\/workflows\/[0-9a-f-]{36}\/run$/);
    await page.getByRole("navigation", { name: "Workspace files" }).getByText("hello.ts").waitFor();

    // A syntax error on line 5: the save is refused and the diagnostic names its place.
    await editor.click();
    await page.keyboard.press("Control+End");
    await page.keyboard.insertText("export const broken = ;\n");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    const diagnostics = page.getByRole("list", { name: "Diagnostics" });
    await diagnostics.waitFor();
    expect(await diagnostics.locator(".ed-location").first().textContent()).toMatch(/^\d+:\d+$/);
    await page.close();
  });

  it("runs the workflow under the cursor and shows its live log, status and result", async () => {
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${baseUrl}/editor`);
    await page.getByRole("heading", { name: "Editor", level: 1 }).waitFor();
    await page.getByRole("button", { name: "New file" }).click();
    const newFile = page.getByRole("dialog", { name: "New file" });
    await newFile.getByRole("textbox", { name: "Path" }).fill("two.ts");
    await newFile.getByRole("button", { name: "Create" }).click();
    const editor = page.getByRole("textbox", { name: "File content" });
    await editor.click();
    await page.keyboard.insertText(TWO_WORKFLOWS);

    // The cursor in the second definition: its Run button names it; Run saves the file first.
    await page.locator(".cm-line", { hasText: "hello from second" }).click();
    await page.getByRole("button", { name: "Run second" }).click();
    const dialog = page.getByRole("dialog", { name: "Run second" });
    await dialog.getByLabel(/^who/).fill("Ada");
    await dialog.getByRole("button", { name: "Run", exact: true }).click();
    await dialog.waitFor({ state: "detached" });

    const panel = page.getByTestId("run-panel");
    await panel.getByRole("heading", { name: "Run of second" }).waitFor();
    await panel.locator('[data-status="Success"]').waitFor();
    const log = panel.getByRole("log", { name: "Run log" });
    await log.getByText("hello from second Ada").waitFor();
    await log.getByText("second is done").waitFor();
    await panel.getByRole("tree", { name: "Result" }).getByText('"Hi Ada"').waitFor();
    expect(await log.getByText("hello from first").count()).toBe(0);
    const link = panel.getByRole("link", { name: "Open the execution" });
    expect(await link.getAttribute("href")).toMatch(/^\/executions\/[0-9a-f-]{36}$/);

    // Ctrl+Enter in the first definition runs it (no parameters: no dialog).
    await page.locator(".cm-line", { hasText: "hello from first" }).click();
    await page.keyboard.press("Control+Enter");
    await panel.getByRole("heading", { name: "Run of first" }).waitFor();
    await panel.locator('[data-status="Success"]').waitFor();
    await panel.getByRole("log", { name: "Run log" }).getByText("hello from first").waitFor();
    // A text result is shown as text.
    await panel.locator("pre", { hasText: /^one$/ }).waitFor();

    // Light theme: the page, the run panel and the open file, CodeMirror's content included.
    expect(await seriousA11yViolations(page)).toEqual([]);
    // Dark theme: the same, code included (the dark token colours keep at least 5:1, dark-theme.ts).
    await page.getByTestId("theme-toggle").click();
    await page.locator("html[data-theme='dark']").waitFor({ state: "attached" });
    await page.locator(".cm-editor").waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByTestId("theme-toggle").click();
    await page.close();
  });

  it("New workflow from a template is saved and runs; Run outside a definition runs the only one, or asks", async () => {
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${baseUrl}/editor?new=workflow`);
    const create = page.getByRole("dialog", { name: "New workflow" });
    // The first open of the editor in a browser has a short guide, until it is dismissed.
    // (Behind the dialog, out of the accessibility tree while it is open: found by its class.)
    const guide = page.locator(".ed-guide").filter({ hasText: "Getting started" });
    await guide.waitFor();
    await create.getByRole("textbox", { name: "Name" }).fill("9lives");
    await create.getByText("Letters, digits, _ and $ only").waitFor();
    await create.getByRole("textbox", { name: "Name" }).fill("greetTeam");
    await create.getByText("Saved as greetTeam.ts").waitFor();
    await create.getByRole("radio", { name: /Hello world with parameters/ }).check();
    await create.getByRole("button", { name: "Create" }).click();
    await create.waitFor({ state: "detached" });
    await page.locator(".ed-path").filter({ hasText: "greetTeam.ts" }).waitFor();
    await page.getByRole("button", { name: "Got it" }).click();
    await guide.waitFor({ state: "detached" });
    await page
      .getByRole("navigation", { name: "Workspace files" })
      .getByRole("button", { name: "greetTeam.ts" })
      .waitFor();

    // The cursor on the import line, outside the definition: Run runs the file's only one.
    await page.locator(".cm-line", { hasText: "import { workflow, z }" }).click();
    await page.getByRole("button", { name: "Run…" }).click();
    const dialog = page.getByRole("dialog", { name: "Run greetTeam" });
    await dialog.getByLabel(/^name/i).fill("Ada");
    await dialog.getByRole("button", { name: "Run", exact: true }).click();
    const panel = page.getByTestId("run-panel");
    await panel.locator('[data-status="Success"]').waitFor();
    await panel.getByRole("log", { name: "Run log" }).getByText("Hello, Ada!").waitFor();

    // Two definitions and the cursor in none: it asks which.
    await saveFile("pair.ts", TWO_WORKFLOWS.replaceAll("first", "one").replaceAll("second", "two"));
    await page.reload();
    await page.getByRole("button", { name: "pair.ts" }).click();
    expect(await guide.count()).toBe(0);
    await page.locator(".cm-line", { hasText: "import { workflow, z }" }).click();
    await page.getByRole("button", { name: "Run…" }).click();
    const choose = page.getByRole("dialog", { name: "Which one to run?" });
    await choose.getByRole("button", { name: "Run one" }).click();
    await panel.getByRole("heading", { name: "Run of one" }).waitFor();
    await panel.locator('[data-status="Success"]').waitFor();
    await page.close();
  });

  it("leaving through the sidebar with unsaved changes asks first; a reload offers the draft back", async () => {
    await saveFile("drafty.ts", WORKFLOW.replace("const hello", "const drafty"));
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${baseUrl}/editor`);
    await page.getByRole("button", { name: "drafty.ts" }).click();
    await page.locator(".cm-line", { hasText: 'description: "Says hello"' }).click();
    await page.keyboard.press("End");
    await page.keyboard.insertText(" // kept in this browser");
    await page.locator(".ed-path", { hasText: "(unsaved)" }).waitFor();

    await page.getByRole("link", { name: "Workflows", exact: true }).click();
    const ask = page.getByRole("dialog", { name: "Discard unsaved changes?" });
    await ask.getByRole("button", { name: "Keep editing" }).click();
    expect(new URL(page.url()).pathname).toBe("/editor");
    await page.locator(".cm-line", { hasText: "// kept in this browser" }).waitFor();

    // A reload (or a crash) loses the page, not the draft.
    await new Promise((resolve) => setTimeout(resolve, 500));
    page.once("dialog", (dialog) => void dialog.accept());
    await page.reload();
    await page.getByRole("button", { name: "drafty.ts" }).click();
    await page.getByRole("button", { name: "Restore the draft" }).click();
    await page.locator(".cm-line", { hasText: "// kept in this browser" }).waitFor();
    await page.locator(".ed-path", { hasText: "(unsaved)" }).waitFor();
    // Saved, the draft is gone: opening the file again offers nothing.
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("Saved.", { exact: true }).waitFor();
    await page.reload();
    await page.getByRole("button", { name: "drafty.ts" }).click();
    await page.locator(".cm-line", { hasText: "// kept in this browser" }).waitFor();
    expect(await page.getByRole("button", { name: "Restore the draft" }).count()).toBe(0);

    // Discarding through the sidebar goes on and drops the draft.
    await page.locator(".cm-line", { hasText: "// kept in this browser" }).click();
    await page.keyboard.press("End");
    await page.keyboard.insertText(" again");
    await page.getByRole("link", { name: "Workflows", exact: true }).click();
    await page
      .getByRole("dialog", { name: "Discard unsaved changes?" })
      .getByRole("button", { name: "Discard changes" })
      .click();
    await page.getByRole("heading", { name: "Workflows", level: 1 }).waitFor();
    await page.close();
  });

  it("a run's error names the line the author wrote; clicking it puts the cursor there", async () => {
    const BUGGY = [
      'import { workflow } from "@bifrost/sdk";',
      "",
      "export const buggy = workflow({",
      "  async run(_params, ctx) {",
      '    ctx.log.info("about to break");',
      "    const data: { items?: string[] } = {};",
      "    return data.items!.length;",
      "  },",
      "});",
      "",
    ].join("\n");
    await saveFile("lib/buggy.ts", BUGGY);
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    // A link to a file (a workflow's page links its code so) opens it.
    await page.goto(`${baseUrl}/editor?file=lib%2Fbuggy.ts`);
    await page.locator(".ed-path").filter({ hasText: "lib/buggy.ts" }).waitFor();
    await page.locator(".cm-line", { hasText: "about to break" }).click();
    await page.getByRole("button", { name: "Run buggy" }).click();
    const panel = page.getByTestId("run-panel");
    await panel.locator('[data-status="Failed"]').waitFor();
    // Line 7, the column of `length`: the editor's numbering, not the compiled file's.
    const place = panel.getByRole("alert").getByRole("button", { name: "lib/buggy.ts:7:24" });
    await place.waitFor();
    // The stack in the log links the same place.
    await panel
      .getByRole("log", { name: "Run log" })
      .getByRole("button", { name: "lib/buggy.ts:7:24" })
      .waitFor();
    await page.locator(".cm-line", { hasText: "import { workflow }" }).click();
    await place.click();
    await page.locator(".cm-activeLine").filter({ hasText: "return data.items!.length;" }).waitFor();
    await page.close();
  });

  it("warns before discarding unsaved changes, renames and deletes a file", async () => {
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${baseUrl}/editor`);
    const files = page.getByRole("navigation", { name: "Workspace files" });
    await files.getByRole("button", { name: "hello.ts" }).click();
    const editor = page.getByRole("textbox", { name: "File content" });
    await editor.getByText("Says hello").waitFor();
    await editor.click();
    await page.keyboard.press("Control+End");
    await page.keyboard.insertText("// an unsaved comment\n");

    // Switching away asks first; "Keep editing" stays on the file with its changes.
    await files.getByRole("button", { name: "two.ts" }).click();
    const discard = page.getByRole("dialog", { name: "Discard unsaved changes?" });
    await discard.getByRole("button", { name: "Keep editing" }).click();
    await discard.waitFor({ state: "detached" });
    await editor.getByText("an unsaved comment").waitFor();
    // "Discard changes" then a cancelled "New file" dialog: nothing switched, the edits stay unsaved.
    await page.getByRole("button", { name: "New file" }).click();
    await discard.getByRole("button", { name: "Discard changes" }).click();
    await discard.waitFor({ state: "detached" });
    await page.getByRole("dialog", { name: "New file" }).getByRole("button", { name: "Cancel" }).click();
    await editor.getByText("an unsaved comment").waitFor();
    await page.getByTitle("Unsaved changes").waitFor();
    await files.getByRole("button", { name: "two.ts" }).click();
    await discard.getByRole("button", { name: "Discard changes" }).click();
    await editor.getByText("hello from second").waitFor();

    // Rename two.ts to moved.ts.
    await page.getByRole("button", { name: "Rename" }).click();
    const rename = page.getByRole("dialog", { name: "Rename two.ts" });
    await rename.getByLabel("New path").fill("moved.ts");
    // Ctrl+Enter inside the dialog is the dialog's: the page does not try to run (which would say
    // where to put the cursor, the cursor being at the top of the file).
    await rename.getByLabel("New path").press("Control+Enter");
    expect(await page.getByRole("alert").filter({ hasText: "Put the cursor inside" }).count()).toBe(0);
    await rename.getByRole("button", { name: "Rename" }).click();
    await rename.waitFor({ state: "detached" });
    await files.getByRole("button", { name: "moved.ts" }).waitFor();
    await files.getByRole("button", { name: "two.ts" }).waitFor({ state: "detached" });
    expect(await listFiles()).toEqual(expect.arrayContaining(["moved.ts"]));
    expect(await listFiles()).not.toContain("two.ts");

    // Delete it, after the confirmation.
    await page.getByRole("button", { name: "Delete", exact: true }).click();
    const confirm = page.getByRole("dialog", { name: "Delete moved.ts?" });
    expect(await seriousA11yViolations(page)).toEqual([]);
    await confirm.getByRole("button", { name: "Delete file" }).click();
    await confirm.waitFor({ state: "detached" });
    await files.getByRole("button", { name: "moved.ts" }).waitFor({ state: "detached" });
    await page.getByText("Open a file or create a new one").waitFor();
    expect(await listFiles()).not.toContain("moved.ts");
    await page.close();
  });

  it("keeps the file clicked last when an earlier click's answer comes late", async () => {
    for (const [path, text] of [
      ["slow.ts", "// the slow file"],
      ["quick.ts", "// the quick file"],
    ]) {
      const response = await fetch(`${baseUrl}/api/files/editor/content`, {
        method: "PUT",
        headers: { authorization: `Bearer ${session.token}`, "content-type": "application/json" },
        body: JSON.stringify({ path, content: `${text}\n` }),
      });
      expect(response.ok).toBe(true);
    }
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    let releaseSlow: () => void = () => undefined;
    const slowHeld = new Promise<void>((resolve) => (releaseSlow = resolve));
    await page.route("**/api/files/editor/content?path=slow.ts", async (route) => {
      await slowHeld;
      await route.continue().catch(() => undefined);
    });
    await page.goto(`${baseUrl}/editor`);
    const files = page.getByRole("navigation", { name: "Workspace files" });
    const slowAnswer = page.waitForEvent("request", (r) => r.url().includes("path=slow.ts"));
    await files.getByRole("button", { name: "slow.ts" }).click();
    await slowAnswer;
    // The slow request is for a file no longer wanted once quick.ts is clicked: it is abandoned.
    const abandoned = page.waitForEvent("requestfailed", (r) => r.url().includes("path=slow.ts"));
    await files.getByRole("button", { name: "quick.ts" }).click();
    const editor = page.getByRole("textbox", { name: "File content" });
    await editor.getByText("the quick file").waitFor();
    releaseSlow();
    await abandoned;
    expect(await editor.getByText("the slow file").count()).toBe(0);
    expect(await files.getByRole("button", { name: "quick.ts" }).getAttribute("aria-current")).toBe("true");
    expect(await files.getByRole("button", { name: "quick.ts" }).isEnabled()).toBe(true);
    await page.close();
  });
});
