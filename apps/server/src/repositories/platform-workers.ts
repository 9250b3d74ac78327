import { desc, gt, lt, sql } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { platformWorkers } from "../db/schema/index.js";

export type PlatformWorkerRow = typeof platformWorkers.$inferSelect;

export class PlatformWorkersRepository {
  constructor(private readonly db: Db) {}

  async upsert(
    row: Omit<PlatformWorkerRow, "createdAt" | "lastSeenAt" | "capacity"> & { capacity: number },
  ): Promise<void> {
    await this.db
      .insert(platformWorkers)
      .values({ ...row, lastSeenAt: sql`now()` })
      .onConflictDoUpdate({
        target: platformWorkers.id,
        set: { state: row.state, capacity: row.capacity, lastSeenAt: sql`now()` },
      });
  }

  /** Workers seen within `withinMs`, newest first. */
  async listAlive(withinMs: number): Promise<PlatformWorkerRow[]> {
    return await this.db
      .select()
      .from(platformWorkers)
      .where(gt(platformWorkers.lastSeenAt, sql`now() - ${`${withinMs} milliseconds`}::interval`))
      .orderBy(desc(platformWorkers.startedAt));
  }

  async deleteOlderThan(ms: number): Promise<void> {
    await this.db
      .delete(platformWorkers)
      .where(lt(platformWorkers.lastSeenAt, sql`now() - ${`${ms} milliseconds`}::interval`));
  }
}
