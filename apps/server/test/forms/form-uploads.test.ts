import { createHmac } from "node:crypto";
import http from "node:http";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecretBox } from "../../src/infra/crypto/secret-box.js";
import { TEST_SECRET_KEY } from "../support/app.js";
import { createTestContext, type Client, type TestContext } from "../support/context.js";
import { workflowId, writeWorkspaceFile } from "../workspace/workspace-fixtures.js";
import { createForm, FORM_WORKFLOWS } from "./forms-fixtures.js";

// Issue 17, point 4: a form's upload URL carries the file field's limits in its signed grant and the
// PUT enforces them; a user holds a bounded number of pending uploads per file field.

/** `contract` has limits of its own; `attachment` has none (the server's default size, any type). */
const uploadsForm = (onboard: string, organizationId: string, roleId: string) => ({
  name: `Uploads ${Math.random().toString(36).slice(2, 8)}`,
  workflowId: onboard,
  organizationId,
  accessLevel: "role_based",
  roleIds: [roleId],
  fields: [
    { name: "email", label: "E-mail", type: "email", required: true },
    { name: "licence", label: "Licence", type: "text", required: true },
    {
      name: "contract",
      label: "Contract",
      type: "file",
      validation: { maxSize: 1000, allowedTypes: ["text/*"] },
    },
    { name: "attachment", label: "Attachment", type: "file" },
  ],
});

type Answer = { status: number; body: string; headers: http.IncomingHttpHeaders };

/**
 * A raw PUT over a real socket, as an attacker's client would send it: `chunks` are written one by
 * one (chunked unless a content-length is given); with `end: false` the body is never finished, so
 * only an answer the server gives before reading it all arrives (else status 0 after 5 s).
 */
function put(
  url: string,
  options: { headers?: Record<string, string>; chunks: Buffer[]; end?: boolean },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const request = http.request(url, { method: "PUT", headers: options.headers ?? {} }, (response) => {
      answered = true;
      let body = "";
      response.on("data", (chunk: Buffer) => (body += chunk.toString()));
      response.on("end", () => {
        clearTimeout(timer);
        request.destroy();
        resolve({ status: response.statusCode ?? 0, body, headers: response.headers });
      });
    });
    const timer = setTimeout(() => {
      request.destroy();
      resolve({ status: 0, body: "no answer within 5 s", headers: {} });
    }, 5_000);
    // The server may close the socket while the rest of the body is still being written.
    request.on("error", (error) => {
      if (!answered) {
        clearTimeout(timer);
        reject(error);
      }
    });
    void (async () => {
      for (const chunk of options.chunks) {
        if (request.destroyed) return;
        request.write(chunk);
        await new Promise((next) => setTimeout(next, 20));
      }
      if (options.end !== false && !request.destroyed) request.end();
    })();
  });
}

type Grant = Record<string, unknown>;
const tokenOf = (uploadUrl: string): string => new URL(uploadUrl).searchParams.get("token") ?? "";
const grantOf = (uploadUrl: string): Grant =>
  JSON.parse(Buffer.from(tokenOf(uploadUrl).split(".")[0] ?? "", "base64url").toString("utf8")) as Grant;

/** The URL with its grant rewritten and the original MAC kept: what a tampering client sends. */
function tampered(uploadUrl: string, change: (grant: Grant) => Grant): string {
  const url = new URL(uploadUrl);
  const mac = tokenOf(uploadUrl).split(".")[1] ?? "";
  const forged = Buffer.from(JSON.stringify(change(grantOf(uploadUrl)))).toString("base64url");
  url.searchParams.set("token", `${forged}.${mac}`);
  return url.toString();
}

