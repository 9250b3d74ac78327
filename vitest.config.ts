import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const source = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// Tests run workspaces from source: no build needed before `vitest`.
const alias = [
  // One module of the contracts (the children's runtime imports only the IPC contract; the SDK loads
  // each module's response schemas when it first needs them), or all of them.
  { find: /^@bifrost\/contracts\/([\w-]+)$/, replacement: source("./packages/contracts/src/$1.ts") },
  { find: /^@bifrost\/contracts$/, replacement: source("./packages/contracts/src/index.ts") },
  { find: /^@bifrost\/sdk$/, replacement: source("./packages/sdk/src/index.ts") },
];

export default defineConfig({
  test: {
    // 2 cores: two test files at a time; each file gets its own database, queues and key prefix.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 90_000,
    projects: [
      {
        extends: true,
        resolve: { alias },
        test: {
          name: "server",
          root: source("./apps/server"),
          include: ["test/**/*.test.ts"],
          globalSetup: [source("./apps/server/test/support/global-setup.ts")],
        },
      },
      {
        extends: true,
        test: {
          name: "web",
          root: source("./apps/web"),
          include: ["test/**/*.test.ts"],
          globalSetup: [source("./apps/web/test/global-setup.ts")],
          // A browser step waits for the server (an MFA enrolment hashes ten recovery codes): under a
          // full CI run on two cores that is more than expect.poll's default second.
          expect: { poll: { timeout: 15_000 } },
        },
      },
      {
        extends: true,
        test: { name: "cli", root: source("./packages/cli"), include: ["test/**/*.test.ts"] },
      },
      {
        extends: true,
        resolve: { alias },
        test: { name: "contracts", root: source("./packages/contracts"), include: ["test/**/*.test.ts"] },
      },
      {
        extends: true,
        resolve: { alias },
        test: {
          name: "sdk",
          root: source("./packages/sdk"),
          include: ["test/**/*.test.ts"],
          typecheck: { enabled: false },
        },
      },
    ],
  },
});
