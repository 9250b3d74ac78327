import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { CliError } from "./output.js";

/** What a workspace folder remembers of its platform: the URL and each file's hash at the last sync. */
export type SyncState = { url: string; files: Record<string, string> };

const STATE_DIR = ".bifrost";
const STATE_FILE = "state.json";
/** Folders never pushed. */
const SKIPPED = new Set(["node_modules", STATE_DIR, ".git", "dist"]);

export const contentHash = (content: string): string => createHash("sha256").update(content).digest("hex");

/** The workspace folder: `dir`, else the nearest one up from here holding `.bifrost/`, else here. */
export function workspaceRoot(dir: string | undefined): string {
  if (dir) return path.resolve(dir);
  for (let at = process.cwd(); ; at = path.dirname(at)) {
    if (existsSync(path.join(at, STATE_DIR))) return at;
    if (path.dirname(at) === at) return process.cwd();
  }
}

export function readState(root: string): SyncState | undefined {
  try {
    return JSON.parse(readFileSync(path.join(root, STATE_DIR, STATE_FILE), "utf8")) as SyncState;
  } catch {
    return undefined;
  }
}

export function writeState(root: string, state: SyncState): void {
  mkdirSync(path.join(root, STATE_DIR), { recursive: true });
  writeFileSync(path.join(root, STATE_DIR, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
}

/** A workspace file's path (`/`-separated, relative), or undefined for what is not pushed. */
export function workspacePath(root: string, file: string): string | undefined {
  const relative = path.relative(root, file).split(path.sep).join("/");
  if (relative.startsWith("..") || path.isAbsolute(relative)) return undefined;
  const segments = relative.split("/");
  if (segments.some((s) => SKIPPED.has(s) || s.startsWith("."))) return undefined;
  if (!relative.endsWith(".ts") || relative.endsWith(".d.ts")) return undefined;
  return relative;
}

/** Every TypeScript file of the workspace (not declarations, not node_modules, not hidden). */
export function localFiles(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED.has(entry.name) && !entry.name.startsWith(".")) walk(full);
      } else if (entry.isFile()) {
        const relative = workspacePath(root, full);
        if (relative) files.set(relative, readFileSync(full, "utf8"));
      }
    }
  };
  if (!existsSync(root)) throw new CliError(`No such folder: ${root}`);
  walk(root);
  return files;
}

export function writeLocal(root: string, relative: string, content: string): void {
  const target = path.join(root, ...relative.split("/"));
  if (!target.startsWith(`${root}${path.sep}`))
    throw new CliError(`Refusing to write outside the workspace: ${relative}`);
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, content);
}
