import type { Bus, Lock } from "../../infra/bus/bus.js";
import type { Clock } from "../../infra/clock.js";
import type { FileStore } from "../../infra/files/file-store.js";
import type { Logger } from "../../infra/logger.js";

const LOCK_NAME = "temp-files-cleanup:leader";
/** Files of the `temp` location live this long (API.md "The SDK"). */
export const TEMP_FILE_MAX_AGE_MS = 24 * 3600 * 1000;

export type TempCleanupOptions = { intervalMs: number; maxAgeMs?: number };

/**
 * Deletes files of the `temp` location (every organization's and the global ones) older than 24 h,
 * by their last modification. A periodic job of the scheduler role; any number of schedulers may
 * run it, the one holding the bus lock does the work.
 */
export class TempFilesCleanup {
  private timer: NodeJS.Timeout | undefined;
  private lock: Lock | null = null;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: {
      files: FileStore;
      bus: Bus;
      clock: Clock;
      logger: Logger;
      options: TempCleanupOptions;
    },
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.running = this.tick();
    }, this.deps.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
    await this.lock?.release().catch(() => undefined);
    this.lock = null;
  }

  /** One pass, if this process leads. */
  async tick(): Promise<void> {
    try {
      if (!(await this.lead())) return;
      await this.cleanup();
    } catch (error) {
      this.deps.logger.warn({ err: error }, "temp files cleanup failed");
    }
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

  private async lead(): Promise<boolean> {
    // The lock outlives a pass by far: a long pass must not let a second scheduler start another.
    const ttl = Math.max(this.deps.options.intervalMs * 3, 60_000);
    if (this.lock && (await this.lock.renew(ttl))) return true;
    this.lock = await this.deps.bus.acquireLock(LOCK_NAME, ttl);
    return this.lock !== null;
  }
}
