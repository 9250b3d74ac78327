import { readFileSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";

export class DirectoryInUseError extends Error {
  override readonly name = "DirectoryInUseError";
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Claims `dir` for this process with a pid file beside it. A lock left by a process that is gone
 * is taken over. Returns the release function.
 */
export function acquireDirectoryLock(dir: string): () => void {
  const file = path.join(dir, "..", `${path.basename(dir)}.lock`);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(file, String(process.pid), { flag: "wx", mode: 0o600 });
      return () => {
        try {
          if (readFileSync(file, "utf8") === String(process.pid)) unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number(readFileSync(file, "utf8"));
      if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
        throw new DirectoryInUseError(`${dir} is in use by another Bifrost process (pid ${holder})`);
      }
      unlinkSync(file);
    }
  }
  throw new DirectoryInUseError(`could not lock ${dir}`);
}
