import { spawnSync } from "node:child_process";
import path from "node:path";

/** The browser tests load the built client from a built server; build what is missing. */
export default function setup(): void {
  if (process.env.BIFROST_TEST_SKIP_BUILD === "1") return;
  const root = path.resolve(import.meta.dirname, "../../..");
  const result = spawnSync(process.execPath, [path.join(root, "scripts/build.mjs"), "--quiet"], {
    cwd: root,
    stdio: "inherit",
  });
  if (result.status !== 0) throw new Error("the build failed; see the output above");
}
