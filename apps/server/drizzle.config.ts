import { defineConfig } from "drizzle-kit";

// Generates SQL migrations from src/db/schema; `npm run db:generate` after a schema change.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema/index.ts",
  out: "./src/db/migrations",
  casing: "snake_case",
});
