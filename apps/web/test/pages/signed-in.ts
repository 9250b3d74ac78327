import type { Browser, BrowserContext } from "playwright-core";
import { launchChromium } from "../browser.js";
import { startServer, type TestServer } from "../server.js";

export const PASSWORD = "correct horse battery staple";

/** The session cookies a sign-in answer sets, for a browser context. */
export function cookiesOf(response: Response, baseUrl: string) {
  return response.headers.getSetCookie().map((header) => {
    const [pair = ""] = header.split(";");
    const at = pair.indexOf("=");
    return { name: pair.slice(0, at), value: pair.slice(at + 1), url: baseUrl };
  });
}

/**
 * A call to the API as `token` (JSON in, JSON out): the answer's JSON, or undefined when it has no
 * body; a status that is not 2xx fails the test with the API's own answer.
 */
export async function callApi<T>(
  baseUrl: string,
  token: string,
  method: string,
  route: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${baseUrl}${route}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${route} → ${response.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export type SignedIn = {
  server: TestServer;
  baseUrl: string;
  browser: Browser;
  /** A browser context holding the first admin's session cookies. */
  context: BrowserContext;
  /** The first admin's access token, for API calls from the test. */
  token: string;
  close(): Promise<void>;
};

/**
 * A real server with MFA off and its first platform admin signed in through the API, the session
 * copied into a browser: page tests do not depend on the sign-in pages (tested on their own).
 * `env` adds server settings (e.g. a shorter execution lease, hence faster worker heartbeats).
 */
export async function signedInAdmin(
  env: Record<string, string> = {},
  options: { wrap?: string[]; publicUrlIsSelf?: boolean } = {},
): Promise<SignedIn> {
  const server = await startServer({ BIFROST_MFA_REQUIRED: "false", ...env }, options);
  const { baseUrl } = server;
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
  const cookies = cookiesOf(login, baseUrl);
  const { accessToken } = (await login.json()) as { accessToken: string };
  const browser = await launchChromium();
  const context = await browser.newContext();
  await context.addCookies(cookies);
  return {
    server,
    baseUrl,
    browser,
    context,
    token: accessToken,
    async close() {
      await browser.close();
      await server.stop();
    },
  };
}
