import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../browser.js";

const SERVER_BIN = path.resolve(import.meta.dirname, "../../../server/bin/bifrost-server.js");
const PASSWORD = "correct horse battery staple";

let server: ChildProcess;
let browser: Browser;
let context: BrowserContext;
let baseUrl: string;
let dataDir: string;

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, "127.0.0.1");
  await once(probe, "listening");
  const address = probe.address();
  probe.close();
  if (!address || typeof address === "string") throw new Error("no port");
  return address.port;
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), "bifrost-web-editor-"));
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  server = spawn(process.execPath, [SERVER_BIN, "start"], {
    env: {
      PATH: process.env.PATH ?? "",
      PORT: String(port),
      BIFROST_DATA_DIR: dataDir,
      BIFROST_LOG_LEVEL: "warn",
      BIFROST_MFA_REQUIRED: "false",
    },
    stdio: "ignore",
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ready = await fetch(`${baseUrl}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline || server.exitCode !== null) throw new Error("the server did not become ready");
    await new Promise((r) => setTimeout(r, 200));
  }
  const email = "admin@example.com";
  await fetch(`${baseUrl}/auth/setup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: PASSWORD, name: "Admin" }),
  });
  const login = await fetch(`${baseUrl}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: PASSWORD }),
  });

  browser = await launchChromium();
  context = await browser.newContext();
  // The session cookies of the login above: the test does not depend on the sign-in page.
  await context.addCookies(
    login.headers.getSetCookie().map((header) => {
      const [pair = ""] = header.split(";");
      const at = pair.indexOf("=");
      return { name: pair.slice(0, at), value: pair.slice(at + 1), url: baseUrl };
    }),
  );
});

afterAll(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    server.kill("SIGTERM");
    await once(server, "exit");
  }
  rmSync(dataDir, { recursive: true, force: true });
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
