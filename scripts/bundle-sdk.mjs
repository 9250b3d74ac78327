// Builds the SDK as the package workflow authors install (packages/sdk/dist): one ES module and one
// declaration file, self-contained but for zod (its one dependency). The SDK's types and response
// schemas come from @bifrost/contracts, which is private: what the SDK uses of it is inlined here.
// Runs after `tsc -b` (packages/sdk/build holds tsc's output); skips when dist is newer than it.
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { newestMtime } from "./lib/newest-mtime.mjs";
import { generateDtsBundle } from "dts-bundle-generator";
import { build } from "esbuild";

const sdk = path.resolve("packages/sdk");
const input = { js: path.join(sdk, "build/index.js"), dts: path.join(sdk, "build/index.d.ts") };
const output = { js: path.join(sdk, "dist/index.js"), dts: path.join(sdk, "dist/index.d.ts") };

const inputs = [
  path.join(sdk, "build"),
  path.resolve("packages/contracts/dist"),
  path.join(sdk, "package.json"),
];
const fresh =
  Object.values(output).every((file) => existsSync(file)) &&
  Math.min(...Object.values(output).map((file) => statSync(file).mtimeMs)) >
    Math.max(...inputs.map(newestMtime));
if (!fresh || process.argv.includes("--force")) {
  mkdirSync(path.dirname(output.js), { recursive: true });
  await build({
    entryPoints: [input.js],
    outfile: output.js,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node26",
    external: ["zod"],
    legalComments: "none",
    logLevel: "warning",
  });
  const [declarations] = generateDtsBundle(
    [
      {
        filePath: input.dts,
        libraries: { inlinedLibraries: ["@bifrost/contracts"] },
        output: { noBanner: true },
      },
    ],
    { preferredConfigPath: path.join(sdk, "tsconfig.bundle.json") },
  );
  writeFileSync(output.dts, declarations ?? "");
}
