import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { readinessSchema } from "@bifrost/contracts";
import type { FastifyPluginAsync } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UnavailableError } from "../../src/errors.js";
import { publicReason } from "../../src/services/health/readiness.js";
import { createTestApp, type TestApp } from "../support/app.js";

let t: TestApp;
let webDir: string;
let busDown = false;
let releaseSlow: (() => void) | undefined;

const slowRoute: FastifyPluginAsync = async (app) => {
  app.get("/api/test/slow", { config: { access: "public" } }, async () => {
    await new Promise<void>((resolve) => (releaseSlow = resolve));
    return { finished: true };
  });
};

beforeAll(async () => {
  webDir = mkdtempSync(path.join(os.tmpdir(), "bifrost-web-"));
  mkdirSync(path.join(webDir, "assets"));
  writeFileSync(path.join(webDir, "index.html"), "<!doctype html><title>Bifrost client</title>");
  writeFileSync(path.join(webDir, "assets", "app-1234.js"), "console.log('client')");
  writeFileSync(path.join(os.tmpdir(), "bifrost-outside.txt"), "outside the web dir");
  t = await createTestApp({
    webDir,
    extraRoutes: [slowRoute],
    probes: [
      { name: "database", adapter: "postgres", check: () => Promise.resolve() },
      {
        name: "bus",
        adapter: "redis",
        check: () =>
          busDown ? Promise.reject(new UnavailableError("bus", "connect ECONNREFUSED")) : Promise.resolve(),
      },
    ],
  });
});
afterAll(async () => {
  await t.close();
  rmSync(webDir, { recursive: true, force: true });
});

describe("health", () => {
  it("GET /health answers that the process is alive", async () => {
    const response = await t.app.inject({ method: "GET", url: "/health" });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: "ok" });
  });

  it("GET /health/ready is 200 with every component ok, and 503 naming the component that is down", async () => {
    const ready = await t.app.inject({ method: "GET", url: "/health/ready" });
    expect(ready.statusCode).toBe(200);
    expect(readinessSchema.parse(ready.json())).toEqual({
      status: "ok",
      role: "api",
      components: {
        database: { status: "ok", adapter: "postgres" },
        bus: { status: "ok", adapter: "redis" },
      },
    });
    busDown = true;
    try {
      const down = await t.app.inject({ method: "GET", url: "/health/ready" });
      expect(down.statusCode).toBe(503);
      // The reason is public: the driver's text (hosts, ports, users) stays in the log.
      expect(down.body).not.toMatch(/10\.9\.8\.7|6379|bifrost/);
      expect(down.json()).toEqual({
        status: "unavailable",
        role: "api",
        components: {
          database: { status: "ok", adapter: "postgres" },
          bus: { status: "down", adapter: "redis", error: "connection refused" },
        },
      });
    } finally {
      busDown = false;
    }
  });

  it("GET /auth/status reads the database: a new platform needs setup", async () => {
    const response = await t.app.inject({ method: "GET", url: "/auth/status" });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      needsSetup: true,
      passwordLogin: true,
      mfaRequired: true,
      ssoProviders: [],
    });
  });
});

describe("OpenAPI", () => {
  it("serves an OpenAPI 3.1 document describing the routes, and a docs page", async () => {
    const doc = await t.app.inject({ method: "GET", url: "/api/openapi.json" });
    expect(doc.statusCode).toBe(200);
    const body = doc.json<{ openapi: string; paths: Record<string, Record<string, unknown>> }>();
    expect(body.openapi).toBe("3.1.0");
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining(["/health", "/health/ready", "/auth/status"]),
    );
    expect(body.paths["/health/ready"]?.get).toHaveProperty("responses.503");
    const docs = await t.app.inject({ method: "GET", url: "/api/docs/" });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers["content-type"]).toMatch(/text\/html/);
  });
});

describe("the web client", () => {
  it("serves index.html for deep links outside the API paths", async () => {
    for (const url of ["/", "/executions/123", "/forms/abc?x=1"]) {
      const response = await t.app.inject({ method: "GET", url });
      expect(response.statusCode, url).toBe(200);
      expect(response.body, url).toContain("Bifrost client");
      expect(response.headers["cache-control"], url).toBe("no-cache");
    }
  });

  it("serves built assets with long-lived caching", async () => {
    const response = await t.app.inject({ method: "GET", url: "/assets/app-1234.js" });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain("client");
    expect(response.headers["cache-control"]).toMatch(/immutable/);
  });

  it("never serves files outside the web directory", async () => {
    for (const url of [
      "/../bifrost-outside.txt",
      "/%2e%2e/bifrost-outside.txt",
      "/assets/..%2f..%2fbifrost-outside.txt",
    ]) {
      const response = await t.app.inject({ method: "GET", url });
      expect(response.body, url).not.toContain("outside the web dir");
    }
  });

  it("does not answer API paths with the client", async () => {
    for (const url of ["/api/nope", "/auth/nope", "/health/nope", "/ws/nope", "/mcp"]) {
      const response = await t.app.inject({ method: "GET", url });
      expect(response.statusCode, url).toBe(404);
      expect(response.json(), url).toMatchObject({ error: "not_found" });
    }
  });
});

describe("graceful shutdown", () => {
  it("closing the app lets an in-flight request finish and refuses new connections", async () => {
    const address = await t.app.listen({ host: "127.0.0.1", port: 0 });
    const inFlight = fetch(`${address}/api/test/slow`);
    const deadline = Date.now() + 5_000;
    while (!releaseSlow && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(releaseSlow).toBeDefined();
    const closing = t.app.close();
    setTimeout(() => releaseSlow?.(), 200);
    const response = await inFlight;
    expect(response.status).toBe(200);
    // An answer sent while closing ends its keep-alive connection, so close() is not held open.
    expect(response.headers.get("connection")).toBe("close");
    expect(await response.json()).toEqual({ finished: true });
    await closing;
    await expect(fetch(`${address}/health`)).rejects.toThrow();
  });
});

describe("readiness reasons", () => {
  it("classifies driver errors into short public reasons", () => {
    const coded = (message: string, code: string) => Object.assign(new Error(message), { code });
    expect(
      publicReason(new Error("x", { cause: coded("connect ECONNREFUSED 10.0.0.1:5432", "ECONNREFUSED") })),
    ).toBe("connection refused");
    expect(publicReason(coded('password authentication failed for user "bifrost"', "28P01"))).toBe(
      "authentication failed",
    );
    expect(publicReason(new Error("no answer within 3 s"))).toBe("no answer in time");
    expect(publicReason(new Error("RabbitMQ is not connected"))).toBe("not connected");
    expect(publicReason(new Error("something odd at db.internal:5432"))).toBe("unavailable");
  });
});
