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

function cookiesOf(response: Response) {
  return response.headers.getSetCookie().map((header) => {
    const [pair = ""] = header.split(";");
    const at = pair.indexOf("=");
    return { name: pair.slice(0, at), value: pair.slice(at + 1), url: baseUrl };
  });
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), "bifrost-web-admin-"));
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
  await context.addCookies(cookiesOf(login));
});

afterAll(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    server.kill("SIGTERM");
    await once(server, "exit");
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe("admin pages", () => {
  it("lets the platform admin create an organization and a user in it, and hides them from that user", async () => {
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${baseUrl}/admin/organizations`);
    await page.getByRole("heading", { name: "Organizations", level: 1 }).waitFor();
    await page.getByLabel("Name").fill("Acme");
    await page.getByLabel("Domain").fill("acme.example");
    await page.getByRole("button", { name: "Create organization" }).click();
    await page.locator("tbody tr", { hasText: "Acme" }).getByText("acme.example").waitFor();

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users" }).click();
    await page.getByRole("heading", { name: "Users", level: 1 }).waitFor();
    await page.getByLabel("Email").fill("ada@acme.example");
    await page.getByLabel("Name").fill("Ada");
    await page.getByLabel(/^Password/).fill(PASSWORD);
    await page.getByLabel("Organization", { exact: true }).selectOption({ label: "Acme" });
    await page.getByRole("button", { name: "Create user" }).click();
    await page
      .locator("tbody tr", { hasText: "ada@acme.example" })
      .getByRole("cell", { name: "Acme", exact: true })
      .waitFor();
    // The organization filter narrows the list to Acme's users.
    await page.getByLabel("Filter by organization").selectOption({ label: "Acme" });
    await page.locator("tbody tr", { hasText: "ada@acme.example" }).waitFor();
    expect(await page.locator("tbody tr", { hasText: "admin@example.com" }).count()).toBe(0);

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit log" }).click();
    await page.getByRole("heading", { name: "Audit log", level: 1 }).waitFor();
    await page.locator("tbody tr").first().waitFor();
    await page.close();

    const login = await fetch(`${baseUrl}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "ada@acme.example", password: PASSWORD }),
    });
    expect(login.ok).toBe(true);
    const userContext = await browser.newContext();
    await userContext.addCookies(cookiesOf(login));
    const userPage = await userContext.newPage();
    userPage.setDefaultTimeout(10_000);
    await userPage.goto(`${baseUrl}/workflows`);
    const nav = userPage.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Workflows" }).waitFor();
    for (const label of ["Organizations", "Users", "Roles", "Audit log"]) {
      expect(await nav.getByRole("link", { name: label }).count()).toBe(0);
    }
    await userPage.goto(`${baseUrl}/admin/users`);
    await userPage.getByRole("heading", { name: "Not found" }).waitFor();
    await userContext.close();
  });
});
