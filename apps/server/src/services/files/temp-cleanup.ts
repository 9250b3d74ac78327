import type { Clock } from "../../infra/clock.js";
import type { FileStore } from "../../infra/files/file-store.js";
import type { Logger } from "../../infra/logger.js";
import type { ScheduledJob } from "../scheduler/job.js";

/** Files of the `temp` location live this long (API.md "The SDK"). */
const TEMP_FILE_MAX_AGE_MS = 24 * 3600 * 1000;

export type TempCleanupOptions = { intervalMs: number; maxAgeMs?: number };

/**
 * Deletes files of the `temp` location (every organization's and the global ones) older than 24 h,
 * by their last modification. A job of the scheduler's catalog (`roles/scheduler.ts`): it runs on
 * the leader scheduler only.
 */
export class TempFilesCleanup {
  constructor(
    private readonly deps: {
      files: FileStore;
      clock: Clock;
      logger: Logger;
      options: TempCleanupOptions;
    },
  ) {}

  /** The catalog entry. */
  job(): ScheduledJob {
    return {
      name: "temp-files-cleanup",
      intervalMs: this.deps.options.intervalMs,
      run: async () => {
        await this.cleanup();
      },
    };
  }

  /** Deletes every temp file last modified before now − max age; answers how many. */
  async cleanup(): Promise<number> {
    const cutoff = this.deps.clock.now() - (this.deps.options.maxAgeMs ?? TEMP_FILE_MAX_AGE_MS);
    let deleted = 0;
    for (const file of await this.deps.files.list("temp/")) {
      if (file.lastModified.getTime() >= cutoff) continue;
      await this.deps.files.delete(file.key);
      deleted++;
    }
    if (deleted > 0) this.deps.logger.info({ deleted }, "deleted expired temp files");
    return deleted;
  }
}
