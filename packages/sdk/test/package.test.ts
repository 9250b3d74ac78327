import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The package authors install: packages/sdk/dist, written by scripts/bundle-sdk.mjs (`npm test` and
// `npm start` build it first). It must stand alone: @bifrost/contracts is private and never published.
const SDK = fileURLToPath(new URL("..", import.meta.url));
const REPO = path.resolve(SDK, "../..");
const DIST = { js: path.join(SDK, "dist/index.js"), dts: path.join(SDK, "dist/index.d.ts") };

/** Every module a file imports or re-exports from (static, dynamic and `import()` types). */
const specifiers = (source: string): string[] =>
  [...source.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+)["']/g)].map((match) => match[1] ?? "");

let workspace: string;

beforeAll(() => {
  // An author's folder with only the published files: the SDK's package.json and dist, and zod.
  workspace = mkdtempSync(path.join(os.tmpdir(), "bifrost-sdk-package-"));
  const installed = path.join(workspace, "node_modules/@bifrost/sdk");
  mkdirSync(installed, { recursive: true });
  writeFileSync(path.join(workspace, "package.json"), JSON.stringify({ type: "module" }));
  cpSync(path.join(SDK, "package.json"), path.join(installed, "package.json"));
  cpSync(path.join(SDK, "dist"), path.join(installed, "dist"), { recursive: true });
  symlinkSync(path.join(REPO, "node_modules/zod"), path.join(workspace, "node_modules/zod"), "dir");
  symlinkSync(path.join(REPO, "node_modules/@types"), path.join(workspace, "node_modules/@types"), "dir");
});

afterAll(() => rmSync(workspace, { recursive: true, force: true }));

describe("the SDK as a package", () => {
  it("imports nothing but zod: what it uses of the private contracts is inlined in both files", () => {
    for (const file of Object.values(DIST)) {
      const imported = new Set(specifiers(readFileSync(file, "utf8")));
      expect([...imported], file).toEqual(["zod"]);
    }
  });

  it("loads on its own and exposes the modules and the response checks", async () => {
    const sdk = (await import(
      pathToFileURL(path.join(workspace, "node_modules/@bifrost/sdk/dist/index.js")).href
    )) as Record<string, unknown>;
    for (const name of ["workflow", "tool", "dataProvider", "tables", "files", "config", "integrations"])
      expect(sdk[name], name).toBeDefined();
    const { version } = JSON.parse(readFileSync(path.join(SDK, "package.json"), "utf8")) as {
      version: string;
    };
    expect(sdk.SDK_VERSION).toBe(version);
  });

  it("keeps the runtime's internals off the authors' entry, on the internal subpath", async () => {
    const sdk = (await import(
      pathToFileURL(path.join(workspace, "node_modules/@bifrost/sdk/dist/index.js")).href
    )) as Record<string, unknown>;
    for (const name of ["DEFINITION", "RUNTIME"]) expect(sdk[name], name).toBeUndefined();
    const internal = (await import(
      pathToFileURL(path.join(workspace, "node_modules/@bifrost/sdk/dist/internal.js")).href
    )) as Record<string, unknown>;
    expect(internal.DEFINITION).toBe(Symbol.for("bifrost.definition"));
    expect(internal.RUNTIME).toBe(Symbol.for("bifrost.runtime"));
    const declarations = readFileSync(DIST.dts, "utf8");
    expect(declarations).not.toMatch(
      /export \{[^}]*\b(DEFINITION|RUNTIME|RuntimeHooks|DefinitionInternals)\b/,
    );
    expect(declarations).not.toMatch(
      /export (declare )?(const|type) (DEFINITION|RUNTIME|RuntimeHooks|DefinitionInternals)\b/,
    );
    // Publishable: not private, its files and the subpath declared.
    const manifest = JSON.parse(readFileSync(path.join(SDK, "package.json"), "utf8")) as {
      private?: boolean;
      exports: Record<string, unknown>;
    };
    expect(manifest.private).toBeUndefined();
    expect(Object.keys(manifest.exports)).toEqual([".", "./internal"]);
  });

  it("types an author's workflow from the bundled declarations, statuses and answers included", () => {
    const file = path.join(workspace, "workflow.ts");
    writeFileSync(
      file,
      `import { workflow, executions, tables, z, type ExecutionStatus, type TriggeredBy } from "@bifrost/sdk";
export default workflow({
  params: z.object({ id: z.string() }),
  async run({ id }, ctx) {
    ctx.log.info("looking up", { id });
    const execution = await executions.get(id);
    const done: boolean = execution?.status === "Success";
    // @ts-expect-error not a status of the contracts
    const wrong: ExecutionStatus = "Finished";
    // @ts-expect-error not a trigger kind of the contracts
    const trigger: TriggeredBy = "cron";
    const page = await tables.query<{ total: number }>("orders", { where: { total: { gt: 10 } } });
    const totals: number[] = page.items.map((document) => document.data.total);
    // @ts-expect-error the network field of an execution is an object, not a number
    const bytes: number = execution?.network;
    return { done, wrong, trigger, totals, bytes, updated: page.items[0]?.updatedAt };
  },
});
`,
    );
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2023,
      types: ["node"],
    });
    const problems = ts
      .getPreEmitDiagnostics(program)
      .map((d) => `${d.file?.fileName ?? ""}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
    expect(problems).toEqual([]);
    // The declarations the author's program read are the bundle's, not the repository's sources.
    const sdkFiles = program.getSourceFiles().filter((f) => f.fileName.includes("@bifrost"));
    expect(sdkFiles.map((f) => path.relative(workspace, f.fileName))).toEqual([
      "node_modules/@bifrost/sdk/dist/index.d.ts",
    ]);
  });
});
