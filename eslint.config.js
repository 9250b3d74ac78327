import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";
import { layerRules } from "./eslint.layers.js";

export default tseslint.config(
  {
    ignores: [
      "**/dist/**",
      "**/dist-types/**",
      "packages/sdk/build/**",
      "**/node_modules/**",
      "**/.bifrost/**",
      "apps/server/src/db/migrations/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: {
        project: [
          "./tsconfig.tests.json",
          "./packages/*/tsconfig.json",
          "./apps/server/tsconfig.json",
          "./apps/web/tsconfig.json",
        ],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": "error",
      // Fastify plugins are async by contract even when they register routes synchronously.
      "@typescript-eslint/require-await": "off",
    },
  },
  {
    // Plain JavaScript (scripts, bench, bins) is not part of a TypeScript project.
    files: ["**/*.js", "**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ["**/*.js", "**/*.mjs", "**/test/**", "**/*.config.ts"],
    rules: { "no-console": "off" },
  },
  {
    files: ["apps/web/src/**"],
    languageOptions: { globals: globals.browser },
  },
  layerRules,
);
