import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PayloadTooLargeError } from "../../src/errors.js";
import { DiskFileStore } from "../../src/infra/files/disk-file-store.js";
import { FilesService } from "../../src/services/files/files-service.js";
import { SignedUrls } from "../../src/services/files/signed-urls.js";
import { createTestContext, type TestContext } from "../support/context.js";
import { writeWorkspaceFile } from "../workspace/workspace-fixtures.js";

let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx?.close());

const call = async (action: string, body: object) => ctx.admin.request("POST", `/api/files/${action}`, body);

describe("files through the REST API (platform admin)", () => {
  it.each(["files", "temp", "uploads"] as const)(
    "location %s: write, read (utf8 and base64), exists, list and delete",
    async (location) => {
      const org = { organizationId: ctx.orgA.id, location };
      const written = await call("write", { ...org, path: "reports/q1.txt", content: "héllo" });
      expect(written.statusCode, written.body).toBe(200);
      expect(written.json()).toEqual({ path: "reports/q1.txt", location, size: 6 });
      expect((await call("read", { ...org, path: "reports/q1.txt" })).json()).toEqual({
        content: "héllo",
        encoding: "utf8",
      });
      const bytes = Buffer.from([0, 1, 2, 255]);
      await call("write", {
        ...org,
        path: "reports/raw.bin",
        content: bytes.toString("base64"),
        encoding: "base64",
      });
      const raw = (await call("read", { ...org, path: "reports/raw.bin", encoding: "base64" })).json<{
        content: string;
      }>();
      expect(Buffer.from(raw.content, "base64")).toEqual(bytes);
      expect((await call("exists", { ...org, path: "reports/q1.txt" })).json()).toEqual({ exists: true });
      const listed = (await call("list", { ...org, prefix: "reports/" })).json<{
        items: Array<{ path: string; size: number; lastModified: string }>;
      }>();
      expect(listed.items.map((i) => [i.path, i.size])).toEqual([
        ["reports/q1.txt", 6],
        ["reports/raw.bin", 4],
      ]);
      expect(Date.parse(listed.items[0]?.lastModified ?? "")).not.toBeNaN();
      expect((await call("delete", { ...org, path: "reports/q1.txt" })).statusCode).toBe(204);
      expect((await call("exists", { ...org, path: "reports/q1.txt" })).json()).toEqual({ exists: false });
      expect((await call("read", { ...org, path: "reports/q1.txt" })).statusCode).toBe(404);
    },
  );

  it("locations and organizations are separate: the same path holds different files", async () => {
    await call("write", { path: "same.txt", content: "global files" });
    await call("write", { path: "same.txt", content: "global temp", location: "temp" });
    await call("write", { path: "same.txt", content: "org B", organizationId: ctx.orgB.id });
    const read = async (body: object) => (await call("read", { path: "same.txt", ...body })).json<unknown>();
    expect(await read({})).toMatchObject({ content: "global files" });
    expect(await read({ location: "temp" })).toMatchObject({ content: "global temp" });
    expect(await read({ organizationId: ctx.orgB.id })).toMatchObject({ content: "org B" });
    expect((await call("read", { path: "same.txt", organizationId: ctx.orgA.id })).statusCode).toBe(404);
  });

  it("an organization that does not exist is 404", async () => {
    const response = await call("write", {
      path: "x.txt",
      content: "x",
      organizationId: "00000000-0000-4000-8000-0000000000cc",
    });
    expect(response.statusCode).toBe(404);
  });

  it.each([
    ["..", "../escape.txt"],
    ["a .. segment", "a/../../escape.txt"],
    ["an absolute path", "/etc/passwd"],
    ["NUL", "a\u0000b"],
    ["a control character", "a\nb"],
    ["a backslash", "a\\..\\b"],
    ["an empty path", ""],
  ])("a path with %s is 422 for every action", async (_, path) => {
    for (const action of ["read", "write", "delete", "exists", "signed-url"]) {
      const response = await call(action, { path, content: "x", method: "GET" });
      expect(response.statusCode, `${action} ${JSON.stringify(path)}`).toBe(422);
      expect(response.json()).toMatchObject({ error: "validation_error" });
    }
    expect((await call("list", { prefix: path === "" ? "../" : path })).statusCode).toBe(422);
  });

  it("workspace files are readable and listable but read-only (422)", async () => {
    await writeWorkspaceFile(ctx.admin, "docs/readme.md", "# Workspace\n");
    const ws = { location: "workspace" };
    expect((await call("read", { ...ws, path: "docs/readme.md" })).json()).toEqual({
      content: "# Workspace\n",
      encoding: "utf8",
    });
    expect((await call("exists", { ...ws, path: "docs/readme.md" })).json()).toEqual({ exists: true });
    expect((await call("exists", { ...ws, path: "docs/none.md" })).json()).toEqual({ exists: false });
    const listed = (await call("list", { ...ws, prefix: "docs/" })).json<{
      items: Array<{ path: string }>;
    }>();
    expect(listed.items.map((i) => i.path)).toEqual(["docs/readme.md"]);
    for (const [action, extra] of [
      ["write", { content: "changed" }],
      ["delete", {}],
      ["signed-url", { method: "PUT" }],
    ] as const) {
      const response = await call(action, { ...ws, ...extra, path: "docs/readme.md" });
      expect(response.statusCode, action).toBe(422);
    }
    expect((await call("read", { ...ws, path: "docs/readme.md" })).json()).toMatchObject({
      content: "# Workspace\n",
    });
  });
});

