import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { callApi } from "../src/client.js";
import { RUNTIME, type RuntimeHooks } from "../src/context.js";
import { BifrostApiError, NotFoundError } from "../src/errors.js";

let server: Server | undefined;
const okSchema = z.object({ ok: z.boolean() });

/** A local API that answers each request with the next of `answers` (then the last one again). */
async function api(
  answers: Array<{ status: number; body?: unknown } | "drop">,
): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  server = createServer((request, response) => {
    seen.push(`${request.method} ${request.url} ${request.headers.authorization}`);
    const answer = answers[Math.min(seen.length - 1, answers.length - 1)];
    if (answer === "drop" || answer === undefined) {
      request.socket.destroy();
      return;
    }
    response.writeHead(answer.status, { "content-type": "application/json" });
    response.end(answer.body === undefined ? "" : JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const hooks: RuntimeHooks = {
    apiUrl: `http://127.0.0.1:${port}`,
    token: "run-token",
    signal: new AbortController().signal,
    registerSecret: () => undefined,
  };
  (globalThis as { [RUNTIME]?: RuntimeHooks })[RUNTIME] = hooks;
  return { url: hooks.apiUrl, seen };
}

afterEach(async () => {
  delete (globalThis as { [RUNTIME]?: RuntimeHooks })[RUNTIME];
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

describe("the SDK's API client", () => {
  it("retries an idempotent call through 502/503/504 and dropped connections, with the run's token", async () => {
    const { seen } = await api([
      { status: 503 },
      "drop",
      { status: 502 },
      { status: 200, body: { ok: true } },
    ]);
    expect(await callApi("GET", "/api/thing", undefined, { answer: okSchema })).toEqual({ ok: true });
    expect(seen).toHaveLength(4);
    expect(seen.every((s) => s === "GET /api/thing Bearer run-token")).toBe(true);
  });

  it("does not retry a call that is not idempotent", async () => {
    const { seen } = await api([{ status: 503, body: { error: "unavailable", message: "down" } }]);
    await expect(callApi("POST", "/api/thing", { a: 1 })).rejects.toMatchObject({
      status: 503,
      kind: "unavailable",
    });
    expect(seen).toHaveLength(1);
  });

  it("surfaces API errors as typed errors: 404 is NotFoundError, others BifrostApiError with details", async () => {
    await api([{ status: 404, body: { error: "not_found", message: "Execution not found" } }]);
    await expect(callApi("GET", "/api/executions/x")).rejects.toBeInstanceOf(NotFoundError);
    await new Promise((resolve) => server?.close(resolve));
    await api([
      { status: 422, body: { error: "validation_error", message: "bad", details: { fields: [] } } },
    ]);
    const error = await callApi("POST", "/api/x", {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BifrostApiError);
    expect(error).toMatchObject({
      status: 422,
      kind: "validation_error",
      message: "bad",
      details: { fields: [] },
    });
  });

  it("checks a successful answer against the route's schema: a body of another shape is an error, not a cast", async () => {
    await api([{ status: 200, body: { ok: "yes", secretish: "x" } }]);
    const error = await callApi("GET", "/api/thing?limit=5", undefined, { answer: okSchema }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BifrostApiError);
    expect(error).toMatchObject({ status: 200, kind: "unexpected_answer" });
    expect((error as Error).message).toMatch(/GET \/api\/thing with an unexpected body \(ok: /);
    expect((error as Error).message).not.toContain("yes");
  });

  it("answers what the schema parsed: fields the contract does not name are dropped", async () => {
    await api([{ status: 200, body: { ok: true, internal: "not for authors" } }]);
    expect(await callApi("GET", "/api/thing", undefined, { answer: okSchema })).toEqual({ ok: true });
  });

  it("a body that is not JSON (a proxy's page) fails the check instead of answering undefined", async () => {
    server = createServer((_request, response) => response.writeHead(200).end("<html>gateway</html>"));
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    (globalThis as { [RUNTIME]?: RuntimeHooks })[RUNTIME] = {
      apiUrl: `http://127.0.0.1:${port}`,
      token: "run-token",
      signal: new AbortController().signal,
      registerSecret: () => undefined,
    };
    await expect(callApi("GET", "/api/thing", undefined, { answer: okSchema })).rejects.toMatchObject({
      kind: "unexpected_answer",
    });
  });

  it("only works inside a run", async () => {
    await expect(callApi("GET", "/api/x")).rejects.toThrow(/inside a Bifrost run/);
  });
});
