import { randomBytes } from "node:crypto";
import { constants, mkdirSync, realpathSync, type Dirent, type Stats } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { ConflictError, UnavailableError, ValidationError } from "../../errors.js";
import {
  assertSafeKey,
  assertSafePrefix,
  compareKeys,
  type FileStore,
  type StoredFile,
} from "./file-store.js";

// Temp files share the target's directory so the rename is atomic; list() must never show them.
const TEMP_SUFFIX = ".bifrost-tmp";
const TEMP_NAME = /^\.[0-9a-f]{32}\.bifrost-tmp$/;
// Windows has no O_NOFOLLOW; there the parent realpath check is the only guard.
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;

const errorCode = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | null)?.code;

function isWithin(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return (
    relative === "" ||
    (relative !== ".." && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative))
  );
}

function outsideRoot(field: string): ValidationError {
  return new ValidationError(`Invalid ${field}`, [
    { path: field, message: `${field} must stay inside the file store` },
  ]);
}

/** Files under a local directory. Keys map to paths; '/' becomes the platform separator. */
export class DiskFileStore implements FileStore {
  readonly adapter = "disk" as const;
  private readonly root: string;
  /** The root with symlinks resolved: every realpath below it must start here. */
  private readonly realRoot: string;

  constructor(options: { root: string }) {
    this.root = path.resolve(options.root);
    // Synchronous on purpose: a store is built once at boot and must be usable right away.
    mkdirSync(this.root, { recursive: true, mode: 0o700 });
    this.realRoot = realpathSync(this.root);
  }

  async put(key: string, data: Uint8Array | string, _options?: { contentType?: string }): Promise<void> {
    await this.replace(key, (temp) => writeDurably(temp, data));
  }

  async putStream(
    key: string,
    source: Readable,
    _options?: { contentType?: string },
  ): Promise<{ size: number }> {
    let size = 0;
    await this.replace(key, async (temp) => {
      const handle = await fs.open(temp, "wx", 0o600);
      try {
        for await (const chunk of source as AsyncIterable<Buffer | string>) {
          const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
          for (let offset = 0; offset < bytes.byteLength;) {
            offset += (await handle.write(bytes, offset)).bytesWritten;
          }
          size += bytes.byteLength;
        }
        await handle.sync();
      } catch (error) {
        await handle.close();
        await fs.rm(temp, { force: true });
        throw error;
      }
      await handle.close();
    });
    return { size };
  }

