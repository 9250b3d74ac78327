import { DiskFileStore } from "../../src/infra/files/disk-file-store.js";
import { MemoryBroker, MemoryWorkQueue } from "../../src/infra/queue/memory-queue.js";
import { errorBodySchema, errorStatusByKind, type ErrorKind } from "@bifrost/contracts";
import { sql } from "drizzle-orm";
import type { FastifyPluginAsync } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { buildApp } from "../../src/api/app.js";
import { openDatabase } from "../../src/db/database.js";
import { organizations } from "../../src/db/schema/index.js";
import { NotFoundError } from "../../src/errors.js";
import { createLogger } from "../../src/infra/logger.js";
import { MemoryBus } from "../../src/infra/bus/memory-bus.js";
import { createApiServices } from "../../src/roles/api-services/index.js";
import { createTestApp, TEST_SECRET_KEY, type TestApp } from "../support/app.js";
import { freePort } from "../support/server-process.js";

const BODY_LIMIT = 64 * 1024;

let t: TestApp;

const fixtures: FastifyPluginAsync = async (plain) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const config = { access: "public" as const };
  app.post(
    "/api/test/echo",
    { config, schema: { body: z.object({ name: z.string().min(1), count: z.number().int() }) } },
    (request) => request.body,
  );
  app.post(
    "/api/test/organizations",
    { config, schema: { body: z.object({ name: z.string() }) } },
    async (request, reply) => {
      await t.database.db.insert(organizations).values({ name: request.body.name });
      return reply.code(201).send({ ok: true });
    },
  );
  app.get("/api/test/network", { config }, () => {
    // A network failure outside the database path (e.g. a vendor API) is not "database unavailable".
    throw Object.assign(new Error("connect ECONNREFUSED 10.0.0.5:443"), { code: "ECONNREFUSED" });
  });
  app.get("/api/test/crash", { config }, () => {
    throw new Error("secret detail at /srv/internal/payments.ts:12");
  });
  app.get("/api/test/bad-sql", { config }, async () => {
    await t.database.db.execute(sql`select secret_column from no_such_table`);
    return {};
  });
  app.get("/api/test/items/:id", { config, schema: { params: z.object({ id: z.uuid() }) } }, () => {
    throw new NotFoundError("Item not found");
  });
};

beforeAll(async () => {
  t = await createTestApp({ extraRoutes: [fixtures], bodyLimitBytes: BODY_LIMIT });
});
afterAll(async () => {
  await t.close();
});

function expectErrorBody(body: string, kind: string): z.infer<typeof errorBodySchema> {
  const parsed = errorBodySchema.parse(JSON.parse(body));
  expect(parsed.error).toBe(kind);
  expect(parsed.requestId).toMatch(/\S/);
  expect(body).not.toMatch(/at .+\.(ts|js):\d+|stack/i);
  return parsed;
}

/**
 * Every documented route with its methods, path parameters filled with a UUID, and a pattern that
 * matches any value of them (`/api/workflows/execute` is also `/api/workflows/{id}` under PATCH).
 */
function documentedRoutes(): Array<{ method: string; url: string; pattern: RegExp; needsToken: boolean }> {
  const paths = (t.app.swagger() as { paths: Record<string, Record<string, { security?: unknown[] }>> })
    .paths;
  return Object.entries(paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, operation]) => ({
      method: method.toUpperCase(),
      url: path.replace(/\{[^}]+\}/g, "00000000-0000-4000-8000-000000000000"),
      pattern: new RegExp(`^${path.replace(/\{[^}]+\}/g, "[^/]+")}$`),
      needsToken: (operation.security?.length ?? 0) > 0,
    })),
  );
}

/**
 * Routes whose body is raw bytes, not JSON: a signed upload (the file) and a webhook receiver (what
 * the sender sent, kept as text when it is not JSON; an unknown source is 404 before the body).
 */
const RAW_BODY_ROUTES = [/^PUT \/api\/files\/signed$/, /^POST \/api\/hooks\/[^/]+$/];

