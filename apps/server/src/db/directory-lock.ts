import { readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { isProcessAlive } from "../infra/process-alive.js";
import path from "node:path";

export class DirectoryInUseError extends Error {
  override readonly name = "DirectoryInUseError";
}

/**
 * When the process started, in clock ticks since boot (Linux /proc). With the pid it names one
 * process for good: after a crash the pid may be reused by an unrelated process, the pair not.
 */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 22; the command name (field 2) may hold spaces and parentheses, so count after the last ')'.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

function holderIsRunning(content: string): { pid: number } | undefined {
  const [pidText, started] = content.trim().split(" ");
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || !isProcessAlive(pid)) return undefined;
  const current = startTime(pid);
  if (started !== undefined && current !== undefined && current !== started) return undefined;
  return { pid };
}

/**
 * Claims `dir` for this process with a lock file beside it. A lock left by a process that is gone
 * is taken over. Returns the release function.
 *
 * Known limit: two processes taking over the same stale lock at the same instant can both win;
 * this guards against the common mistake (a second `npm start`), not against a race after a crash.
 */
export function acquireDirectoryLock(dir: string): () => void {
  const file = path.join(dir, "..", `${path.basename(dir)}.lock`);
  const mine = `${process.pid} ${startTime(process.pid) ?? ""}`.trim();
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(file, mine, { flag: "wx", mode: 0o600 });
      return () => {
        try {
          if (readFileSync(file, "utf8") === mine) unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = holderIsRunning(readFileSync(file, "utf8"));
      if (holder)
        throw new DirectoryInUseError(`${dir} is in use by another Bifrost process (pid ${holder.pid})`);
      unlinkSync(file);
    }
  }
  throw new DirectoryInUseError(`could not lock ${dir}`);
}
