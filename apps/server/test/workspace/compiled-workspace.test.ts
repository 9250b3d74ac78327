import { execFile } from "node:child_process";
import { lstat, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CompiledWorkspace } from "../../src/services/workspace/compiled-workspace.js";
import { compileWorkspaceFile } from "../../src/services/workspace/compiler.js";

const run = promisify(execFile);
let runtimeDir: string;
let root: string;
let compiled: CompiledWorkspace;

beforeAll(async () => {
  // A stand-in SDK bundle: these tests are about the layout, not the real runtime.
  runtimeDir = await mkdtemp(path.join(os.tmpdir(), "bifrost-test-runtime-"));
  await writeFile(
    path.join(runtimeDir, "sdk.mjs"),
    "export const workflow = (options) => ({ ...options, kind: 'workflow' });\n",
  );
  root = await mkdtemp(path.join(os.tmpdir(), "bifrost-test-compiled-"));
  compiled = new CompiledWorkspace(root, runtimeDir);
});
afterAll(async () => {
  await rm(runtimeDir, { recursive: true, force: true });
  await compiled.destroy();
});

async function compile(files: Record<string, string>): Promise<Array<{ path: string; compiled: string }>> {
  const paths = new Set(Object.keys(files));
  return Promise.all(
    Object.entries(files).map(async ([file, content]) => {
      const result = await compileWorkspaceFile(file, content, paths);
      if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
      return { path: file, compiled: result.code };
    }),
  );
}

/** Every entry under `dir`, relative, with whether it is a regular file, a directory or something else. */
async function walk(dir: string, prefix = ""): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  for (const name of await readdir(dir)) {
    const full = path.join(dir, name);
    const info = await lstat(full);
    const kind = info.isSymbolicLink()
      ? "symlink"
      : info.isDirectory()
        ? "dir"
        : info.isFile()
          ? "file"
          : "other";
    out.push([`${prefix}${name}`, kind]);
    if (kind === "dir") out.push(...(await walk(full, `${prefix}${name}/`)));
  }
  return out;
}

describe("CompiledWorkspace", () => {
  it("lays a version out so Node imports it as is: files import each other and @bifrost/sdk", async () => {
    const files = await compile({
      "flows/hello.ts":
        'import { workflow } from "@bifrost/sdk";\nimport { greet } from "../lib/greet";\nexport const hello = workflow({ run: () => greet("world") });\n',
      "lib/greet.ts": "export const greet = (name: string): string => `hello ${name}`;\n",
    });
    const dir = await compiled.materialize("v1", files);
    expect(dir).toBe(path.join(root, "v1"));
    const modulePath = compiled.modulePath("v1", "flows/hello.ts");
    expect(modulePath).toBe(path.join(root, "v1", "flows", "hello.mjs"));
    // In a plain Node process: vitest would resolve @bifrost/sdk with its own aliases.
    const script = `const m = await import(${JSON.stringify(pathToFileURL(modulePath).href)});
      process.stdout.write(JSON.stringify({ kind: m.hello.kind, out: m.hello.run() }));`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script]);
    expect(JSON.parse(stdout)).toEqual({ kind: "workflow", out: "hello world" });
    expect(JSON.parse(await readFile(path.join(dir, "package.json"), "utf8"))).toEqual({ type: "module" });
  });

  it("writes regular files (0640) and directories (0750) only, never symlinks: nothing for others", async () => {
    const dir = compiled.versionDir("v1");
    const entries = await walk(dir);
    expect(entries.map(([, kind]) => kind).every((kind) => kind === "file" || kind === "dir")).toBe(true);
    expect(entries.map(([name]) => name)).toEqual(
      expect.arrayContaining([
        "node_modules/@bifrost/sdk/index.mjs",
        "node_modules/@bifrost/sdk/package.json",
      ]),
    );
    for (const [name, kind] of entries) {
      // The group is the children's (isolation.ts shareWithSandbox); others get nothing.
      const mode = ((await stat(path.join(dir, name))).mode & 0o777).toString(8);
      expect(mode, name).toBe(kind === "dir" ? "750" : "640");
    }
  });

  it("concurrent callers of one version get the same complete directory; an existing one is reused", async () => {
    const files = await compile({ "a.ts": "export const a = 1;\n" });
    const dirs = await Promise.all(Array.from({ length: 5 }, () => compiled.materialize("v2", files)));
    expect(new Set(dirs).size).toBe(1);
    // A second instance (another process) finds the version on disk and leaves it as it is.
    const other = new CompiledWorkspace(root, runtimeDir);
    expect(await other.materialize("v2", [{ path: "a.ts", compiled: "export const a = 2;\n" }])).toBe(
      dirs[0],
    );
    expect(await readFile(path.join(root, "v2", "a.mjs"), "utf8")).toContain("1");
    expect((await readdir(root)).filter((name) => name.startsWith("."))).toEqual([]);
  });

  it("refuses a version name or a file path that could leave the root", async () => {
    await expect(compiled.materialize("../escape", [])).rejects.toThrow(/not a workspace version/);
    await expect(compiled.materialize("v3", [{ path: "../escape.ts", compiled: "" }])).rejects.toThrow(
      /not a compiled workspace path/,
    );
    expect(await compiled.isMaterialized("v3")).toBe(false);
  });

  it("prune keeps the most recently used versions and those in use", async () => {
    for (const version of ["p1", "p2", "p3", "p4"]) {
      await compiled.materialize(version, []);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await compiled.materialize("p1", []); // used again: now the most recent
    const removed = await compiled.prune(2, ["p2"]);
    expect(removed.sort()).toEqual(["p3", "v1", "v2"].sort());
    expect((await readdir(root)).sort()).toEqual(["p1", "p2", "p4"]);
  });
});
