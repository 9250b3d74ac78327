import { describe, expect, it } from "vitest";
import { compileWorkspaceFile, resolveWorkspaceImport } from "../../src/services/workspace/compiler.js";

const paths = new Set([
  "flows/a.ts",
  "lib/util.ts",
  "lib/index.ts",
  "shared/index.ts",
  "notes.md",
  "flows/b.ts",
]);

describe("resolving workspace imports", () => {
  it("tries the exact path, .ts, .js → .ts and /index.ts", () => {
    expect(resolveWorkspaceImport("flows/a.ts", "../lib/util", paths)).toEqual({ path: "lib/util.ts" });
    expect(resolveWorkspaceImport("flows/a.ts", "../lib/util.ts", paths)).toEqual({ path: "lib/util.ts" });
    expect(resolveWorkspaceImport("flows/a.ts", "../lib/util.js", paths)).toEqual({ path: "lib/util.ts" });
    expect(resolveWorkspaceImport("flows/a.ts", "../shared", paths)).toEqual({ path: "shared/index.ts" });
    expect(resolveWorkspaceImport("flows/a.ts", "./b", paths)).toEqual({ path: "flows/b.ts" });
  });

  it("refuses a path outside the workspace, a missing file and a file that is not .ts", () => {
    expect(resolveWorkspaceImport("flows/a.ts", "../../escape", paths)).toMatchObject({
      error: expect.stringContaining("outside the workspace") as string,
    });
    expect(resolveWorkspaceImport("a.ts", "../etc/passwd", paths)).toMatchObject({
      error: expect.stringContaining("outside the workspace") as string,
    });
    expect(resolveWorkspaceImport("flows/a.ts", "./missing", paths)).toMatchObject({
      error: expect.stringContaining("not a file of the workspace") as string,
    });
    expect(resolveWorkspaceImport("flows/a.ts", "../notes.md", paths)).toMatchObject({
      error: expect.stringContaining("only .ts files") as string,
    });
  });
});

describe("compiling a workspace file", () => {
  it("keeps the SDK and node built-ins as imports and rewrites workspace imports to .mjs paths", async () => {
    const result = await compileWorkspaceFile(
      "flows/a.ts",
      [
        'import { workflow, z } from "@bifrost/sdk";',
        'import { readFileSync } from "node:fs";',
        'import path from "path";',
        'import { double } from "../lib/util";',
        'import { shared } from "../shared";',
        'import type { Thing } from "./b";',
        "const t: Thing | undefined = undefined;",
        "export const hello = workflow({ params: z.object({}), run: () => [double(2), shared, readFileSync, path.sep, t] });",
      ].join("\n"),
      paths,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.code).toContain('from "@bifrost/sdk"');
    expect(result.code).toContain('from "node:fs"');
    expect(result.code).toContain('from "path"');
    expect(result.code).toContain('from "../lib/util.mjs"');
    expect(result.code).toContain('from "../shared/index.mjs"');
    // A type-only import is erased, not resolved.
    expect(result.code).not.toContain("./b");
    expect(result.code).toMatch(/export\s*\{\s*hello\s*\}/);
  });

  it("a syntax error is an error diagnostic with a 1-based line and column", async () => {
    const result = await compileWorkspaceFile("flows/a.ts", "const ok = 1;\nconst broken = ;\n", paths);
    expect(result.ok).toBe(false);
    expect(result.diagnostics[0]).toMatchObject({ line: 2, column: 16, severity: "error" });
  });

  it("an npm package, an absolute path or a path escaping the workspace is an error at the import", async () => {
    for (const specifier of ["lodash", "/etc/passwd", "../../escape", "@bifrost/sdk/internal"]) {
      const result = await compileWorkspaceFile(
        "flows/a.ts",
        `\nimport x from "${specifier}";\nexport const y = x;\n`,
        paths,
      );
      expect(result.ok, specifier).toBe(false);
      expect(result.diagnostics[0], specifier).toMatchObject({ line: 2, severity: "error" });
    }
  });

  it("warnings come back as warning diagnostics; type errors are not checked", async () => {
    const result = await compileWorkspaceFile(
      "flows/a.ts",
      "const n: number = 'not a number';\nexport const odd = n === -0;\n",
      paths,
    );
    expect(result.ok).toBe(true);
    expect(result.diagnostics).toEqual([expect.objectContaining({ severity: "warning", line: 2 })]);
  });
});
