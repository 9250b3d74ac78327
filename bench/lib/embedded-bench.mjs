// What the single-server benches (tables, forms, endpoints, webhooks) share: one `bifrost-server start`
// on a fresh database of the machine's PostgreSQL, its temp folders removed at the end, and writing
// the bench's workflows into its workspace.
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { onCleanup } from "./cleanup.mjs";
import { createBenchDatabase } from "./postgres.mjs";
import { startServer } from "./server.mjs";
import { log } from "./table.mjs";

/**
 * Starts the server of the bench `name` (MFA off, a random secret key); `describe` is the first line
 * the bench prints, followed by where the server's log goes.
 * @param {string} postgresUrl
 * @param {string} name  e.g. "tables": names the temp folder, the database and the server's label
 * @param {string} describe
 */
export async function startBenchServer(postgresUrl, name, describe) {
  const tmpRoot = mkdtempSync(path.join(os.tmpdir(), `bifrost-${name}-bench-`));
  onCleanup(
    `remove ${tmpRoot}`,
    () => rmSync(tmpRoot, { recursive: true, force: true }),
    () => rmSync(tmpRoot, { recursive: true, force: true }),
  );
  const database = createBenchDatabase(postgresUrl, `bifrost_${name}_${process.pid}`);
  const tmpDir = path.join(tmpRoot, "tmp");
  mkdirSync(tmpDir, { recursive: true });
  const logFile = path.join(tmpRoot, "server.log");
  log(`${describe}; server log ${logFile}`);
  const server = await startServer({
    label: `${name} (start)`,
    role: "start",
    logFile,
    env: {
      TMPDIR: tmpDir,
      BIFROST_DATA_DIR: path.join(tmpRoot, "data"),
      DATABASE_URL: database.url,
      BIFROST_SECRET_KEY: randomBytes(32).toString("hex"),
      BIFROST_MFA_REQUIRED: "false",
      BIFROST_LOG_LEVEL: "warn",
    },
  });
  return { server, database };
}

/**
 * Writes a workspace file through the editor API; answers the workflows it defines.
 * @param {string} baseUrl
 * @param {string} bearer
 * @param {string} filePath
 * @param {string} content
 * @returns {Promise<Array<{ id: string, name: string }>>}
 */
export async function writeWorkspaceFile(baseUrl, bearer, filePath, content) {
  const written = await fetch(`${baseUrl}/api/files/editor/content`, {
    method: "PUT",
    headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
    body: JSON.stringify({ path: filePath, content }),
  });
  if (written.status !== 200)
    throw new Error(`writing ${filePath}: ${written.status} ${await written.text()}`);
  return (await written.json()).workflows;
}
