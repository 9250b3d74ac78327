import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../support/context.js";

// The editor routes on files that need no discovery: plain files, and `.ts` files refused by the
// compiler before anything is loaded. Definitions and the registry: definitions.test.ts.

let ctx: TestContext;

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

type AuditEntry = {
  action: string;
  resourceId: string | null;
  actorId: string | null;
  details: Record<string, unknown>;
};

async function auditEntries(): Promise<AuditEntry[]> {
  return (await ctx.admin.request("GET", "/api/audit?limit=1000")).json<{ items: AuditEntry[] }>().items;
}

const put = (payload: object) => ctx.admin.request("PUT", "/api/files/editor/content", payload);

beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.close();
});

describe("workspace files", () => {
  it("write, read, tree and delete a plain file", async () => {
    const content = "# Notes\n\nCafé ☕\n";
    const written = await put({ path: "docs/notes.md", content });
    expect(written.statusCode, written.body).toBe(200);
    expect(written.json()).toEqual({
      path: "docs/notes.md",
      hash: sha256(content),
      workflows: [],
      diagnostics: [],
    });

    const read = await ctx.admin.request("GET", "/api/files/editor/content?path=docs%2Fnotes.md");
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ path: "docs/notes.md", content, hash: sha256(content) });

    const tree = (await ctx.admin.request("GET", "/api/files/editor")).json<{
      files: Array<{ path: string; hash: string; size: number; updatedAt: string }>;
    }>();
    expect(tree.files).toContainEqual({
      path: "docs/notes.md",
      hash: sha256(content),
      size: Buffer.byteLength(content),
      updatedAt: expect.any(String) as string,
    });

    expect((await ctx.admin.request("DELETE", "/api/files/editor?path=docs/notes.md")).statusCode).toBe(204);
    expect((await ctx.admin.request("GET", "/api/files/editor/content?path=docs/notes.md")).statusCode).toBe(
      404,
    );
    expect((await ctx.admin.request("DELETE", "/api/files/editor?path=docs/notes.md")).statusCode).toBe(404);
  });

  it("expectedHash: the hash last read writes; another one, or a file that is gone, is 409", async () => {
    const first = (await put({ path: "data.json", content: "{}" })).json<{ hash: string }>();
    const second = await put({ path: "data.json", content: '{"a":1}', expectedHash: first.hash });
    expect(second.statusCode).toBe(200);
    const stale = await put({ path: "data.json", content: '{"a":2}', expectedHash: first.hash });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ error: "conflict" });
    expect((await ctx.admin.request("GET", "/api/files/editor/content?path=data.json")).json()).toMatchObject(
      {
        content: '{"a":1}',
      },
    );
    const absent = await put({ path: "never-written.json", content: "{}", expectedHash: first.hash });
    expect(absent.statusCode).toBe(409);
    expect((await put({ path: "data.json", content: "{}", expectedHash: "not-a-hash" })).statusCode).toBe(
      422,
    );
  });

  it("content holding a NUL character is 422, not a database error", async () => {
    const written = await put({ path: "nul.ts", content: "export const a = 1;\u0000" });
    expect(written.statusCode).toBe(422);
  });

  it("a path that is absolute, climbs out, is empty, has a backslash, NUL or an empty segment is 422", async () => {
    const bad = [
      "/etc/passwd",
      "../escape.ts",
      "a/../../b.ts",
      "",
      "a\\b.ts",
      "a\u0000.ts",
      "a//b.ts",
      "a/",
      "./a.ts",
      "x".repeat(501),
      "node_modules/@bifrost/sdk/index.ts",
    ];
    for (const path of bad) {
      const written = await put({ path, content: "x" });
      expect(written.statusCode, JSON.stringify(path)).toBe(422);
      expect(written.json(), JSON.stringify(path)).toMatchObject({
        error: "validation_error",
        details: { fields: [{ path: "body.path" }] },
      });
      const query = `path=${encodeURIComponent(path)}`;
      expect((await ctx.admin.request("GET", `/api/files/editor/content?${query}`)).statusCode).toBe(422);
      expect((await ctx.admin.request("DELETE", `/api/files/editor?${query}`)).statusCode).toBe(422);
    }
    const rename = await ctx.admin.request("POST", "/api/files/editor/rename", {
      from: "data.json",
      to: "../x.json",
    });
    expect(rename.statusCode).toBe(422);
    expect(
      (await ctx.admin.request("GET", "/api/files/editor"))
        .json<{ files: Array<{ path: string }> }>()
        .files.map((f) => f.path),
    ).not.toContain("../escape.ts");
  });

  it("rename moves a file; a missing source is 404 and an existing target 409", async () => {
    await put({ path: "old/name.txt", content: "moving" });
    await put({ path: "taken.txt", content: "here first" });
    const moved = await ctx.admin.request("POST", "/api/files/editor/rename", {
      from: "old/name.txt",
      to: "new/name.txt",
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toEqual({
      path: "new/name.txt",
      hash: sha256("moving"),
      workflows: [],
      diagnostics: [],
    });
    expect((await ctx.admin.request("GET", "/api/files/editor/content?path=old/name.txt")).statusCode).toBe(
      404,
    );
    expect(
      (await ctx.admin.request("GET", "/api/files/editor/content?path=new/name.txt")).json(),
    ).toMatchObject({
      content: "moving",
    });
    const missing = await ctx.admin.request("POST", "/api/files/editor/rename", {
      from: "old/name.txt",
      to: "x.txt",
    });
    expect(missing.statusCode).toBe(404);
    const taken = await ctx.admin.request("POST", "/api/files/editor/rename", {
      from: "new/name.txt",
      to: "taken.txt",
    });
    expect(taken.statusCode).toBe(409);
    const same = await ctx.admin.request("POST", "/api/files/editor/rename", {
      from: "new/name.txt",
      to: "new/name.txt",
    });
    expect(same.statusCode).toBe(422);
  });

  it("a file over 1 MB is 413; exactly 1 MB is stored", async () => {
    const limit = 1024 * 1024;
    expect((await put({ path: "big.txt", content: "x".repeat(limit + 1) })).statusCode).toBe(413);
    const atLimit = await put({ path: "big.txt", content: "x".repeat(limit) });
    expect(atLimit.statusCode).toBe(200);
  });
});

