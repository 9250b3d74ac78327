import { randomBytes } from "node:crypto";
import { mkdir, readdir, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { workspacePathProblem } from "@bifrost/contracts";
import { compiledPathOf } from "./compiler.js";

export type CompiledFile = { path: string; compiled: string };

const VERSION_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
const TEMP_PREFIX = ".tmp-";
/** A temporary directory this old is left over from a crash, not being written. */
const STALE_TEMP_MS = 60 * 60 * 1000;

/**
 * Workspace versions on disk, one directory each, laid out so Node can import them as they are:
 * `<root>/<version>/<path>.mjs` for every compiled file, a `package.json` making `.mjs` siblings one
 * ES module package, and `node_modules/@bifrost/sdk` re-exporting the runtime's SDK bundle.
 *
 * A version directory is written once and never changed: it appears by an atomic rename of a
 * complete temporary directory, so a reader never sees half a version. Only regular files and
 * directories are created (a symlink would let a sandboxed child read outside the read limit of
 * DESIGN.md §5). The caller creates `root`; directories are mode 0750 and files 0640: the children's
 * own identity reads them through the group of `root` (isolation.ts `shareWithSandbox`), nobody else.
 */
export class CompiledWorkspace {
  private readonly writing = new Map<string, Promise<string>>();

  constructor(
    readonly root: string,
    private readonly runtimeDir: string,
  ) {}

  versionDir(version: string): string {
    if (!VERSION_PATTERN.test(version)) throw new Error(`not a workspace version: ${version}`);
    return path.join(this.root, version);
  }

  /** The absolute path of the module a workspace `.ts` path compiles to, in one version. */
  modulePath(version: string, workspacePath: string): string {
    return path.join(this.versionDir(version), compiledPathOf(workspacePath));
  }

  async isMaterialized(version: string): Promise<boolean> {
    return (await stat(this.versionDir(version)).catch(() => undefined))?.isDirectory() ?? false;
  }

  /** Writes `version` unless it is already on disk; answers its directory. Safe to call concurrently. */
  async materialize(version: string, files: readonly CompiledFile[]): Promise<string> {
    const dir = this.versionDir(version);
    const pending = this.writing.get(version);
    if (pending) return pending;
    const job = this.write(dir, files).finally(() => this.writing.delete(version));
    this.writing.set(version, job);
    return job;
  }

  /**
   * Removes all but the `keep` most recently used versions (materialize marks a reused version as
   * used) and temporary directories left by a crash. `protect` names versions in use that must stay.
   */
  async prune(keep: number, protect: readonly string[] = []): Promise<string[]> {
    const entries = await readdir(this.root, { withFileTypes: true });
    const now = Date.now();
    const versions: Array<{ name: string; usedAt: number }> = [];
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const info = await stat(path.join(this.root, entry.name)).catch(() => undefined);
      if (!info) continue;
      if (entry.name.startsWith(TEMP_PREFIX)) {
        if (now - info.mtimeMs > STALE_TEMP_MS) await this.remove(entry.name);
      } else if (VERSION_PATTERN.test(entry.name)) {
        versions.push({ name: entry.name, usedAt: info.mtimeMs });
      }
    }
    const removed = versions
      .sort((a, b) => b.usedAt - a.usedAt)
      .slice(Math.max(0, keep))
      .filter((v) => !protect.includes(v.name))
      .map((v) => v.name);
    for (const name of removed) await this.remove(name);
    return removed;
  }

  /** Removes the root and every version in it: for a root that belongs to this process alone. */
  async destroy(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }

  private async write(dir: string, files: readonly CompiledFile[]): Promise<string> {
    if (await this.touch(dir)) return dir;
    const temp = path.join(
      this.root,
      `${TEMP_PREFIX}${path.basename(dir)}-${randomBytes(6).toString("hex")}`,
    );
    await mkdir(temp, { mode: 0o750 });
    try {
      await this.writeFiles(temp, files);
      try {
        await rename(temp, dir);
      } catch (error) {
        // Another process (or a call racing past the in-process map) put the same version first:
        // versions are immutable, so theirs is as good as ours.
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== "ENOTEMPTY" && code !== "EEXIST") throw error;
        await rm(temp, { recursive: true, force: true });
      }
      return dir;
    } catch (error) {
      await rm(temp, { recursive: true, force: true });
      throw error;
    }
  }

  private async writeFiles(temp: string, files: readonly CompiledFile[]): Promise<void> {
    const sdkDir = path.join(temp, "node_modules", "@bifrost", "sdk");
    await this.writeFile(temp, "package.json", JSON.stringify({ type: "module" }));
    await mkdir(sdkDir, { recursive: true, mode: 0o750 });
    await this.writeFile(
      sdkDir,
      "package.json",
      JSON.stringify({ name: "@bifrost/sdk", type: "module", exports: "./index.mjs" }),
    );
    const sdkUrl = pathToFileURL(path.join(this.runtimeDir, "sdk.mjs")).href;
    await this.writeFile(sdkDir, "index.mjs", `export * from ${JSON.stringify(sdkUrl)};\n`);
    for (const file of files) {
      // Paths come from the database; check them again so none can write outside the version.
      const problem = workspacePathProblem(file.path);
      if (problem || !file.path.endsWith(".ts"))
        throw new Error(`not a compiled workspace path: ${file.path}`);
      const target = path.join(temp, compiledPathOf(file.path));
      await mkdir(path.dirname(target), { recursive: true, mode: 0o750 });
      await writeFile(target, file.compiled, { flag: "wx", mode: 0o640 });
    }
  }

  private async writeFile(dir: string, name: string, content: string): Promise<void> {
    await writeFile(path.join(dir, name), content, { flag: "wx", mode: 0o640 });
  }

  /** Marks an existing version as used (for prune); false when it does not exist. */
  private async touch(dir: string): Promise<boolean> {
    const now = new Date();
    return utimes(dir, now, now).then(
      () => true,
      () => false,
    );
  }

  private async remove(name: string): Promise<void> {
    await rm(path.join(this.root, name), { recursive: true, force: true });
  }
}
