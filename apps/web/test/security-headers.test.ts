import { once } from "node:events";
import { createServer, type Server } from "node:http";
import { generate } from "otplib";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./browser.js";
import { FIRST_ADMIN, submitFirstRunSetup } from "./first-run.js";
import { watchCsp } from "./csp.js";
import { startServer, type TestServer } from "./server.js";

// The web client's security headers in a real Chromium (issue 17, point 8): another origin cannot
// frame it, a script injected into its page does not run, and the built client works under its
// policy — first-run setup, MFA enrolment with its QR code, the editor, a run and its HTML result —
// with no violation reported. The headers themselves: apps/server/test/api/security-headers.test.ts.

let server: TestServer;
let browser: Browser;
/** A site of another origin (another port): it frames the client and serves a script. */
let attacker: Server;
let attackerOrigin: string;

beforeAll(async () => {
  attacker = createServer((request, response) => {
    if (request.url === "/evil.js") {
      response
        .writeHead(200, { "content-type": "text/javascript" })
        .end("window.__ran.push('script of another origin')");
      return;
    }
    response.writeHead(200, { "content-type": "text/html" }).end(
      `<!doctype html><title>Another site</title>
       <iframe id="victim" title="victim" src="${server.baseUrl}/login" width="800" height="600"
               onload="document.title = 'frame loaded'"></iframe>`,
    );
  });
  attacker.listen(0, "127.0.0.1");
  await once(attacker, "listening");
  const address = attacker.address();
  attackerOrigin = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  attacker?.close();
});

async function newPage(): Promise<{
  context: BrowserContext;
  page: Page;
  csp: Awaited<ReturnType<typeof watchCsp>>;
}> {
  const context = await browser.newContext({ viewport: { width: 1024, height: 700 } });
  const csp = await watchCsp(context);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return { context, page, csp };
}

