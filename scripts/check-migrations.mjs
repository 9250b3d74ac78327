// Fails when the Drizzle schema differs from what the committed migrations build:
// a schema change without `npm run db:generate` never reaches CI green.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";

const server = path.resolve("apps/server");
const committed = path.join(server, "src/db/migrations");
// drizzle-kit resolves --out relative to its working directory, so the scratch copy lives inside it.
const scratch = mkdtempSync(path.join(server, ".migrations-check-"));
try {
  cpSync(committed, scratch, { recursive: true });
  const before = new Set(readdirSync(scratch));
  const output = execFileSync(
    process.execPath,
    [
      path.resolve("node_modules/drizzle-kit/bin.cjs"),
      "generate",
      "--dialect=postgresql",
      "--schema=./src/db/schema/index.ts",
      `--out=./${path.relative(server, scratch)}`,
      "--casing=snake_case",
      "--name=pending",
    ],
    { cwd: server, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" },
  );
  const added = readdirSync(scratch).filter((f) => !before.has(f));
  // drizzle-kit can report an error and still exit 0: only its "nothing to do" line proves a match.
  if (added.length === 0 && !/No schema changes/i.test(output)) {
    console.error(`drizzle-kit did not confirm the schema matches the migrations:\n${output}`);
    process.exitCode = 1;
  } else if (added.length > 0) {
    console.error(
      `The schema in apps/server/src/db/schema has changes without a migration (${added.join(", ")}).\n` +
        "Run `npm run db:generate` and commit the new file under apps/server/src/db/migrations.",
    );
    process.exitCode = 1;
  } else {
    console.log("Migrations match the schema.");
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
