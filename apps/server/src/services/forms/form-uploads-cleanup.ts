import type { Clock } from "../../infra/clock.js";
import type { FileStore } from "../../infra/files/file-store.js";
import type { Logger } from "../../infra/logger.js";
import type { FormUploadsRepository } from "../../repositories/form-uploads.js";
import type { ScheduledJob } from "../scheduler/job.js";

/** A form upload no submission references is deleted this long after it was sent. */
export const FORM_UPLOAD_MAX_AGE_MS = 24 * 3600 * 1000;

/**
 * The keys form upload URLs write (`FormRuns.upload`). Files a workflow writes to the uploads
 * location elsewhere are its own and left alone.
 */
const FORM_UPLOAD_KEY = /^uploads\/(?:orgs\/[^/]+|global)\/forms\/[^/]+\/[^/]+\//;

export type FormUploadsCleanupOptions = { intervalMs: number; maxAgeMs?: number };

/**
 * Deletes form uploads last modified more than 24 h ago that no submission references (a
 * `form_uploads` record with `referencedAt`), in every organization, and the records of uploads
 * past that age that were never referenced. A job of the scheduler's catalog (`roles/scheduler.ts`),
 * so it runs on the leader scheduler only, in `bifrost-server start` as in the scheduler role.
 */
export class FormUploadsCleanup {
  constructor(
    private readonly deps: {
      files: FileStore;
      uploads: Pick<FormUploadsRepository, "referencedAmong" | "forget" | "dropExpired">;
      clock: Clock;
      logger: Logger;
      options: FormUploadsCleanupOptions;
    },
  ) {}

  /** The catalog entry. */
  job(): ScheduledJob {
    return {
      name: "form-uploads-cleanup",
      intervalMs: this.deps.options.intervalMs,
      run: async () => {
        await this.cleanup();
      },
    };
  }

  /** Deletes the expired unreferenced uploads; answers how many files. Safe to repeat. */
  async cleanup(): Promise<number> {
    const cutoff = this.deps.clock.now() - (this.deps.options.maxAgeMs ?? FORM_UPLOAD_MAX_AGE_MS);
    const expired = (await this.deps.files.list("uploads/"))
      .filter((file) => FORM_UPLOAD_KEY.test(file.key) && file.lastModified.getTime() < cutoff)
      .map((file) => file.key);
    const referenced = await this.deps.uploads.referencedAmong(expired);
    const unreferenced = expired.filter((key) => !referenced.has(key));
    for (const key of unreferenced) await this.deps.files.delete(key);
    await this.deps.uploads.forget(unreferenced);
    const records = await this.deps.uploads.dropExpired(new Date(cutoff));
    if (unreferenced.length > 0 || records > 0)
      this.deps.logger.info({ deleted: unreferenced.length, records }, "deleted expired form uploads");
    return unreferenced.length;
  }
}
