// Builds what is missing or stale: the TypeScript workspaces (tsc -b is incremental) and the web
// client (rebuilt only when a source file is newer than the last build).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, statSync } from "node:fs";
import path from "node:path";
import { newestMtime } from "./lib/newest-mtime.mjs";

const quiet = process.argv.includes("--quiet");

function run(command, args, label) {
  const started = Date.now();
  const result = spawnSync(process.execPath, [path.resolve(command), ...args], { stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`build: ${label} failed`);
    process.exit(result.status ?? 1);
  }
  if (!quiet) console.log(`build: ${label} (${Date.now() - started} ms)`);
}

run("node_modules/typescript/bin/tsc", ["-b", "tsconfig.json"], "server and packages");
run("scripts/bundle-sdk.mjs", [], "the SDK package");

// The SDK's and the CLI's npm tarballs, served by the platform (`GET /api/cli/sdk`, `/api/cli/download`):
// the exact versions it runs. `npm pack` takes half a second each, so only when a package changed.
{
  const tarballs = path.resolve("apps/server/dist/tarballs");
  for (const [name, dir] of [
    ["sdk", "packages/sdk"],
    ["cli", "packages/cli"],
  ]) {
    const target = path.join(tarballs, `${name}.tgz`);
    const inputs = [path.join(dir, "dist"), path.join(dir, "package.json"), path.join(dir, "README.md")];
    if (existsSync(target) && Math.max(...inputs.map(newestMtime)) <= statSync(target).mtimeMs) continue;
    const started = Date.now();
    mkdirSync(tarballs, { recursive: true });
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const packed = spawnSync(
      npm,
      ["pack", path.resolve(dir), "--pack-destination", tarballs, "--json", "--silent"],
      {
        encoding: "utf8",
      },
    );
    if (packed.status !== 0) {
      console.error(`build: packing ${dir} failed\n${packed.stderr}`);
      process.exit(1);
    }
    const [{ filename }] = JSON.parse(packed.stdout);
    renameSync(path.join(tarballs, filename), target);
    if (!quiet) console.log(`build: ${name} tarball (${Date.now() - started} ms)`);
  }
}

// Workflow children may read only their runtime directory: the child runtime and the SDK, bundled with
// their dependencies. esbuild takes a fraction of a second, so it always rebuilds.
{
  const started = Date.now();
  const { buildRuntime } = await import("../apps/server/dist/services/execution/pool/runtime-bundle.js");
  await buildRuntime();
  if (!quiet) console.log(`build: workflow runtime (${Date.now() - started} ms)`);
}

// The embedded database's first start loads a migrated template instead of running initdb.
const { PGLITE_TEMPLATE_FILE, MIGRATIONS_FOLDER } = await import("../apps/server/dist/db/paths.js");
if (
  !existsSync(PGLITE_TEMPLATE_FILE) ||
  newestMtime(MIGRATIONS_FOLDER) > statSync(PGLITE_TEMPLATE_FILE).mtimeMs
) {
  const started = Date.now();
  const { writePgliteTemplate } = await import("../apps/server/dist/db/pglite-template.js");
  await writePgliteTemplate();
  if (!quiet) console.log(`build: embedded database template (${Date.now() - started} ms)`);
}

const web = path.resolve("apps/web");
const builtIndex = path.join(web, "dist/index.html");
// The editor's worker carries the SDK's declarations (apps/web/editor-types.ts): they count too.
const inputs = ["src", "public", "index.html", "vite.config.ts", "editor-types.ts", "package.json"]
  .map((p) => path.join(web, p))
  .concat([path.resolve("packages/sdk/dist/index.d.ts")])
  .filter((p) => existsSync(p));
const stale = !existsSync(builtIndex) || Math.max(...inputs.map(newestMtime)) > statSync(builtIndex).mtimeMs;
if (stale) {
  const vite = path.resolve("node_modules/vite/bin/vite.js");
  const result = spawnSync(process.execPath, [vite, "build", "--logLevel", quiet ? "warn" : "info"], {
    cwd: web,
    stdio: "inherit",
  });
  if (result.status !== 0) {
    console.error("build: web client failed");
    process.exit(result.status ?? 1);
  }
} else if (!quiet) {
  console.log("build: web client is up to date");
}
