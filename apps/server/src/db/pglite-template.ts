import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { MIGRATIONS_FOLDER, PGLITE_TEMPLATE_FILE } from "./paths.js";

/**
 * A migrated, empty PGlite data directory, made once by the build. The first embedded start loads
 * it (≈1–2 s) instead of running initdb in WebAssembly (≈4–7 s on two cores); migrations still run
 * after loading, so a template older than the migrations is only slower, never wrong.
 */

/** Whether `dataDir` holds no database yet (PostgreSQL writes PG_VERSION at initdb). */
export const isEmptyDataDir = (dataDir: string): boolean => !existsSync(path.join(dataDir, "PG_VERSION"));

export function readPgliteTemplate(): Blob | undefined {
  return existsSync(PGLITE_TEMPLATE_FILE) ? new Blob([readFileSync(PGLITE_TEMPLATE_FILE)]) : undefined;
}

/** Builds the template: a fresh in-memory PGlite, migrated, dumped as a gzipped tarball. */
export async function writePgliteTemplate(file = PGLITE_TEMPLATE_FILE): Promise<void> {
  const [{ PGlite }, { drizzle }, { migrate }] = await Promise.all([
    import("@electric-sql/pglite"),
    import("drizzle-orm/pglite"),
    import("drizzle-orm/pglite/migrator"),
  ]);
  const client = await PGlite.create();
  try {
    await migrate(drizzle({ client, casing: "snake_case" }), { migrationsFolder: MIGRATIONS_FOLDER });
    const dump = await client.dumpDataDir("gzip");
    writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  } finally {
    await client.close();
  }
}
