// Headless Chromium for the web bench (playwright-core driving the system's Chromium, never a
// browser downloaded by a tool), and a signed-in browser session copied from an API sign-in.
import { existsSync } from "node:fs";
import { chromium } from "playwright-core";
import { onCleanup } from "./cleanup.mjs";

/** Debian's Chromium, like apps/web/test/browser.ts; BIFROST_CHROMIUM_PATH overrides it. */
export const CHROMIUM_PATH = process.env.BIFROST_CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * The launch flags of apps/web/test/browser.ts (no background networking, which this network
 * refuses), plus the ones that keep a headless page's timers and requestAnimationFrame unthrottled:
 * a headless page counts as visible, but the renderer and timer back-off must not kick in while the
 * bench waits between steps.
 */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-background-timer-throttling",
  "--disable-renderer-backgrounding",
  "--disable-backgrounding-occluded-windows",
];

/** Launches Chromium and registers closing it with the bench's cleanup. */
export async function launchBrowser() {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM_PATH}: install Debian's package "chromium" or set BIFROST_CHROMIUM_PATH`,
    );
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const close = onCleanup("close Chromium", () => browser.close().catch(() => undefined));
  return { browser, version: browser.version(), close };
}

/**
 * The session cookies a sign-in answer sets, for a browser context.
 * @param {Response} response
 * @param {string} baseUrl
 */
function cookiesOf(response, baseUrl) {
  return response.headers.getSetCookie().map((header) => {
    const [pair = ""] = header.split(";");
    const at = pair.indexOf("=");
    return { name: pair.slice(0, at), value: pair.slice(at + 1), url: baseUrl };
  });
}

/**
 * Creates the first platform admin and signs in through the API (the server runs with
 * BIFROST_MFA_REQUIRED=false, so the password step answers the tokens and sets the session cookies).
 * @param {string} baseUrl
 * @returns {Promise<{ token: string, cookies: Array<{ name: string, value: string, url: string }> }>}
 */
export async function signInFirstAdminWithCookies(baseUrl) {
  const admin = {
    email: "web-bench@bench.example",
    password: "a long web bench passphrase",
    name: "Web Bench",
  };
  const setup = await fetch(`${baseUrl}/auth/setup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(admin),
    signal: AbortSignal.timeout(15_000),
  });
  if (setup.status !== 201)
    throw new Error(`POST /auth/setup answered ${setup.status}: ${await setup.text()}`);
  const login = await fetch(`${baseUrl}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: admin.email, password: admin.password }),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await login.text();
  /** @type {{ accessToken?: unknown }} */
  let body = {};
  try {
    body = JSON.parse(text);
  } catch {
    // Reported below.
  }
  if (login.status !== 200 || typeof body.accessToken !== "string") {
    throw new Error(`POST /auth/login answered ${login.status} without tokens: ${text.slice(0, 300)}`);
  }
  const cookies = cookiesOf(login, baseUrl);
  if (cookies.length === 0) throw new Error("POST /auth/login set no cookies");
  return { token: body.accessToken, cookies };
}
