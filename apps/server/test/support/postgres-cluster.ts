import { execFile } from "node:child_process";
import { chownSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { freePort } from "./server-process.js";

const run = promisify(execFile);

/** Debian's PostgreSQL binaries (the newest version installed), or BIFROST_TEST_PG_BIN. */
function pgBin(): string {
  if (process.env.BIFROST_TEST_PG_BIN) return process.env.BIFROST_TEST_PG_BIN;
  const versions = readdirSync("/usr/lib/postgresql").sort((a, b) => Number(b) - Number(a));
  if (!versions[0]) throw new Error("no PostgreSQL under /usr/lib/postgresql: set BIFROST_TEST_PG_BIN");
  return path.join("/usr/lib/postgresql", versions[0], "bin");
}

export type PrivatePostgres = { url: string; port: number; stop(): Promise<void> };

/**
 * A PostgreSQL cluster of one test file's own (initdb + pg_ctl, run as the `postgres` user since
 * PostgreSQL refuses root), on a free port of 127.0.0.1, whose superuser `postgres` needs
 * `password` over SCRAM. For tests that need a server configured unlike the shared one (trust).
 */
export async function startPrivatePostgres(password: string): Promise<PrivatePostgres> {
  const dir = mkdtempSync(path.join(tmpdir(), "bifrost-pg-"));
  const passwordFile = path.join(dir, "password");
  writeFileSync(passwordFile, `${password}\n`);
  const owner = await run("id", ["-u", "postgres"]).then((r) => Number(r.stdout.trim()));
  chownSync(dir, owner, -1);
  chownSync(passwordFile, owner, -1);
  const bin = pgBin();
  const asPostgres = (command: string, args: string[]) =>
    run("runuser", ["-u", "postgres", "--", path.join(bin, command), ...args]);
  const data = path.join(dir, "data");
  await asPostgres("initdb", [
    ...["-D", data, "-U", "postgres", "--auth=scram-sha-256", `--pwfile=${passwordFile}`],
    ...["--no-sync", "-E", "UTF8", "--no-locale"],
  ]);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`;
  await asPostgres("pg_ctl", ["-D", data, "-l", path.join(dir, "log"), "-o", options, "-w", "start"]);
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      await asPostgres("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
