// The embedded soak, longer than the one in `npm test` (60 s): one `bifrost-server start` with a
// schedule firing every 2 s, webhooks arriving, sync and async runs and the web client's reads
// together. It runs the soak test itself (apps/server/test/roles/soak-embedded.test.ts) for
// `--seconds` (default 600) and prints its figures: read latency p50/p99/max, every request's max,
// readiness checks. Run after a build: `node bench/soak.mjs [--seconds 600]`. See bench/README.md.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { seconds: { type: "string", default: "600" } } });
const seconds = Number(values.seconds);
if (!Number.isInteger(seconds) || seconds < 10) {
  console.error("Usage: node bench/soak.mjs [--seconds <n ≥ 10>]");
  process.exit(2);
}
const result = spawnSync(
  process.execPath,
  [path.resolve("node_modules/vitest/vitest.mjs"), "run", "apps/server/test/roles/soak-embedded.test.ts"],
  {
    stdio: "inherit",
    env: { ...process.env, BIFROST_SOAK_SECONDS: String(seconds), BIFROST_TEST_SKIP_BUILD: "1" },
  },
);
process.exit(result.status ?? 1);
