import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedInAdmin, type SignedIn } from "./signed-in.js";

let session: SignedIn;
let context: BrowserContext;
let baseUrl: string;

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

describe("workspace editor page", () => {
  it("creates a file, saves a workflow, then shows the diagnostics of a syntax error", async () => {
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${baseUrl}/editor`);
    await page.getByRole("heading", { name: "Editor", level: 1 }).waitFor();

    page.once("dialog", (dialog) => void dialog.accept("hello.ts"));
    await page.getByRole("button", { name: "New file" }).click();
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
});
