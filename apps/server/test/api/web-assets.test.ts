import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from "node:zlib";
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../support/app.js";

// The web build writes `.br` and `.gz` beside each built file (apps/web/vite.config.ts); the server
// sends one of them when the request's Accept-Encoding allows it, and the file itself otherwise.

let t: TestApp;
let webDir: string;
const script = Buffer.from(
  Array.from({ length: 200 }, (_, i) => `console.log("line ${i} of the client");`).join("\n"),
);

beforeAll(async () => {
  webDir = mkdtempSync(path.join(os.tmpdir(), "bifrost-web-"));
  mkdirSync(path.join(webDir, "assets"));
  writeFileSync(path.join(webDir, "index.html"), "<!doctype html><title>Bifrost client</title>");
  writeFileSync(path.join(webDir, "assets", "app-abc123.js"), script);
  writeFileSync(path.join(webDir, "assets", "app-abc123.js.gz"), gzipSync(script, { level: 9 }));
  writeFileSync(path.join(webDir, "assets", "app-abc123.js.br"), brotliCompressSync(script));
  writeFileSync(path.join(webDir, "assets", "plain-def456.js"), script);
  t = await createTestApp({ webDir });
});
afterAll(async () => {
  await t.close();
  rmSync(webDir, { recursive: true, force: true });
});

const get = (url: string, acceptEncoding?: string, method: "GET" | "HEAD" = "GET") =>
  t.app.inject({
    method,
    url,
    headers: acceptEncoding === undefined ? {} : { "accept-encoding": acceptEncoding },
  });

/** The headers every variant of a built file carries, compressed or not. */
function expectAssetHeaders(response: LightMyRequestResponse): void {
  expect(response.statusCode).toBe(200);
  // What the file itself is sent as, whichever encoding carries it.
  expect(response.headers["content-type"]).toBe("application/javascript; charset=utf-8");
  expect(response.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
  expect(response.headers.vary).toMatch(/accept-encoding/i);
  expect(response.headers["content-security-policy"]).toContain("script-src 'self'");
}

describe("precompressed web assets", () => {
  it("sends brotli when the browser accepts it, before gzip", async () => {
    const response = await get("/assets/app-abc123.js", "br, gzip");
    expectAssetHeaders(response);
    expect(response.headers["content-encoding"]).toBe("br");
    expect(response.rawPayload.length).toBeLessThan(script.length);
    expect(brotliDecompressSync(response.rawPayload)).toEqual(script);
  });

  it("sends gzip when that is all the browser accepts, or when it refuses brotli", async () => {
    for (const accept of ["gzip", "br;q=0, gzip", "gzip, deflate"]) {
      const response = await get("/assets/app-abc123.js", accept);
      expectAssetHeaders(response);
      expect(response.headers["content-encoding"], accept).toBe("gzip");
      expect(gunzipSync(response.rawPayload), accept).toEqual(script);
    }
  });

  it("sends the file itself to a browser that asks for no encoding (or refuses both)", async () => {
    for (const accept of [undefined, "", "identity", "br;q=0, gzip;q=0", "deflate"]) {
      const response = await get("/assets/app-abc123.js", accept);
      expectAssetHeaders(response);
      expect(response.headers["content-encoding"], String(accept)).toBeUndefined();
      expect(response.rawPayload, String(accept)).toEqual(script);
    }
  });

  it("sends a file without compressed siblings as it is", async () => {
    const response = await get("/assets/plain-def456.js", "br, gzip");
    expectAssetHeaders(response);
    expect(response.headers["content-encoding"]).toBeUndefined();
    expect(response.rawPayload).toEqual(script);
  });

  it("answers HEAD with the headers of the variant GET would send", async () => {
    const response = await get("/assets/app-abc123.js", "br, gzip", "HEAD");
    expectAssetHeaders(response);
    expect(response.headers["content-encoding"]).toBe("br");
    expect(Number(response.headers["content-length"])).toBe(brotliCompressSync(script).length);
    expect(response.rawPayload.length).toBe(0);
  });

  it("still serves index.html for the root and deep links", async () => {
    for (const url of ["/", "/executions/123", "/forms/abc?x=1"]) {
      const response = await get(url, "br, gzip");
      expect(response.statusCode, url).toBe(200);
      expect(response.headers["content-encoding"], url).toBeUndefined();
      expect(response.body, url).toContain("Bifrost client");
      expect(response.headers["cache-control"], url).toBe("no-cache");
      expect(response.headers["content-security-policy"], url).toContain("script-src 'self'");
    }
  });
});

describe("the web build", () => {
  // The tests' global setup runs `node scripts/build.mjs`, which builds the client.
  it("writes .br and .gz beside the main script", () => {
    const assets = path.resolve(import.meta.dirname, "../../../web/dist/assets");
    const files = readdirSync(assets);
    const main = files.find((f) => /^index-[\w-]+\.js$/.test(f));
    expect(main).toBeDefined();
    expect(files).toEqual(expect.arrayContaining([`${main}.br`, `${main}.gz`]));
  });
});
