import { copyFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProcessPool } from "../../src/services/execution/pool/process-pool.js";
import {
  createTestPool,
  createTestWorkspace,
  runWorkflow,
  type TestWorkspace,
} from "./fixtures/sandbox-workspace.js";

let workspace: TestWorkspace;
let pool: ProcessPool;
let versionDir: string;
const previousSecretKey = process.env.BIFROST_SECRET_KEY;

beforeAll(async () => {
  // Set in the worker before any child starts: a child must still not see it.
  process.env.BIFROST_SECRET_KEY = "worker-only-secret-key-0123456789";
  workspace = await createTestWorkspace();
  versionDir = await workspace.addVersion("v1");
  pool = createTestPool(workspace, { minProcesses: 1 });
  await pool.start();
});
afterAll(async () => {
  if (previousSecretKey === undefined) delete process.env.BIFROST_SECRET_KEY;
  else process.env.BIFROST_SECRET_KEY = previousSecretKey;
  await pool?.close();
  await workspace?.remove();
});

type Attempt = { ok: boolean; code?: string | null; value?: unknown };

async function attempt(exportName: string, input: Record<string, unknown> = {}): Promise<unknown> {
  const outcome = await runWorkflow(pool, workspace, { file: "sandbox.mjs", exportName, input });
  expect(outcome.status, JSON.stringify(outcome)).toBe("Success");
  return outcome.result;
}

describe("the sandbox of a workflow child", () => {
  it("reads files of its own workspace version", async () => {
    const result = (await attempt("readFile", { path: path.join(versionDir, "package.json") })) as Attempt;
    expect(result).toEqual({ ok: true, value: '{"type":"module"}\n' });
  });

  it("cannot read /etc/passwd", async () => {
    const result = (await attempt("readFile", { path: "/etc/passwd" })) as Attempt;
    expect(result).toMatchObject({ ok: false, code: "ERR_ACCESS_DENIED" });
  });

  it("cannot read a file of the worker's data directory, by absolute or relative path", async () => {
    for (const target of [workspace.dataFile, path.join(versionDir, "../../data/secret-key.txt")]) {
      const result = (await attempt("readFile", { path: target })) as Attempt;
      expect(result, target).toMatchObject({ ok: false, code: "ERR_ACCESS_DENIED" });
    }
  });

  it("cannot read the repository (server source and config)", async () => {
    const result = (await attempt("readFile", { path: import.meta.filename })) as Attempt;
    expect(result).toMatchObject({ ok: false, code: "ERR_ACCESS_DENIED" });
  });

  it("has none of the worker's environment, BIFROST_SECRET_KEY included", async () => {
    expect(process.env.BIFROST_SECRET_KEY).toBeDefined();
    const result = (await attempt("environment")) as { secretKey: string | null; names: string[] };
    expect(result.secretKey).toBeNull();
    expect(result.names).toEqual(["NODE_ENV"]);
  });

  it("cannot start a process", async () => {
    const result = (await attempt("spawnProcess")) as Attempt;
    expect(result).toMatchObject({ ok: false, code: "ERR_ACCESS_DENIED" });
  });

  it("cannot start a worker thread", async () => {
    const result = (await attempt("startWorker")) as Attempt;
    expect(result).toMatchObject({ ok: false, code: "ERR_ACCESS_DENIED" });
  });

  it("cannot load a native addon, even one inside its workspace", async () => {
    const require = createRequire(import.meta.url);
    const addon = path.join(
      path.dirname(require.resolve("@node-rs/argon2-linux-x64-gnu")),
      "argon2.linux-x64-gnu.node",
    );
    expect(existsSync(addon)).toBe(true);
    const inside = path.join(versionDir, "addon.node");
    copyFileSync(addon, inside);
    const result = (await attempt("loadAddon", { path: inside })) as { dlopen: Attempt; require: Attempt };
    expect(result.dlopen).toMatchObject({ ok: false, code: "ERR_DLOPEN_DISABLED" });
    expect(result.require).toMatchObject({ ok: false, code: "ERR_DLOPEN_DISABLED" });
  });

  it("cannot generate code from strings", async () => {
    const result = (await attempt("evalCode")) as Attempt & { name?: string };
    expect(result).toMatchObject({ ok: false, name: "EvalError" });
  });
});
