import { existsSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import {
  buildRuntime,
  DEFAULT_RUNTIME_DIR,
  RUNTIME_FILES,
} from "../../src/services/execution/pool/runtime-bundle.js";
import type { Client } from "../support/context.js";

let runtime: Promise<unknown> | undefined;

/**
 * Discovery runs a child from the runtime bundle the API uses (`npm run build` makes it; `npm test`
 * runs the build). A test run from a clean checkout builds it once here (~150 ms).
 */
function ensureRuntime(): Promise<unknown> {
  const missing = Object.values(RUNTIME_FILES).some((file) => !existsSync(join(DEFAULT_RUNTIME_DIR, file)));
  runtime ??= missing ? buildRuntime() : Promise.resolve();
  return runtime;
}

export type WrittenFile = {
  path: string;
  hash: string;
  workflows: Array<{ id: string; name: string; type: string }>;
  diagnostics: unknown[];
};

/** Writes a workspace file as a platform admin and expects it to be accepted. */
export async function writeWorkspaceFile(admin: Client, path: string, content: string): Promise<WrittenFile> {
  if (path.endsWith(".ts")) await ensureRuntime();
  const response = await admin.request("PUT", "/api/files/editor/content", { path, content });
  expect(response.statusCode, `write ${path}: ${response.body}`).toBe(200);
  return response.json<WrittenFile>();
}

/** The id of the workflow `name` in a write's answer. */
export function workflowId(written: WrittenFile, name: string): string {
  const found = written.workflows.find((w) => w.name === name);
  if (!found) throw new Error(`no workflow ${name} in ${written.path}`);
  return found.id;
}

/** A file defining one workflow per name, each returning its own name. */
export const workflowsFile = (...names: string[]): string =>
  [
    'import { workflow } from "@bifrost/sdk";',
    ...names.map((name) => `export const ${name} = workflow({ run: () => ${JSON.stringify(name)} });`),
  ].join("\n");

/**
 * A workflow that runs until stopped, acting as its caller through the SDK every 200 ms (needs
 * `executions` and `workflow` imported from "@bifrost/sdk" in the file it goes into).
 */
export const LONG_HAUL_WORKFLOW = `
export const longHaul = workflow({
  async run(_input, ctx) {
    for (;;) {
      await executions.get(ctx.executionId);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  },
});
`;