describe("the web client's Content-Security-Policy in Chromium", () => {
  it("a page of another origin that frames the client gets an error page in the frame, not the client", async () => {
    const { context, page, csp } = await newPage();
    await page.goto(`${attackerOrigin}/`);
    // The frame's load event fires for the error page as for the client: then the verdict is in.
    await page.waitForFunction("document.title === 'frame loaded'");
    const frame = await (await page.$("#victim"))?.contentFrame();
    expect(frame).toBeTruthy();
    expect(frame?.url()).not.toContain(server.baseUrl);
    expect(await frame?.locator("#root").count()).toBe(0);
    expect(await frame?.getByRole("button", { name: "Sign in" }).count()).toBe(0);
    expect(csp.violations().join("\n")).toMatch(/frame-ancestors 'none'/);
    await context.close();
  });

  it("a script injected into the client's page does not run, whatever its form", async () => {
    const { context, page, csp } = await newPage();
    // The sign-in page, or the setup page it leads to while the platform has no user yet.
    await page.goto(`${server.baseUrl}/login`);
    await page.getByLabel("E-mail").waitFor();
    // What an XSS would try: each pushes to __ran if it runs. page.evaluate itself goes through the
    // DevTools protocol, which the page's policy does not govern — what it adds to the page is.
    await page.evaluate(`(() => {
      window.__ran = [];
      const inline = document.createElement("script");
      inline.textContent = "window.__ran.push('inline script')";
      document.body.append(inline);
      const markup = document.createElement("div");
      markup.innerHTML = '<img src="/no-such-image.png" onerror="window.__ran.push(\\'inline handler\\')">';
      document.body.append(markup);
      // Later, from a timer: code the DevTools protocol evaluates may always compile strings.
      setTimeout(() => {
        try { eval("window.__ran.push('eval')"); } catch {}
        try { new Function("window.__ran.push('new Function')")(); } catch {}
        setTimeout("window.__ran.push('string timer')", 0);
      }, 0);
      const data = document.createElement("script");
      data.src = "data:text/javascript,window.__ran.push('data: script')";
      document.body.append(data);
      const remote = document.createElement("script");
      remote.src = ${JSON.stringify(`${attackerOrigin}/evil.js`)};
      document.body.append(remote);
      const link = document.createElement("a");
      link.href = "javascript:window.__ran.push('javascript: URL')";
      document.body.append(link);
      link.click();
    })()`);
    // Until each attempt either ran or was reported as blocked.
    const attempts = 8;
    await expect
      .poll(async () => (await page.evaluate<number>("window.__ran.length")) + csp.violations().length, {
        timeout: 10_000,
      })
      .toBeGreaterThanOrEqual(attempts);
    expect(await page.evaluate<string[]>("window.__ran")).toEqual([]);
    const reported = csp.violations().join("\n");
    expect(reported).toMatch(/script-src-elem blocked inline/);
    expect(reported).toMatch(/script-src-attr blocked inline/);
    expect(reported).toMatch(/script-src blocked eval/);
    expect(reported).toMatch(/script-src-elem blocked data/);
    expect(reported).toContain(`script-src-elem blocked ${attackerOrigin}/evil.js`);
    // The page is still the client, working.
    await page.getByLabel("E-mail").fill("someone@example.com");
    await context.close();
  });

  it("the client works under it: setup, MFA enrolment with its QR code, the editor, a run with an HTML result", async () => {
    const { context, page, csp } = await newPage();
    const document = await page.goto(`${server.baseUrl}/`);
    expect(document?.headers()["content-security-policy"]).toMatch(/script-src 'self'(;|$)/);

    await page.waitForURL((u) => u.pathname === "/setup");
    await submitFirstRunSetup(page);
    await page.waitForURL((u) => u.pathname === "/mfa-setup");
    // The QR code is a data: image: drawn, not blocked.
    const qr = page.getByRole("img", { name: /QR code/ });
    await qr.waitFor();
    await expect
      .poll(() => qr.evaluate((img: { naturalWidth: number }) => img.naturalWidth))
      .toBeGreaterThan(0);
    const secret = (await page.getByTestId("mfa-secret").textContent()) ?? "";
    await page.getByLabel("Code from the app").fill(await generate({ secret }));
    await page.getByRole("button", { name: "Turn on two-factor authentication" }).click();
    await expect.poll(() => page.getByTestId("recovery-codes").locator("li").count()).toBe(10);
    await page.getByRole("button", { name: /continue/ }).click();
    await page.waitForURL((u) => u.pathname === "/workflows");

    // A workflow whose result is an HTML page with a style sheet, written and run through the API.
    const token = await signInThroughApi(secret);
    const api = (method: string, path: string, body: unknown) =>
      fetch(`${server.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      }).then(async (r) => {
        if (!r.ok) throw new Error(`${method} ${path} → ${r.status} ${await r.text()}`);
        return (await r.json()) as Record<string, unknown>;
      });
    await api("PUT", "/api/files/editor/content", {
      path: "report.ts",
      content: `import { workflow } from "@bifrost/sdk";
export const report = workflow({
  async run() {
    return '<html><head><style>p { color: rgb(200, 0, 0) }</style></head><body><p id="line">All good</p></body></html>';
  },
});
`,
    });
    const run = await api("POST", "/api/workflows/execute", {
      workflowName: "report",
      inputData: {},
      sync: true,
    });
    expect(run.status).toBe("Success");

    await page.goto(`${server.baseUrl}/executions/${String(run.executionId)}`);
    const result = page.frameLocator("iframe[title='Result (HTML)']").locator("#line");
    await result.waitFor();
    // The result's own style sheet applies inside its sandboxed frame.
    expect(
      await result.evaluate((p: StyledElement) => p.ownerDocument.defaultView?.getComputedStyle(p).color),
    ).toBe("rgb(200, 0, 0)");

    // The editor (CodeMirror injects its styles at run time) shows the file and takes typing; last,
    // as the change stays unsaved.
    await page.goto(`${server.baseUrl}/editor`);
    await page.getByRole("navigation", { name: "Workspace files" }).getByText("report.ts").click();
    await page.locator(".cm-content", { hasText: "All good" }).waitFor();
    await page.locator(".cm-line", { hasText: "async run" }).click();
    await page.keyboard.type("// typed under the policy");
    await page.locator(".cm-content", { hasText: "typed under the policy" }).waitFor();

    expect(csp.violations()).toEqual([]);
    await context.close();
  });
});

/** The little of the DOM the style check needs (the tests' TypeScript has no DOM types). */
type StyledElement = {
  ownerDocument: { defaultView: { getComputedStyle(element: unknown): { color: string } } | null };
};

/** An access token for the API: password, then a TOTP code of the next step (never one already used). */
async function signInThroughApi(secret: string): Promise<string> {
  const post = (path: string, body: unknown) =>
    fetch(`${server.baseUrl}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }).then((r) => r.json() as Promise<Record<string, unknown>>);
  const login = await post("/auth/login", { email: FIRST_ADMIN.email, password: FIRST_ADMIN.password });
  const code = await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });
  const tokens = await post("/auth/mfa/login", { mfaToken: login.mfaToken, code });
  if (typeof tokens.accessToken !== "string") throw new Error(`no access token: ${JSON.stringify(tokens)}`);
  return tokens.accessToken;
}
