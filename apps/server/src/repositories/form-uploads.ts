import { and, count, eq, gt, inArray, isNotNull, isNull, lt, min, sql } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { formUploads } from "../db/schema/index.js";

export type NewFormUpload = {
  storeKey: string;
  formId: string;
  fieldName: string;
  userId: string;
  createdAt: Date;
};

/** Keys per statement: keeps a cleanup pass's `IN (...)` lists well under the parameter limit. */
const BATCH = 500;

function* batches<T>(items: readonly T[]): Generator<T[]> {
  for (let i = 0; i < items.length; i += BATCH) yield items.slice(i, i + BATCH);
}

/** The record of form uploads: what bounds them per user and field, and what the cleanup keeps. */
export class FormUploadsRepository {
  constructor(private readonly db: Db) {}

  /**
   * Records `upload` unless its user already holds `limit` pending uploads of the field (created
   * after `since`, not closed by a submission); when refused, answers the oldest of those. An
   * advisory lock per (form, user, field) serialises concurrent requests on every API process, so
   * a burst cannot pass the count together.
   */
  async reserve(
    upload: NewFormUpload,
    limit: number,
    since: Date,
  ): Promise<{ reserved: true } | { reserved: false; oldest: Date }> {
    return this.db.transaction(async (tx) => {
      const lock = `bifrost.form-uploads:${upload.formId}:${upload.userId}:${upload.fieldName}`;
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${lock}))`);
      const [pending] = await tx
        .select({ count: count(), oldest: min(formUploads.createdAt) })
        .from(formUploads)
        .where(
          and(
            eq(formUploads.formId, upload.formId),
            eq(formUploads.userId, upload.userId),
            eq(formUploads.fieldName, upload.fieldName),
            isNull(formUploads.submittedAt),
            gt(formUploads.createdAt, since),
          ),
        );
      if ((pending?.count ?? 0) >= limit) return { reserved: false, oldest: pending?.oldest ?? since };
      await tx.insert(formUploads).values(upload);
      return { reserved: true };
    });
  }

  /**
   * A submission of the form by `userId`: closes the user's pending uploads of the form and records
   * the ones it names as referenced (inserted when their record is gone or never existed).
   */
  async recordSubmission(
    formId: string,
    userId: string,
    referenced: ReadonlyArray<{ storeKey: string; fieldName: string }>,
    at: Date,
  ): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx
        .update(formUploads)
        .set({ submittedAt: at })
        .where(
          and(
            eq(formUploads.formId, formId),
            eq(formUploads.userId, userId),
            isNull(formUploads.submittedAt),
          ),
        );
      if (referenced.length === 0) return;
      await tx
        .insert(formUploads)
        .values(
          referenced.map(({ storeKey, fieldName }) => ({
            storeKey,
            formId,
            fieldName,
            userId,
            createdAt: at,
            submittedAt: at,
            referencedAt: at,
          })),
        )
        .onConflictDoUpdate({
          target: formUploads.storeKey,
          set: {
            submittedAt: sql`coalesce(${formUploads.submittedAt}, excluded.submitted_at)`,
            referencedAt: sql`coalesce(${formUploads.referencedAt}, excluded.referenced_at)`,
          },
        });
    });
  }

  /** Which of `keys` a submission referenced. */
  async referencedAmong(keys: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (const batch of batches(keys)) {
      const rows = await this.db
        .select({ storeKey: formUploads.storeKey })
        .from(formUploads)
        .where(and(inArray(formUploads.storeKey, batch), isNotNull(formUploads.referencedAt)));
      for (const row of rows) found.add(row.storeKey);
    }
    return found;
  }

  /** Drops the records of these unreferenced uploads (their files are gone). */
  async forget(keys: readonly string[]): Promise<void> {
    for (const batch of batches(keys)) {
      await this.db
        .delete(formUploads)
        .where(and(inArray(formUploads.storeKey, batch), isNull(formUploads.referencedAt)));
    }
  }

  /**
   * Drops unreferenced records created before `cutoff`: past the cap's window they count for
   * nothing, and a submission naming the file later records it again. Answers how many.
   */
  async dropExpired(cutoff: Date): Promise<number> {
    const dropped = await this.db
      .delete(formUploads)
      .where(and(isNull(formUploads.referencedAt), lt(formUploads.createdAt, cutoff)))
      .returning({ storeKey: formUploads.storeKey });
    return dropped.length;
  }
}