describe("signed URLs", () => {
  const signed = async (body: object): Promise<{ url: string; expiresAt: string }> => {
    const response = await call("signed-url", body);
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };
  const pathOf = (url: string): string => new URL(url).pathname + new URL(url).search;

  it("a PUT URL uploads and a GET URL downloads, without a token", async () => {
    const target = { path: "shared/report.html", organizationId: ctx.orgA.id };
    const put = await signed({ ...target, method: "PUT" });
    expect(Date.parse(put.expiresAt) - Date.now()).toBeGreaterThan(800_000);
    const uploaded = await ctx.app.app.inject({
      method: "PUT",
      url: pathOf(put.url),
      payload: "<script>alert(1)</script>",
      headers: { "content-type": "text/html" },
    });
    expect(uploaded.statusCode, uploaded.body).toBe(200);
    expect(uploaded.json()).toEqual({ path: "shared/report.html", location: "files", size: 25 });
    const get = await signed({ ...target, method: "GET", expiresIn: 60 });
    const downloaded = await ctx.app.app.inject({ method: "GET", url: pathOf(get.url) });
    expect(downloaded.statusCode).toBe(200);
    expect(downloaded.body).toBe("<script>alert(1)</script>");
    expect(downloaded.headers["content-disposition"]).toMatch(/^attachment/);
    expect(downloaded.headers["content-type"]).toBe("application/octet-stream");
  });

  it("a forged, altered, expired or wrong-method token is 403; a missing file 404", async () => {
    const get = await signed({ path: "nothing-here.txt", method: "GET", expiresIn: 60 });
    const short = await signed({ path: "nothing-here.txt", method: "GET", expiresIn: 1 });
    expect((await ctx.app.app.inject({ method: "GET", url: pathOf(get.url) })).statusCode).toBe(404);
    const token = new URL(get.url).searchParams.get("token") ?? "";
    const [payload = "", mac = ""] = token.split(".");
    const altered = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>;
    altered.p = "other.txt";
    const forged = `${Buffer.from(JSON.stringify(altered)).toString("base64url")}.${mac}`;
    for (const bad of [forged, `${payload}.AAAA`, "garbage", `${payload}.${mac}.x`]) {
      const response = await ctx.app.app.inject({ method: "GET", url: `/api/files/signed?token=${bad}` });
      expect(response.statusCode, bad).toBe(403);
    }
    const wrongMethod = await ctx.app.app.inject({ method: "PUT", url: pathOf(get.url), payload: "x" });
    expect(wrongMethod.statusCode).toBe(403);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect((await ctx.app.app.inject({ method: "GET", url: pathOf(short.url) })).statusCode).toBe(403);
  });

  it("organization users cannot ask for signed URLs (403)", async () => {
    const response = await ctx.orgA.withRole.request("POST", "/api/files/signed-url", {
      path: "x.txt",
      method: "GET",
    });
    expect(response.statusCode).toBe(403);
  });
});

describe("signed uploads over the size limit", () => {
  it("are 413 by Content-Length, or counted as they stream, and store nothing", async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "bifrost-upload-limit-"));
    const store = new DiskFileStore({ root });
    const clock = { now: () => Date.now() };
    const signedUrls = new SignedUrls(Buffer.alloc(32, 7), clock);
    const service = new FilesService({
      files: store,
      workspace: { find: () => Promise.resolve(undefined), entries: () => Promise.resolve([]) },
      organizations: { find: () => Promise.resolve(undefined) },
      signedUrls,
      clock,
      maxUploadBytes: 1000,
    });
    const token = signedUrls.sign({
      method: "PUT",
      organizationId: null,
      location: "files",
      path: "big.bin",
      expiresAt: Math.floor(Date.now() / 1000) + 60,
    });
    const body = () => Readable.from([Buffer.alloc(600), Buffer.alloc(600)]);
    await expect(service.acceptSigned(token, body(), 1200)).rejects.toThrow(PayloadTooLargeError);
    await expect(service.acceptSigned(token, body(), undefined)).rejects.toThrow(PayloadTooLargeError);
    expect(await store.list("")).toEqual([]);
    await expect(
      service.acceptSigned(token, Readable.from([Buffer.alloc(1000)]), undefined),
    ).resolves.toEqual({
      path: "big.bin",
      location: "files",
      size: 1000,
    });
    rmSync(root, { recursive: true, force: true });
  });
});
