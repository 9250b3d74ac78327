// Builds the SDK as the package workflow authors install (packages/sdk/dist): one ES module and one
// declaration file, self-contained but for zod (its one dependency). The SDK's types and response
// schemas come from @bifrost/contracts, which is private: what the SDK uses of it is inlined here.
// Runs after `tsc -b` (packages/sdk/build holds tsc's output); skips when dist is newer than it.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { newestMtime } from "./lib/newest-mtime.mjs";
import { generateDtsBundle } from "dts-bundle-generator";
import { build } from "esbuild";

const sdk = path.resolve("packages/sdk");
const input = { js: path.join(sdk, "build/index.js"), dts: path.join(sdk, "build/index.d.ts") };
const output = { js: path.join(sdk, "dist/index.js"), dts: path.join(sdk, "dist/index.d.ts") };
// The runtime's subpath (`@bifrost/sdk/internal`): kept out of the authors' entry.
const internal = {
  input: { js: path.join(sdk, "build/internal.js"), dts: path.join(sdk, "build/internal.d.ts") },
  output: { js: path.join(sdk, "dist/internal.js"), dts: path.join(sdk, "dist/internal.d.ts") },
};
const { version } = JSON.parse(readFileSync(path.join(sdk, "package.json"), "utf8"));

const inputs = [
  path.join(sdk, "build"),
  path.resolve("packages/contracts/dist"),
  path.join(sdk, "package.json"),
];
const fresh =
  [...Object.values(output), ...Object.values(internal.output)].every((file) => existsSync(file)) &&
  Math.min(
    ...[...Object.values(output), ...Object.values(internal.output)].map((file) => statSync(file).mtimeMs),
  ) > Math.max(...inputs.map(newestMtime));
if (!fresh || process.argv.includes("--force")) {
  mkdirSync(path.dirname(output.js), { recursive: true });
  for (const [from, to] of [
    [input.js, output.js],
    [internal.input.js, internal.output.js],
  ])
    await build({
      entryPoints: [from],
      outfile: to,
      bundle: true,
      format: "esm",
      platform: "node",
      // What authors' machines may run, not only the platform's Node.
      target: "node22",
      external: ["zod"],
      define: { BIFROST_SDK_VERSION: JSON.stringify(version) },
      legalComments: "none",
      logLevel: "warning",
    });
  const declarations = generateDtsBundle(
    [input.dts, internal.input.dts].map((filePath) => ({
      filePath,
      libraries: { inlinedLibraries: ["@bifrost/contracts"] },
      output: { noBanner: true },
    })),
    { preferredConfigPath: path.join(sdk, "tsconfig.bundle.json") },
  );
  writeFileSync(output.dts, declarations[0] ?? "");
  writeFileSync(internal.output.dts, declarations[1] ?? "");
}
