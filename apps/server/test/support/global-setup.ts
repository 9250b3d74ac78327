import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { MIGRATIONS_FOLDER, openDatabase } from "../../src/db/database.js";
import { adminQuery, TEST_DATABASE_PREFIX } from "./database.js";
import { TEST_POSTGRES_URL, uniqueId, withDatabase } from "./services.js";
import { startTestHosts } from "./netns-hosts.js";

const STALE_AFTER_SECONDS = 6 * 3600;

function migrationsHash(): string {
  const hash = createHash("sha256");
  for (const file of readdirSync(MIGRATIONS_FOLDER)
    .filter((f) => f.endsWith(".sql"))
    .sort()) {
    hash.update(file).update(readFileSync(path.join(MIGRATIONS_FOLDER, file)));
  }
  return hash.digest("hex").slice(0, 12);
}

async function dropLeftovers(): Promise<void> {
  const { rows } = await adminQuery("select datname from pg_database where datname like $1", [
    `${TEST_DATABASE_PREFIX}%`,
  ]);
  const now = Date.now() / 1000;
  for (const { datname } of rows as Array<{ datname: string }>) {
    const created = Number(datname.slice(TEST_DATABASE_PREFIX.length).split("_")[0]);
    if (Number.isFinite(created) && now - created > STALE_AFTER_SECONDS) {
      await adminQuery(`drop database if exists "${datname}" with (force)`);
    }
  }
}

/**
 * Tests that start `bifrost-server` or run workflows need the build (tsc, the children's runtime
 * bundle, the PGlite template); each step is a no-op or fast when current.
 */
function buildServer(): void {
  if (process.env.BIFROST_TEST_SKIP_BUILD === "1") return;
  const root = path.resolve(import.meta.dirname, "../../../..");
  const result = spawnSync(process.execPath, [path.join(root, "scripts/build.mjs"), "--quiet"], {
    cwd: root,
    stdio: "inherit",
  });
  if (result.status !== 0) throw new Error("the build failed; see the output above");
}

/**
 * Migrates one template database per migration set, shared by every test file (and by parallel
 * runs): each file then copies it with CREATE DATABASE … TEMPLATE instead of migrating again.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  buildServer();
  const template = `bifrost_template_${migrationsHash()}`;
  const { rowCount } = await adminQuery("select 1 from pg_database where datname = $1", [template]);
  if (!rowCount) {
    const scratch = `${template}_${uniqueId()}`;
    await adminQuery(`create database "${scratch}"`);
    const database = await openDatabase({
      engine: "postgres",
      url: withDatabase(TEST_POSTGRES_URL, scratch),
      poolSize: 1,
    });
    await database.migrate();
    await database.close();
    try {
      await adminQuery(`alter database "${scratch}" rename to "${template}"`);
    } catch {
      // Another run finished the same template first; theirs is identical.
      await adminQuery(`drop database if exists "${scratch}"`);
    }
  }
  await dropLeftovers();
  project.provide("templateDatabase", template);
  const hosts = await startTestHosts();
  project.provide("testHosts", hosts.info);
  return () => hosts.close();
}
