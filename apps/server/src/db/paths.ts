import { fileURLToPath } from "node:url";

// Both resolve the same from src/db (tsx, vitest) and dist/db (the build).
export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../../src/db/migrations", import.meta.url));
export const PGLITE_TEMPLATE_FILE = fileURLToPath(
  new URL("../../dist/pglite-template.tar.gz", import.meta.url),
);