describe("compile errors", () => {
  it("a syntax error is 422 with the line and column; nothing is saved", async () => {
    const response = await put({
      path: "flows/broken.ts",
      content:
        'import { workflow } from "@bifrost/sdk";\nexport const x = workflow({ run() { return 1 +; } });\n',
    });
    expect(response.statusCode).toBe(422);
    const body = response.json<{ error: string; details: { diagnostics: unknown[]; fields: unknown[] } }>();
    expect(body.error).toBe("validation_error");
    expect(body.details.diagnostics).toEqual([
      {
        line: 2,
        column: expect.any(Number) as number,
        message: expect.any(String) as string,
        severity: "error",
      },
    ]);
    expect(body.details.fields).toEqual([
      { path: "body.content", message: expect.stringContaining("line 2") as string },
    ]);
    expect(
      (await ctx.admin.request("GET", "/api/files/editor/content?path=flows/broken.ts")).statusCode,
    ).toBe(404);
  });

  it("importing an npm package, a path outside the workspace or a missing file is 422", async () => {
    for (const specifier of ["lodash", "../escape", "./missing", "/etc/passwd"]) {
      const response = await put({
        path: "flows/imports.ts",
        content: `import x from "${specifier}";\nexport const y = x;\n`,
      });
      expect(response.statusCode, specifier).toBe(422);
      expect(response.json(), specifier).toMatchObject({
        details: { diagnostics: [{ line: 1, severity: "error" }] },
      });
    }
  });
});

describe("the audit log of the workspace", () => {
  it("records writes, renames, deletes and refusals by path and hash, never the content", async () => {
    const secret = "do-not-log-this-content";
    await put({ path: "audited.txt", content: secret });
    await ctx.admin.request("POST", "/api/files/editor/rename", { from: "audited.txt", to: "audited-2.txt" });
    await ctx.admin.request("DELETE", "/api/files/editor?path=audited-2.txt");
    await put({ path: "flows/refused.ts", content: `const ${secret} = ;` });
    const entries = await auditEntries();
    const find = (action: string, resourceId: string) =>
      entries.find((e) => e.action === action && e.resourceId === resourceId);
    expect(find("workspace.write", "audited.txt")).toMatchObject({
      actorId: ctx.admin.userId,
      details: { outcome: "success", hash: sha256(secret) },
    });
    expect(find("workspace.rename", "audited-2.txt")).toMatchObject({
      details: { outcome: "success", from: "audited.txt" },
    });
    expect(find("workspace.delete", "audited-2.txt")).toMatchObject({ details: { outcome: "success" } });
    expect(find("workspace.write", "flows/refused.ts")).toMatchObject({
      details: { outcome: "failure", reason: "validation_error" },
    });
    expect(JSON.stringify(entries)).not.toContain(secret);
  });
});
