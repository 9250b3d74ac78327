// The declarations the browser editor's TypeScript language service reads (issue 25), gathered at
// build time into one module of the editor's worker: there is no internet where Bifrost is
// self-hosted, so nothing is fetched from a CDN. What a workflow sees when it runs:
// - TypeScript's own `lib` files for ES2023 (the platform's Node runs ES2023 and later);
// - Node's types (`@types/node` and the `undici-types` its `fetch` comes from): workflows run in
//   Node, with its globals and its `node:` modules;
// - the SDK's declarations, the very file its package ships, and zod's (the SDK's `z`).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Plugin } from "vite";

const MODULE_ID = "virtual:bifrost-editor-types";
const RESOLVED_ID = `\0${MODULE_ID}`;
const ROOT = path.resolve(import.meta.dirname, "../..");
const require = createRequire(path.join(ROOT, "package.json"));

/** `lib.es2023.d.ts` and every lib it references, transitively (`/// <reference lib="…" />`). */
function libFiles(libDir: string, entry: string, into: Map<string, string>): void {
  const name = `lib.${entry}.d.ts`;
  if (into.has(`/${name}`)) return;
  const text = readFileSync(path.join(libDir, name), "utf8");
  into.set(`/${name}`, text);
  for (const match of text.matchAll(/\/\/\/\s*<reference lib="([^"]+)"\s*\/>/g))
    libFiles(libDir, (match[1] ?? "").toLowerCase(), into);
}

/** Every file of a package folder with one of `endings` (and its package.json), under `/node_modules/<name>`. */
function packageFiles(
  name: string,
  endings: readonly string[],
  into: Map<string, string>,
  skip = /^$/,
): void {
  const dir = path.dirname(require.resolve(`${name}/package.json`));
  const walk = (at: string) => {
    for (const entry of readdirSync(at)) {
      const full = path.join(at, entry);
      const relative = path.relative(dir, full).split(path.sep).join("/");
      if (skip.test(relative)) continue;
      if (statSync(full).isDirectory()) walk(full);
      else if (entry === "package.json" || endings.some((ending) => entry.endsWith(ending)))
        into.set(`/node_modules/${name}/${relative}`, readFileSync(full, "utf8"));
    }
  };
  walk(dir);
}

/** Path → content of every declaration the editor needs. */
function editorDeclarations(): Map<string, string> {
  const files = new Map<string, string>();
  libFiles(path.dirname(require.resolve("typescript/lib/lib.d.ts")), "es2023", files);
  // Older TypeScript versions' copies (`ts5.6/`…) are never read by the TypeScript we bundle.
  packageFiles("@types/node", [".d.ts"], files, /^ts\d/);
  packageFiles("undici-types", [".d.ts"], files);
  packageFiles("zod", [".d.cts"], files, /^(src|v3|mini|locales|v4-mini|v4\/mini)(\/|$)/);
  const sdk = path.join(ROOT, "packages/sdk");
  const manifest = JSON.parse(readFileSync(path.join(sdk, "package.json"), "utf8")) as { version: string };
  files.set(
    "/node_modules/@bifrost/sdk/package.json",
    JSON.stringify({ name: "@bifrost/sdk", version: manifest.version, types: "./index.d.ts" }),
  );
  files.set("/node_modules/@bifrost/sdk/index.d.ts", readFileSync(path.join(sdk, "dist/index.d.ts"), "utf8"));
  return files;
}

/** `import declarations from "virtual:bifrost-editor-types"`: the map above, as a plain object. */
export function editorTypes(): Plugin {
  return {
    name: "bifrost-editor-types",
    resolveId: (id) => (id === MODULE_ID ? RESOLVED_ID : undefined),
    load(id) {
      if (id !== RESOLVED_ID) return undefined;
      const files = Object.fromEntries(editorDeclarations());
      // A string parsed once is cheaper for the browser than the same data as an object literal.
      return `export default JSON.parse(${JSON.stringify(JSON.stringify(files))});`;
    },
  };
}
