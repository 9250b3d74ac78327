import { createHash } from "node:crypto";

/**
 * The version of a workspace state: SHA-256 (hex) of every (path, content hash) pair, by path. Two
 * processes holding the same files agree on it without talking to each other; it names the
 * compiled directory a run uses and which warm children may be reused.
 */
export function workspaceVersionOf(files: ReadonlyArray<{ path: string; hash: string }>): string {
  const hash = createHash("sha256");
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    hash.update(file.path).update("\0").update(file.hash).update("\n");
  }
  return hash.digest("hex");
}

/** SHA-256 (hex) of a file's content: its `hash`, what the editor's `expectedHash` is compared with. */
export const contentHash = (content: string): string => createHash("sha256").update(content).digest("hex");
