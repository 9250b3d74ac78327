import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../support/app.js";

// The security headers of every answer (issue 17, point 8). The browser side — that Chromium really
// refuses to frame the client and runs no injected script under this policy, and that the built
// client works under it — is apps/web/test/security-headers.test.ts.

let plain: TestApp;
let https: TestApp;
let webDir: string;

beforeAll(async () => {
  webDir = mkdtempSync(path.join(os.tmpdir(), "bifrost-web-"));
  mkdirSync(path.join(webDir, "assets"));
  writeFileSync(path.join(webDir, "index.html"), "<!doctype html><title>Bifrost client</title>");
  writeFileSync(path.join(webDir, "assets", "app-1234.js"), "console.log('client')");
  writeFileSync(path.join(webDir, "robots.txt"), "User-agent: *");
  [plain, https] = await Promise.all([
    createTestApp({ webDir }),
    createTestApp({ webDir, publicUrl: "https://bifrost.example.com:8443/base" }),
  ]);
});
afterAll(async () => {
  await Promise.all([plain?.close(), https?.close()]);
  rmSync(webDir, { recursive: true, force: true });
});

/** The directives of a Content-Security-Policy header, by name. */
function directives(response: LightMyRequestResponse): Map<string, string[]> {
  const header = response.headers["content-security-policy"];
  expect(typeof header, "content-security-policy").toBe("string");
  const map = new Map<string, string[]>();
  for (const part of String(header).split(";")) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) map.set(name.toLowerCase(), values);
  }
  return map;
}

const WEB_CLIENT = ["/", "/executions/123", "/login?next=%2Fadmin", "/assets/app-1234.js", "/robots.txt"];
type Request = { method: "GET" | "POST" | "DELETE"; url: string; payload?: string; contentType?: string };

const API: Request[] = [
  { method: "GET", url: "/health" },
  { method: "GET", url: "/auth/status" },
  { method: "GET", url: "/api/openapi.json" },
  { method: "GET", url: "/api/docs/" },
  { method: "GET", url: "/api/workflows" }, // 401
  { method: "GET", url: "/api/nope" }, // 404
  { method: "DELETE", url: "/auth/status" }, // 405
  { method: "POST", url: "/auth/login", payload: "{not json", contentType: "application/json" }, // 400
  { method: "POST", url: "/auth/login", payload: "x", contentType: "text/html" }, // 415
  { method: "GET", url: "/api/oauth/callback/x?code=a&state=b" }, // 400
];

async function send(app: TestApp, request: Request): Promise<LightMyRequestResponse> {
  return app.app.inject({
    method: request.method,
    url: request.url,
    ...(request.payload === undefined
      ? {}
      : { payload: request.payload, headers: { "content-type": request.contentType ?? "" } }),
  });
}

describe("the web client's answers", () => {
  it("carry a Content-Security-Policy that allows scripts from this origin only and no framing", async () => {
    for (const url of WEB_CLIENT) {
      const response = await plain.app.inject({ method: "GET", url });
      expect(response.statusCode, url).toBe(200);
      const csp = directives(response);
      // No inline script, no eval, no other origin: the only scripts are the built client's files.
      expect(csp.get("script-src"), url).toEqual(["'self'"]);
      expect(csp.get("default-src"), url).toEqual(["'self'"]);
      expect(csp.get("object-src"), url).toEqual(["'none'"]);
      expect(csp.get("base-uri"), url).toEqual(["'none'"]);
      expect(csp.get("frame-ancestors"), url).toEqual(["'none'"]);
      expect(csp.get("form-action"), url).toEqual(["'self'"]);
      expect(csp.get("worker-src"), url).toEqual(["'self'"]);
      // WebSocket and fetch to this origin only (no public URL configured).
      expect(csp.get("connect-src"), url).toEqual(["'self'"]);
      for (const [name, values] of csp) {
        expect(values, `${url} ${name}`).not.toContain("*");
        if (name !== "style-src") expect(values, `${url} ${name}`).not.toContain("'unsafe-inline'");
        expect(values, `${url} ${name}`).not.toContain("'unsafe-eval'");
      }
      expect(response.headers["x-frame-options"], url).toBe("DENY");
      expect(response.headers["x-content-type-options"], url).toBe("nosniff");
      expect(response.headers["referrer-policy"], url).toBe("same-origin");
      expect(response.headers["strict-transport-security"], url).toBeUndefined();
    }
  });

  it("let the client's scripts reach the public URL's origin, where signed upload URLs point", async () => {
    const response = await https.app.inject({ method: "GET", url: "/" });
    expect(directives(response).get("connect-src")).toEqual(["'self'", "https://bifrost.example.com:8443"]);
  });
});

describe("the API's answers", () => {
  it("are never framed, never sniffed and send no referrer elsewhere, errors included", async () => {
    for (const request of API) {
      const what = `${request.method} ${request.url}`;
      const response = await send(plain, request);
      expect(response.statusCode, what).toBeLessThan(500);
      expect(directives(response).get("frame-ancestors"), what).toEqual(["'none'"]);
      expect(response.headers["x-frame-options"], what).toBe("DENY");
      expect(response.headers["x-content-type-options"], what).toBe("nosniff");
      expect(response.headers["referrer-policy"], what).toBe("same-origin");
    }
  });

  it("load nothing when opened as a page (the docs keep the policy of their own bundled files)", async () => {
    for (const url of ["/health", "/api/nope", "/api/oauth/callback/x?code=a&state=b"]) {
      const response = await plain.app.inject({ method: "GET", url });
      expect(directives(response).get("default-src"), url).toEqual(["'none'"]);
    }
    const docs = directives(await plain.app.inject({ method: "GET", url: "/api/docs/" }));
    expect(docs.get("script-src")?.[0]).toBe("'self'");
    expect(docs.get("script-src")).not.toContain("'unsafe-inline'");
  });
});

describe("Strict-Transport-Security", () => {
  it("is sent on every answer when the public URL is https, for a year", async () => {
    for (const request of [...API, ...WEB_CLIENT.map((url): Request => ({ method: "GET", url }))]) {
      const what = `${request.method} ${request.url}`;
      const response = await send(https, request);
      expect(response.headers["strict-transport-security"], what).toBe("max-age=31536000");
    }
  });

  it("is never sent when the public URL is not https", async () => {
    for (const request of API) {
      const response = await send(plain, request);
      expect(response.headers["strict-transport-security"], request.url).toBeUndefined();
    }
  });
});
