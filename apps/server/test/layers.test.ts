import path from "node:path";
import { ESLint } from "eslint";
import tseslint from "typescript-eslint";
import { describe, expect, it } from "vitest";
import { layerRules } from "../../../eslint.layers.js";

// The layer rule (eslint.layers.js, run by `npm run lint` and `npm test`) on fixture modules: an
// upward import fails, whatever its form; a folder that merely shares a layer's name does not.

const ROOT = path.resolve(import.meta.dirname, "../../..");
const eslint = new ESLint({
  cwd: ROOT,
  overrideConfigFile: true,
  overrideConfig: [{ files: ["**/*.ts"], languageOptions: { parser: tseslint.parser } }, layerRules],
});

/** The layer rule's messages for `code` as if it were the module at `file` (under apps/server/src). */
async function violations(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, "apps/server/src", file) });
  return (result?.messages ?? []).map((message) => `${message.ruleId}: ${message.message}`);
}

describe("the layer rule", () => {
  it.each([
    [
      "a service importing api/ (a type import)",
      "services/files/fixture.ts",
      'import type { AccessRule } from "../../api/access.js";',
    ],
    [
      "a repository importing a service",
      "repositories/fixture.ts",
      'import type { ExecutionEvents } from "../services/execution/channels.js";',
    ],
    [
      "infra importing the database layer",
      "infra/fixture.ts",
      'import { openDatabase } from "../db/database.js";',
    ],
    [
      "a service importing a role",
      "services/fixture.ts",
      'export { startWorker } from "../roles/worker.js";',
    ],
    [
      "api importing the configuration",
      "api/routes/fixture.ts",
      'import { loadConfig } from "../../config.js";',
    ],
    [
      "a service's dynamic import of a route",
      "services/fixture.ts",
      'await import("../api/routes/auth.js");',
    ],
    [
      "the ground level importing a service",
      "principal.ts",
      'import type { AuditLog } from "./services/audit/audit-log.js";',
    ],
  ])("fails on %s", async (_name, file, code) => {
    const found = await violations(file, code);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^bifrost\/layers: \w+ must not import \w+ \(.+\): a layer above it/);
  });

  it.each([
    [
      "a service importing a repository and the ground level",
      "services/fixture.ts",
      'import type { ExecutionRow } from "../repositories/executions.js";\nimport type { Principal } from "../principal.js";',
    ],
    [
      "a service importing services/roles/ (a folder named like a layer)",
      "services/fixture.ts",
      'import type { RolesService } from "./roles/roles-service.js";',
    ],
    [
      "a repository importing db/schema",
      "repositories/fixture.ts",
      'import { executions } from "../db/schema/index.js";',
    ],
    [
      "a role importing everything",
      "roles/fixture.ts",
      'import "../api/app.js";\nimport "../services/audit/audit-log.js";',
    ],
    [
      "packages from node_modules",
      "infra/fixture.ts",
      'import { z } from "zod";\nimport type { LogLine } from "@bifrost/contracts";',
    ],
  ])("passes %s", async (_name, file, code) => {
    expect(await violations(file, code)).toEqual([]);
  });
});
