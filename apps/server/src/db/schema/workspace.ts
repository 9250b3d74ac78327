import { pgTable, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, updatedAt } from "./columns.js";
import { users } from "./users.js";

/**
 * Workflow source files. They live in the database so every worker on every machine sees the same
 * code; `compiled` is the file's own ESM output (workspace imports stay imports between files).
 */
export const workspaceFiles = pgTable("workspace_files", {
  id: id(),
  path: text("path").notNull().unique(),
  content: text("content").notNull(),
  /** SHA-256 (hex) of `content`; the editor's `expectedHash` is compared with it. */
  hash: text("hash").notNull(),
  /** ESM produced by esbuild for `.ts` files; null for other files. */
  compiled: text("compiled"),
  updatedBy: uuid("updated_by").references(() => users.id, { onDelete: "set null" }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});
