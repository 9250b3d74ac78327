import { readdirSync, statSync } from "node:fs";
import path from "node:path";

/** The newest modification time of a file, or of a folder and everything below it (ms). */
export function newestMtime(entry) {
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(entry).reduce(
    (newest, name) => Math.max(newest, newestMtime(path.join(entry, name))),
    stat.mtimeMs,
  );
}
