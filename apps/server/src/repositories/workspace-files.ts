import { asc, count, eq, max, sql } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { workspaceFiles } from "../db/schema/index.js";
import { WORKFLOW_NAMES_LOCK, WorkflowsRepository } from "./workflows.js";

export type WorkspaceFileRow = typeof workspaceFiles.$inferSelect;
export type WorkspaceFileEntryRow = { path: string; hash: string; size: number; updatedAt: Date };

/** Repositories bound to one transaction that holds WORKFLOW_NAMES_LOCK. */
export type WorkspaceTransaction = { files: WorkspaceFilesRepository; workflows: WorkflowsRepository };

const FINGERPRINT = {
  files: sql<number>`count(*) over ()`.mapWith(Number),
  latest: sql<string>`(max(${workspaceFiles.updatedAt}) over ())::text`,
};
const EMPTY_FINGERPRINT = "0|";
const fingerprintOf = (row: { files: number; latest: string } | undefined): string =>
  row ? `${row.files}|${row.latest}` : EMPTY_FINGERPRINT;

export class WorkspaceFilesRepository {
  constructor(private readonly db: Db) {}

  /**
   * Workspace writes run under the workflow names lock, on every API process: the name-clash check
   * and the upsert of `workflows` rows then see every earlier write, and `updated_at` (taken after the
   * lock with clock_timestamp()) grows in commit order, which the version cache relies on.
   */
  async transaction<T>(work: (tx: WorkspaceTransaction) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) => {
      await tx.execute(WORKFLOW_NAMES_LOCK);
      return work({ files: new WorkspaceFilesRepository(tx), workflows: new WorkflowsRepository(tx) });
    });
  }

  /** Every file without its content, by path. */
  async entries(): Promise<WorkspaceFileEntryRow[]> {
    return this.db
      .select({
        path: workspaceFiles.path,
        hash: workspaceFiles.hash,
        size: sql<number>`octet_length(${workspaceFiles.content})`.mapWith(Number),
        updatedAt: workspaceFiles.updatedAt,
      })
      .from(workspaceFiles)
      .orderBy(asc(workspaceFiles.path));
  }

  async find(path: string): Promise<WorkspaceFileRow | undefined> {
    const [row] = await this.db.select().from(workspaceFiles).where(eq(workspaceFiles.path, path)).limit(1);
    return row;
  }

  /**
   * (path, hash) of every file, by path, and the fingerprint of that same state (one statement, so
   * one snapshot): a cache of the version keyed by the fingerprint never pairs it with other rows.
   */
  async hashes(): Promise<{ fingerprint: string; files: Array<{ path: string; hash: string }> }> {
    const rows = await this.db
      .select({ path: workspaceFiles.path, hash: workspaceFiles.hash, ...FINGERPRINT })
      .from(workspaceFiles)
      .orderBy(asc(workspaceFiles.path));
    return { fingerprint: fingerprintOf(rows[0]), files: rows.map(({ path, hash }) => ({ path, hash })) };
  }

  /** As `hashes`, with the compiled code of `.ts` files (null for other files). */
  async snapshot(): Promise<{
    fingerprint: string;
    files: Array<{ path: string; hash: string; compiled: string | null }>;
  }> {
    const rows = await this.db
      .select({
        path: workspaceFiles.path,
        hash: workspaceFiles.hash,
        compiled: workspaceFiles.compiled,
        ...FINGERPRINT,
      })
      .from(workspaceFiles)
      .orderBy(asc(workspaceFiles.path));
    return {
      fingerprint: fingerprintOf(rows[0]),
      files: rows.map(({ path, hash, compiled }) => ({ path, hash, compiled })),
    };
  }

  /**
   * A cheap fingerprint of the table: the number of files and the latest `updated_at` at full
   * precision (as text: a JS Date would drop the microseconds).
   */
  async fingerprint(): Promise<string> {
    const [row] = await this.db
      .select({ files: count(), latest: sql<string | null>`${max(workspaceFiles.updatedAt)}::text` })
      .from(workspaceFiles);
    return row && row.files > 0 ? `${row.files}|${row.latest ?? ""}` : EMPTY_FINGERPRINT;
  }

  async upsert(values: {
    path: string;
    content: string;
    hash: string;
    compiled: string | null;
    updatedBy: string | null;
  }): Promise<WorkspaceFileRow> {
    const changes = { ...values, updatedAt: sql`clock_timestamp()` };
    const [row] = await this.db
      .insert(workspaceFiles)
      .values(changes)
      .onConflictDoUpdate({ target: workspaceFiles.path, set: changes })
      .returning();
    if (!row) throw new Error("upsert returned no row");
    return row;
  }

  async delete(path: string): Promise<boolean> {
    const deleted = await this.db
      .delete(workspaceFiles)
      .where(eq(workspaceFiles.path, path))
      .returning({ id: workspaceFiles.id });
    return deleted.length === 1;
  }
}