describe("form uploads: the signed grant carries the field's limits", () => {
  let ctx: TestContext;
  let onboard: string;
  let base: string;

  beforeAll(async () => {
    ctx = await createTestContext();
    onboard = workflowId(
      await writeWorkspaceFile(ctx.admin, "forms/onboarding.ts", FORM_WORKFLOWS),
      "onboard",
    );
    base = await ctx.app.app.listen({ host: "127.0.0.1", port: 0 });
  }, 60_000);
  afterAll(async () => ctx?.close());

  const newForm = () => createForm(ctx.admin, uploadsForm(onboard, ctx.orgA.id, ctx.roleId));

  const mint = (formId: string, body: object = {}, client: Client = ctx.orgA.withRole) =>
    client.request("POST", `/api/forms/${formId}/upload`, {
      fieldName: "contract",
      fileName: "contract.txt",
      contentType: "text/plain",
      size: 10,
      ...body,
    });

  /** A signed URL for the form, pointed at the listening server. */
  const signedUrl = async (formId: string, body: object = {}, client?: Client) => {
    const response = await mint(formId, body, client);
    expect(response.statusCode, response.body).toBe(200);
    const { uploadUrl, path } = response.json<{ uploadUrl: string; path: string }>();
    const url = new URL(uploadUrl);
    return { url: `${base}${url.pathname}${url.search}`, path };
  };

  const stored = async (formId: string): Promise<string[]> =>
    (await ctx.app.files.list(`uploads/orgs/${ctx.orgA.id}/forms/${formId}/`)).map((file) => file.key);

  it("an upload over the field's maxSize is 413 (declared, streamed or sent whole) and stores nothing", async () => {
    const formId = await newForm();
    const { url } = await signedUrl(formId);

    // A declared 50 MB (under the old 100 MB cap): refused before the body is read, not after.
    const declared = await put(url, {
      headers: { "content-type": "text/plain", "content-length": String(50 * 1024 * 1024) },
      chunks: [Buffer.alloc(64 * 1024, 97)],
      end: false,
    });
    expect(declared.status, declared.body).toBe(413);

    // No Content-Length: counted as it arrives.
    const streamed = await put(url, {
      headers: { "content-type": "text/plain" },
      chunks: [Buffer.alloc(600, 97), Buffer.alloc(600, 97), Buffer.alloc(600, 97)],
    });
    expect(streamed.status, streamed.body).toBe(413);

    const whole = await put(url, {
      headers: { "content-type": "text/plain", "content-length": "1001" },
      chunks: [Buffer.alloc(1001, 97)],
    });
    expect(whole.status, whole.body).toBe(413);
    expect(await stored(formId)).toEqual([]);

    const exact = await put(url, {
      headers: { "content-type": "text/plain", "content-length": "1000" },
      chunks: [Buffer.alloc(1000, 97)],
    });
    expect(exact.status, exact.body).toBe(200);
    expect(await stored(formId)).toHaveLength(1);
  });

  it("a PUT whose Content-Type is not the accepted one is 415 and stores nothing", async () => {
    const formId = await newForm();
    const { url } = await signedUrl(formId);
    const body = [Buffer.from("MZ not a contract")];
    const refusedHeaders: Array<Record<string, string>> = [
      { "content-type": "application/x-msdownload" },
      { "content-type": "image/svg+xml" },
      // Within the field's text/*, but not the type this upload declared and was granted.
      { "content-type": "text/html" },
      {},
    ];
    for (const headers of refusedHeaders) {
      const refused = await put(url, { headers, chunks: body });
      expect(refused.status, `${JSON.stringify(headers)}: ${refused.body}`).toBe(415);
    }
    expect(await stored(formId)).toEqual([]);
    const accepted = await put(url, {
      headers: { "content-type": "Text/Plain; charset=utf-8" },
      chunks: body,
    });
    expect(accepted.status, accepted.body).toBe(200);

    // A field without allowedTypes takes any type.
    const free = await signedUrl(formId, { fieldName: "attachment", contentType: "application/pdf" });
    const any = await put(free.url, { headers: { "content-type": "image/png" }, chunks: body });
    expect(any.status, any.body).toBe(200);
  });

  it("the grant names the field's maxSize and type; changing either breaks its signature (403)", async () => {
    const formId = await newForm();
    const { url } = await signedUrl(formId);
    expect(grantOf(url)).toMatchObject({ s: 1000, t: ["text/plain"] });
    const free = await signedUrl(formId, { fieldName: "attachment", contentType: "application/pdf" });
    expect(grantOf(free.url)).toMatchObject({ s: 100 * 1024 * 1024 });

    const bigger = tampered(url, (grant) => ({ ...grant, s: 10 * 1024 * 1024 }));
    const big = await put(bigger, {
      headers: { "content-type": "text/plain", "content-length": "5000" },
      chunks: [Buffer.alloc(5000, 97)],
    });
    expect(big.status, big.body).toBe(403);
    const anyType = tampered(url, (grant) => {
      const { t: _types, ...rest } = grant;
      return rest;
    });
    const exe = await put(anyType, {
      headers: { "content-type": "application/x-msdownload" },
      chunks: [Buffer.from("MZ")],
    });
    expect(exe.status, exe.body).toBe(403);
    const widened = tampered(url, (grant) => ({ ...grant, t: ["*/*"] }));
    expect(
      (await put(widened, { headers: { "content-type": "text/html" }, chunks: [Buffer.from("<p>")] })).status,
    ).toBe(403);
    expect(await stored(formId)).toEqual([]);
  });

  it("a user gets at most 5 pending upload URLs per file field (429 past it) until the form is submitted", async () => {
    const formId = await newForm();
    const user = ctx.orgA.withRole;
    // Asked all at once: the cap holds under concurrency too.
    const burst = await Promise.all(Array.from({ length: 8 }, () => mint(formId)));
    const statuses = burst.map((response) => response.statusCode).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    const refused = burst.find((response) => response.statusCode === 429);
    const retryAfter = Number(refused?.headers["retry-after"]);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(24 * 3600);
    expect(refused?.json()).toMatchObject({ error: "rate_limited" });
    expect((await mint(formId)).statusCode).toBe(429);

    // Another field of the form, and another user of the same field, have caps of their own.
    expect((await mint(formId, { fieldName: "attachment" })).statusCode).toBe(200);
    expect((await mint(formId, {}, ctx.admin)).statusCode).toBe(200);

    // A submission closes the pending uploads: the next fill of the form may upload again.
    const first = burst.find((response) => response.statusCode === 200);
    const { uploadUrl, path } = first?.json<{ uploadUrl: string; path: string }>() ?? {
      uploadUrl: "",
      path: "",
    };
    const target = new URL(uploadUrl);
    const sent = await put(`${base}${target.pathname}${target.search}`, {
      headers: { "content-type": "text/plain" },
      chunks: [Buffer.from("signed")],
    });
    expect(sent.status, sent.body).toBe(200);
    const submitted = await user.request("POST", `/api/forms/${formId}/execute`, {
      values: { email: "a@contoso.example", licence: "E3", contract: { path } },
    });
    expect(submitted.statusCode, submitted.body).toBe(202);
    expect((await mint(formId)).statusCode).toBe(200);
  });

  it("fuzzed upload requests, Content-Types and grants answer only 2xx or 4xx", async () => {
    const formId = await newForm();
    const anything = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }),
      fc.constantFrom("", "contract", "attachment", "email", "../x", "text/*", -1, 2 ** 53, "x".repeat(300)),
    );
    const field = (name: string) => [name, anything] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.record(Object.fromEntries(["fieldName", "fileName", "contentType", "size"].map(field)), {
          requiredKeys: [],
        }),
        async (body) => {
          const response = await ctx.admin.request("POST", `/api/forms/${formId}/upload`, body);
          expect(response.statusCode, JSON.stringify(body)).toBeLessThan(500);
        },
      ),
      { numRuns: 150 },
    );

    const { url } = await signedUrl(formId);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 80 }),
          fc.constantFrom("text/plain;", ";text/plain", "TEXT/PLAIN", " "),
        ),
        fc.uint8Array({ maxLength: 1500 }),
        async (contentType, bytes) => {
          const response = await ctx.app.app.inject({
            method: "PUT",
            url: new URL(url).pathname + new URL(url).search,
            payload: Buffer.from(bytes),
            headers: { "content-type": contentType },
          });
          expect([200, 413, 415], `${JSON.stringify(contentType)}: ${response.body}`).toContain(
            response.statusCode,
          );
        },
      ),
      { numRuns: 150 },
    );

    // Grants with a valid MAC and arbitrary fields (what a bug in signing could hand out): no 500.
    const key = new SecretBox(TEST_SECRET_KEY).deriveKey("files-signed-url");
    const signed = (grant: object) => {
      const payload = Buffer.from(JSON.stringify(grant)).toString("base64url");
      return `${payload}.${createHmac("sha256", key).update(payload).digest("base64url")}`;
    };
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(1, 2, 3, "2"),
        anything,
        fc.oneof(anything, fc.array(anything, { maxLength: 3 })),
        async (v, size, types) => {
          const grant = {
            v,
            m: "PUT",
            o: ctx.orgA.id,
            l: "uploads",
            p: `forms/${formId}/fuzz/file.txt`,
            e: Math.floor(Date.now() / 1000) + 60,
            s: size,
            t: types,
          };
          const response = await ctx.app.app.inject({
            method: "PUT",
            url: `/api/files/signed?token=${signed(grant)}`,
            payload: "x",
            headers: { "content-type": "text/plain" },
          });
          expect(response.statusCode, `${JSON.stringify(grant)}: ${response.body}`).toBeLessThan(500);
        },
      ),
      { numRuns: 150 },
    );
  });
});
