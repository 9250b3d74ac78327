// The server's layers (ARCHITECTURE.md "Layers"), enforced by a small ESLint rule of ours: a module
// may import its own layer and those below it, never one above — type imports and re-exports
// included. Imports are resolved against the importing file, so a folder that shares a name with a
// layer (services/roles/, services/config/) is not mistaken for it. `npm run lint` and `npm test`
// run it; apps/server/test/layers.test.ts proves it refuses upward imports.
import path from "node:path";

const SERVER = path.join(import.meta.dirname, "apps/server/src");

/**
 * Bottom up. Ground level (0) is importable by everyone: `errors.ts`, `principal.ts` (who is
 * asking) and `db/schema` (tables and their constants).
 */
const LAYERS = [
  { name: "ground", paths: ["errors.ts", "principal.ts", "db/schema"] },
  { name: "infra", paths: ["infra"] },
  { name: "db", paths: ["db"] },
  { name: "repositories", paths: ["repositories"] },
  { name: "services", paths: ["services"] },
  { name: "api", paths: ["api"] },
  { name: "roles", paths: ["roles", "config.ts", "main.ts"] },
];

/** The layer of a file of apps/server/src (the most specific path wins), or undefined. */
function layerOf(file) {
  const relative = path.relative(SERVER, file).split(path.sep).join("/");
  if (relative.startsWith("..")) return undefined;
  let found;
  let length = -1;
  LAYERS.forEach((layer, index) => {
    for (const prefix of layer.paths) {
      const matches = relative === prefix || relative.startsWith(`${prefix}/`);
      if (matches && prefix.length > length) {
        found = { index, name: layer.name };
        length = prefix.length;
      }
    }
  });
  return found;
}

const layersRule = {
  meta: {
    type: "problem",
    docs: { description: "A server module imports nothing from a layer above its own" },
    schema: [],
  },
  create(context) {
    const from = layerOf(context.filename);
    if (!from) return {};
    const check = (node, specifier) => {
      if (typeof specifier !== "string" || !specifier.startsWith(".")) return;
      const target = path.resolve(path.dirname(context.filename), specifier.replace(/\.js$/, ".ts"));
      const to = layerOf(target);
      if (to && to.index > from.index) {
        context.report({
          node,
          message: `${from.name} must not import ${to.name} (${specifier}): a layer above it (ARCHITECTURE.md "Layers")`,
        });
      }
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === "Literal" && check(node, node.source.value),
    };
  },
};

const layersPlugin = { rules: { layers: layersRule } };

/** The config entry that applies the rule to the server's sources. */
export const layerRules = {
  files: ["apps/server/src/**/*.ts"],
  ignores: ["apps/server/src/db/migrations/**"],
  plugins: { bifrost: layersPlugin },
  rules: { "bifrost/layers": "error" },
};
