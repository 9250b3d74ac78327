// Fails when any workspace has a circular import (CONVENTIONS.md: no circular imports), type imports
// included: a cycle through types alone still ties the modules together.
import madge from "madge";

const roots = [
  "apps/server/src",
  "packages/contracts/src",
  "packages/sdk/src",
  "packages/cli/src",
  "apps/web/src",
];

const result = await madge(roots, {
  fileExtensions: ["ts", "tsx"],
  tsConfig: "tsconfig.base.json",
  detectiveOptions: { ts: { skipTypeImports: false }, tsx: { skipTypeImports: false } },
});
const graph = result.obj();
const files = Object.keys(graph).length;
const edges = Object.values(graph).reduce((n, deps) => n + deps.length, 0);
const cycles = result.circular();
if (cycles.length > 0) {
  console.error(`Circular imports (${cycles.length}):`);
  for (const cycle of cycles) console.error(`  ${cycle.join(" -> ")}`);
  process.exit(1);
}
// A graph with no edges means the resolver failed, and "no cycles" would prove nothing.
if (edges === 0) {
  console.error("check-cycles: no imports were resolved; the check is broken");
  process.exit(1);
}
console.log(`No circular imports (${files} files, ${edges} imports).`);
