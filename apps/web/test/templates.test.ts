import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { TSCONFIG } from "../../../packages/cli/src/commands/init.js";
import { codeOf, TEMPLATES } from "../src/pages/editor/templates.js";

// The editor's templates (issue 26) are what a newcomer starts from: each must type-check against the
// SDK the platform serves, with the options `bifrost init` scaffolds and the editor checks with.

const REPO = path.resolve(import.meta.dirname, "../../..");
const dir = mkdtempSync(path.join(tmpdir(), "bifrost-templates-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the New workflow templates", () => {
  it("each type-checks (strict, Node's globals, the SDK's declarations)", () => {
    mkdirSync(path.join(dir, "node_modules/@bifrost"), { recursive: true });
    mkdirSync(path.join(dir, "node_modules/@types"), { recursive: true });
    symlinkSync(path.join(REPO, "packages/sdk"), path.join(dir, "node_modules/@bifrost/sdk"));
    symlinkSync(path.join(REPO, "node_modules/zod"), path.join(dir, "node_modules/zod"));
    symlinkSync(path.join(REPO, "node_modules/@types/node"), path.join(dir, "node_modules/@types/node"));
    symlinkSync(path.join(REPO, "node_modules/undici-types"), path.join(dir, "node_modules/undici-types"));
    // The very tsconfig.json `bifrost init` writes.
    writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify(TSCONFIG));
    for (const template of TEMPLATES)
      writeFileSync(path.join(dir, `${template.id}.ts`), codeOf(template, "example"));
    expect(TEMPLATES.length).toBe(5);
    const tsc = path.join(REPO, "node_modules/typescript/bin/tsc");
    let output = "";
    try {
      execFileSync(process.execPath, [tsc, "-p", dir, "--pretty", "false"], { encoding: "utf8" });
    } catch (error) {
      output = String((error as { stdout?: string }).stdout);
    }
    expect(output).toBe("");
  });
});
