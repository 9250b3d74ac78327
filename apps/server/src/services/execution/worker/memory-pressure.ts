import { readFileSync } from "node:fs";
import os from "node:os";

const read = (file: string): string | undefined => {
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    return undefined;
  }
};

/** Asked for every queue message: the files are read at most this often. */
const SAMPLE_EVERY_MS = 250;

/**
 * The fraction of memory in use: the cgroup's (a container's limit) when there is one, else the
 * machine's. The worker stops claiming new runs above its threshold.
 */
export class MemoryGauge {
  private sampledAt = 0;
  private value = 0;

  inUse(): number {
    const now = Date.now();
    if (now - this.sampledAt >= SAMPLE_EVERY_MS) {
      this.sampledAt = now;
      this.value = this.read();
    }
    return this.value;
  }

  private read(): number {
    const current = Number(read("/sys/fs/cgroup/memory.current"));
    const max = read("/sys/fs/cgroup/memory.max");
    if (Number.isFinite(current) && max !== undefined && max !== "max" && Number(max) > 0) {
      return current / Number(max);
    }
    return 1 - os.freemem() / os.totalmem();
  }
}