describe("the error model", () => {
  it("answers malformed JSON, wrong content types and oversized bodies on every route with its error kind", async () => {
    const routes = documentedRoutes();
    expect(routes.length).toBeGreaterThanOrEqual(4);
    const cases = [
      {
        kind: "bad_request" as const,
        headers: { "content-type": "application/json" },
        payload: '{"name": "x",',
      },
      {
        kind: "unsupported_media_type" as const,
        headers: { "content-type": "text/plain" },
        payload: "hello",
      },
      {
        kind: "unsupported_media_type" as const,
        headers: { "content-type": "application/xml" },
        payload: "<a/>",
      },
      {
        kind: "payload_too_large" as const,
        headers: { "content-type": "application/json" },
        payload: JSON.stringify({ name: "x".repeat(BODY_LIMIT * 2) }),
      },
    ];
    let bodyRoutes = 0;
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      for (const url of new Set(routes.map((r) => r.url))) {
        // A signed upload takes any bytes as its body (the file): no JSON to be malformed.
        if (RAW_BODY_ROUTES.some((raw) => raw.test(`${method} ${url}`))) continue;
        const route =
          routes.find((r) => r.url === url && r.method === method) ??
          routes.find((r) => r.method === method && r.pattern.test(url));
        const accepts = route !== undefined;
        if (accepts) bodyRoutes += 1;
        for (const c of cases) {
          const response = await t.app.inject({
            method: method as "POST",
            url,
            headers: c.headers,
            payload: c.payload,
          });
          const label = `${method} ${url} (${c.headers["content-type"]}, ${c.payload.length} bytes)`;
          // Anonymous callers of a protected route are refused before the body is read; a public route
          // parses the body first; any other path answers 405 for the method.
          const expected: ErrorKind = !route
            ? "method_not_allowed"
            : route.needsToken
              ? "unauthorized"
              : c.kind;
          expect(response.statusCode, label).toBe(errorStatusByKind[expected]);
          expect(errorBodySchema.parse(response.json()).error, label).toBe(expected);
        }
      }
    }
    expect(bodyRoutes).toBeGreaterThanOrEqual(2);
  });

  it("malformed JSON is 400 bad_request", async () => {
    const response = await t.app.inject({
      method: "POST",
      url: "/api/test/echo",
      headers: { "content-type": "application/json" },
      payload: '{"name": ',
    });
    expect(response.statusCode).toBe(400);
    expectErrorBody(response.body, "bad_request");
  });

  it("a body that is not JSON is 415 unsupported_media_type", async () => {
    const response = await t.app.inject({
      method: "POST",
      url: "/api/test/echo",
      headers: { "content-type": "text/plain" },
      payload: "name=x",
    });
    expect(response.statusCode).toBe(415);
    expectErrorBody(response.body, "unsupported_media_type");
  });

  it("a body over the limit is 413 payload_too_large", async () => {
    const response = await t.app.inject({
      method: "POST",
      url: "/api/test/echo",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ name: "x".repeat(BODY_LIMIT + 1), count: 1 }),
    });
    expect(response.statusCode).toBe(413);
    expectErrorBody(response.body, "payload_too_large");
  });

  it("invalid input is 422 validation_error listing each bad field", async () => {
    const response = await t.app.inject({
      method: "POST",
      url: "/api/test/echo",
      payload: { name: "", count: 1.5 },
    });
    expect(response.statusCode).toBe(422);
    const body = expectErrorBody(response.body, "validation_error");
    const fields = (body.details as { fields: Array<{ path: string; message: string }> }).fields;
    expect(fields.map((f) => f.path).sort()).toEqual(["body.count", "body.name"]);
    expect(fields.every((f) => f.message.length > 0)).toBe(true);
  });

  it("an invalid path parameter is 422 naming the parameter", async () => {
    const response = await t.app.inject({ method: "GET", url: "/api/test/items/not-a-uuid" });
    expect(response.statusCode).toBe(422);
    const body = expectErrorBody(response.body, "validation_error");
    expect(body.details).toEqual({ fields: [expect.objectContaining({ path: "params.id" })] });
  });

  it("valid input reaches the handler", async () => {
    const response = await t.app.inject({
      method: "POST",
      url: "/api/test/echo",
      payload: { name: "a", count: 2 },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ name: "a", count: 2 });
  });

  it("a unique violation in the database is 409 conflict without SQL text", async () => {
    const first = await t.app.inject({
      method: "POST",
      url: "/api/test/organizations",
      payload: { name: "Contoso" },
    });
    expect(first.statusCode).toBe(201);
    const second = await t.app.inject({
      method: "POST",
      url: "/api/test/organizations",
      payload: { name: "contoso" },
    });
    expect(second.statusCode).toBe(409);
    expectErrorBody(second.body, "conflict");
    expect(second.body).not.toMatch(/organizations_name_unique|insert|duplicate key/i);
  });

  it("a NotFoundError is 404 not_found with its message", async () => {
    const response = await t.app.inject({
      method: "GET",
      url: "/api/test/items/00000000-0000-4000-8000-000000000000",
    });
    expect(response.statusCode).toBe(404);
    expect(expectErrorBody(response.body, "not_found").message).toBe("Item not found");
  });

  it("an unknown API route is 404 and a known path under another method is 405 with Allow", async () => {
    const unknown = await t.app.inject({ method: "GET", url: "/api/does-not-exist" });
    expect(unknown.statusCode).toBe(404);
    expectErrorBody(unknown.body, "not_found");
    const wrongMethod = await t.app.inject({ method: "DELETE", url: "/api/test/echo" });
    expect(wrongMethod.statusCode).toBe(405);
    expect(wrongMethod.headers.allow).toBe("POST");
    expectErrorBody(wrongMethod.body, "method_not_allowed");
  });

  it("an unexpected error is 500 with a safe message and the request id, never the error text", async () => {
    const response = await t.app.inject({ method: "GET", url: "/api/test/crash" });
    expect(response.statusCode).toBe(500);
    const body = expectErrorBody(response.body, "internal_error");
    expect(body.message).toBe("Internal server error");
    expect(body.requestId).toBe(response.headers["x-request-id"]);
    expect(response.body).not.toContain("secret detail");
  });

  it("a network error outside the database path is 500, not a database outage", async () => {
    const response = await t.app.inject({ method: "GET", url: "/api/test/network" });
    expect(response.statusCode).toBe(500);
    expectErrorBody(response.body, "internal_error");
    expect(response.body).not.toContain("10.0.0.5");
  });

  it("a failing SQL statement is 500 without the SQL text", async () => {
    const response = await t.app.inject({ method: "GET", url: "/api/test/bad-sql" });
    expect(response.statusCode).toBe(500);
    expectErrorBody(response.body, "internal_error");
    expect(response.body).not.toMatch(/no_such_table|secret_column|select/i);
  });

  it("keeps a well-formed X-Request-Id from the caller and replaces an unsafe one", async () => {
    const kept = await t.app.inject({
      method: "GET",
      url: "/health",
      headers: { "x-request-id": "trace-abc.123" },
    });
    expect(kept.headers["x-request-id"]).toBe("trace-abc.123");
    const replaced = await t.app.inject({
      method: "GET",
      url: "/health",
      headers: { "x-request-id": "<script>" },
    });
    expect(replaced.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("when the database is down", () => {
  it("a route that reads it answers 503 unavailable, not 500", async () => {
    const database = await openDatabase({
      engine: "postgres",
      url: `postgres://postgres@127.0.0.1:${await freePort()}/none`,
      poolSize: 1,
    });
    const app = await buildApp({
      logger: createLogger({ level: "silent", role: "test" }),
      bodyLimitBytes: BODY_LIMIT,
      trustedProxies: [],
      webDir: "/nonexistent",
      version: "test",
      secureCookies: false,
      services: await createApiServices({
        role: "api",
        db: database.db,
        bus: new MemoryBus(),
        queue: new MemoryWorkQueue(new MemoryBroker()),
        files: new DiskFileStore({ root: "/nonexistent-files" }),
        probes: [{ name: "database", adapter: "postgres", check: () => database.ping() }],
        secretKey: TEST_SECRET_KEY,
        mfaRequired: true,
        loginRateLimit: 10,
      }),
    });
    try {
      const status = await app.inject({ method: "GET", url: "/auth/status" });
      expect(status.statusCode).toBe(503);
      expectErrorBody(status.body, "unavailable");
      const ready = await app.inject({ method: "GET", url: "/health/ready" });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({
        status: "unavailable",
        components: { database: { status: "down" } },
      });
    } finally {
      await app.close();
      await database.close();
    }
  });
});
