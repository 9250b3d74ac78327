// The bench database on the machine's PostgreSQL, created and dropped with psql.
import { spawnSync } from "node:child_process";
import { onCleanup } from "./cleanup.mjs";

/**
 * Runs SQL through psql (statements only: the output is discarded).
 * @param {string} url   a database URL (for the admin statements below, any database the role may connect to)
 * @param {string} sql
 */
export function runSql(url, sql) {
  const result = spawnSync("psql", [url, "-v", "ON_ERROR_STOP=1", "-X", "-q", "-c", sql], {
    encoding: "utf8",
    timeout: 30_000,
  });
  if (result.error) throw new Error(`psql could not run: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`psql failed (${sql.slice(0, 200)}): ${result.stderr.trim()}`);
}

/**
 * Creates a fresh database and registers its removal. Returns its URL and a `drop()` to remove it
 * early (after the server using it has stopped).
 * @param {string} serverUrl   e.g. postgres://postgres@127.0.0.1:5432
 * @param {string} name        lowercase letters, digits and underscores
 */
export function createBenchDatabase(serverUrl, name) {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe database name: ${name}`);
  const admin = new URL(serverUrl);
  admin.pathname = "/postgres";
  const adminUrl = admin.toString();
  const dropSql = `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`;
  runSql(adminUrl, dropSql);
  runSql(adminUrl, `CREATE DATABASE ${name}`);
  const drop = onCleanup(
    `drop database ${name}`,
    () => runSql(adminUrl, dropSql),
    () => runSql(adminUrl, dropSql),
  );
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop };
}