  /** Writes a temp file beside the target with `write`, then renames it over the target. */
  private async replace(key: string, write: (temp: string) => Promise<void>): Promise<void> {
    const target = this.locate(key);
    const dir = path.dirname(target);
    const temp = path.join(dir, `.${randomBytes(16).toString("hex")}${TEMP_SUFFIX}`);
    // A concurrent delete may prune the directory between mkdir and open; retrying covers it.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.confineAncestor(dir);
        await fs.mkdir(dir, { recursive: true, mode: 0o700 });
        await this.confineExisting(dir, "path");
        await write(temp);
        break;
      } catch (error) {
        if (errorCode(error) === "ENOENT" && attempt < 3) continue;
        throw asConflict(error, key);
      }
    }
    try {
      await fs.rename(temp, target);
    } catch (error) {
      await fs.rm(temp, { force: true });
      throw asConflict(error, key);
    }
  }

  async get(key: string): Promise<Buffer | null> {
    const handle = await this.openFile(key);
    if (handle === null) return null;
    try {
      return await handle.readFile();
    } finally {
      await handle.close();
    }
  }

  async getStream(key: string): Promise<{ stream: Readable; size: number } | null> {
    const handle = await this.openFile(key);
    if (handle === null) return null;
    try {
      const { size } = await handle.stat();
      // The stream owns the handle from here on and closes it at its end or on destroy().
      return { stream: handle.createReadStream(), size };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** An open handle on the key's regular file, or null when there is none. */
  private async openFile(key: string): Promise<fs.FileHandle | null> {
    const target = this.locate(key);
    if (!(await this.parentExists(target))) return null;
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(target, constants.O_RDONLY | O_NOFOLLOW);
    } catch (error) {
      const code = errorCode(error);
      if (code === "ENOENT" || code === "ENOTDIR") return null;
      // ELOOP: the key itself is a symlink, which this store never creates.
      if (code === "ELOOP") throw outsideRoot("path");
      throw error;
    }
    // A directory is a prefix of other keys, not a stored file.
    if ((await handle.stat().catch(() => null))?.isFile()) return handle;
    await handle.close();
    return null;
  }

  async exists(key: string): Promise<boolean> {
    const target = this.locate(key);
    if (!(await this.parentExists(target))) return false;
    const stat = await lstatOrNull(target);
    if (stat?.isSymbolicLink()) throw outsideRoot("path");
    return stat?.isFile() ?? false;
  }

  async delete(key: string): Promise<void> {
    const target = this.locate(key);
    if (!(await this.parentExists(target))) return;
    const stat = await lstatOrNull(target);
    if (stat === null || stat.isDirectory()) return;
    try {
      await fs.unlink(target);
    } catch (error) {
      if (errorCode(error) !== "ENOENT") throw error;
    }
    await this.pruneEmptyParents(path.dirname(target));
  }

  async list(prefix: string): Promise<StoredFile[]> {
    assertSafePrefix(prefix);
    const bare = prefix.endsWith("/") ? prefix.slice(0, -1) : prefix;
    // Only the segments the prefix fixes completely name a directory; the last one may be partial.
    const segments = bare === "" ? [] : bare.split("/");
    const fixed = prefix.endsWith("/") ? segments : segments.slice(0, -1);
    const start = path.resolve(this.root, ...fixed);
    if (!isWithin(this.root, start)) throw outsideRoot("prefix");
    if ((await this.confineAncestor(start, "prefix")) !== start) return [];
    const found: StoredFile[] = [];
    await this.walk(start, fixed.join("/"), prefix, found);
    return found.sort(compareKeys);
  }

  async ping(): Promise<void> {
    try {
      await fs.access(this.root, constants.W_OK);
    } catch (error) {
      throw new UnavailableError("files", "The file store directory is not writable", { cause: error });
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Validated key → absolute path, lexically inside the root. */
  private locate(key: string): string {
    assertSafeKey(key);
    const target = path.resolve(this.root, ...key.split("/"));
    if (!isWithin(this.root, target) || target === this.root) throw outsideRoot("path");
    return target;
  }

  /** Throws when the realpath of an existing directory lies outside the root (a symlink escape). */
  private async confineExisting(dir: string, field: string): Promise<void> {
    const real = await fs.realpath(dir);
    if (!isWithin(this.realRoot, real)) throw outsideRoot(field);
  }

  /**
   * Confines the deepest existing ancestor of `dir` (the one mkdir would build under, or a lookup
   * would pass through) and returns it.
   */
  private async confineAncestor(dir: string, field = "path"): Promise<string> {
    for (let current = dir; ; current = path.dirname(current)) {
      try {
        await this.confineExisting(current, field);
        return current;
      } catch (error) {
        const code = errorCode(error);
        if ((code !== "ENOENT" && code !== "ENOTDIR") || current === this.root) throw error;
      }
    }
  }

  /** Whether the key's folder exists; throws when the path resolves outside the root. */
  private async parentExists(target: string): Promise<boolean> {
    const dir = path.dirname(target);
    return (await this.confineAncestor(dir)) === dir;
  }

  private async pruneEmptyParents(dir: string): Promise<void> {
    for (let current = dir; current !== this.root && isWithin(this.root, current);) {
      try {
        await fs.rmdir(current);
      } catch {
        // Not empty (or already gone, or a concurrent put is filling it): stop here.
        return;
      }
      current = path.dirname(current);
    }
  }

  /** Depth-first; symlinks are skipped so a listing never reaches outside the root. */
  private async walk(dir: string, dirKey: string, prefix: string, found: StoredFile[]): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (error) {
      // A concurrent delete may remove a directory mid-walk; a prefix may name a file, not a folder.
      if (errorCode(error) === "ENOENT" || errorCode(error) === "ENOTDIR") return;
      throw error;
    }
    for (const entry of entries) {
      const key = dirKey === "" ? entry.name : `${dirKey}/${entry.name}`;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        // Skip subtrees that cannot hold a match (`${key}/` neither extends nor starts the prefix).
        const child = `${key}/`;
        if (child.startsWith(prefix) || prefix.startsWith(child)) await this.walk(full, key, prefix, found);
      } else if (entry.isFile() && !TEMP_NAME.test(entry.name) && key.startsWith(prefix)) {
        const stat = await lstatOrNull(full);
        if (stat?.isFile()) found.push({ key, size: stat.size, lastModified: stat.mtime });
      }
    }
  }
}

async function writeDurably(file: string, data: Uint8Array | string): Promise<void> {
  const handle = await fs.open(file, "wx", 0o600);
  try {
    await handle.writeFile(data);
    // fsync before rename: after a crash the key holds the old or the new bytes, never a torn file.
    await handle.sync();
  } catch (error) {
    await handle.close();
    await fs.rm(file, { force: true });
    throw error;
  }
  await handle.close();
}

async function lstatOrNull(file: string): Promise<Stats | null> {
  try {
    return await fs.lstat(file);
  } catch (error) {
    if (errorCode(error) === "ENOENT" || errorCode(error) === "ENOTDIR") return null;
    throw error;
  }
}

/** On disk a key cannot be both a file and a directory (`a` and `a/b`); S3 allows it. */
function asConflict(error: unknown, key: string): unknown {
  const code = errorCode(error);
  if (code === "EISDIR" || code === "ENOTDIR" || code === "EEXIST" || code === "ENOTEMPTY") {
    return new ConflictError(`A file and a folder would share the path '${key}'`, { key });
  }
  return error;
}
