import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./browser.js";

const SERVER_BIN = path.resolve(import.meta.dirname, "../../server/bin/bifrost-server.js");

let server: ChildProcess;
let browser: Browser;
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
  dataDir = mkdtempSync(path.join(os.tmpdir(), "bifrost-web-test-"));
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  server = spawn(process.execPath, [SERVER_BIN, "start"], {
    env: {
      PATH: process.env.PATH ?? "",
      PORT: String(port),
      BIFROST_DATA_DIR: dataDir,
      BIFROST_LOG_LEVEL: "warn",
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
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    server.kill("SIGTERM");
    await once(server, "exit");
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe("the web client served by the API", () => {
  it("loads in Chromium at a deep link and shows the platform's readiness from the API", async () => {
    const page = await browser.newPage();
    const failed: string[] = [];
    page.on("requestfailed", (request) => failed.push(request.url()));
    await page.goto(`${baseUrl}/some/deep/link`);
    await expect
      .poll(() => page.locator("#status").textContent(), { timeout: 10_000 })
      .toMatch(/^Platform ready/);
    expect(await page.locator("#status").textContent()).toContain("database: ok");
    expect(failed).toEqual([]);
    await page.close();
  });
});
