import type { FileEntry, FileLocation, SignedUrlResult } from "@bifrost/contracts";
import { callApi, onFirstUse } from "../client.js";

/**
 * `files` (default): the organization's persistent files; `temp`: deleted after 24 h; `uploads`:
 * files uploaded through forms; `workspace`: the workspace's own files, read-only.
 */
export type { FileLocation };

export type FileOptions = { location?: FileLocation };

/** A file as `files.list` shows it: its path, size in bytes and when it last changed. */
export type FileInfo = FileEntry;

export type SignedUrlOptions = {
  location?: FileLocation;
  /** GET downloads the file, PUT uploads (replaces) it. */
  method: "GET" | "PUT";
  /** Seconds the URL stays valid: default 900, at most 7 days. */
  expiresIn?: number;
};

export type SignedUrl = SignedUrlResult;

const answers = onFirstUse(() => import("@bifrost/contracts/files"));

const locationOf = (options?: FileOptions): FileLocation => options?.location ?? "files";

// Every call below is safe to repeat (a write replaces the whole file), so the client may retry it.
const idempotent = { idempotent: true };

async function readAs(path: string, encoding: "utf8" | "base64", options?: FileOptions): Promise<string> {
  const answer = await callApi(
    "POST",
    "/api/files/read",
    { path, location: locationOf(options), encoding },
    { ...idempotent, answer: (await answers()).readFileResultSchema },
  );
  return answer.content;
}

async function writeAs(
  path: string,
  content: string,
  encoding: "utf8" | "base64",
  options?: FileOptions,
): Promise<void> {
  await callApi(
    "POST",
    "/api/files/write",
    { path, location: locationOf(options), content, encoding },
    { ...idempotent, answer: (await answers()).writeFileResultSchema },
  );
}

/**
 * Files of the run's organization. Paths are relative and `/`-separated; `..`, absolute paths and
 * control characters are refused (422). A missing file makes `read` reject with NotFoundError.
 */
export const files = {
  /** The file's content as UTF-8 text. */
  read(path: string, options?: FileOptions): Promise<string> {
    return readAs(path, "utf8", options);
  },

  /** The file's bytes. */
  async readBytes(path: string, options?: FileOptions): Promise<Uint8Array> {
    const base64 = await readAs(path, "base64", options);
    return new Uint8Array(Buffer.from(base64, "base64"));
  },

  /** Writes UTF-8 text, replacing the file. */
  write(path: string, content: string, options?: FileOptions): Promise<void> {
    return writeAs(path, content, "utf8", options);
  },

  /** Writes bytes, replacing the file. */
  writeBytes(path: string, content: Uint8Array, options?: FileOptions): Promise<void> {
    const bytes = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
    return writeAs(path, bytes.toString("base64"), "base64", options);
  },

  /** Files whose path starts with `prefix` (default: every file of the location), sorted by path. */
  async list(prefix = "", options?: FileOptions): Promise<FileInfo[]> {
    const answer = await callApi(
      "POST",
      "/api/files/list",
      { prefix, location: locationOf(options) },
      { ...idempotent, answer: (await answers()).fileListSchema },
    );
    return answer.items;
  },

  /** Deletes the file; deleting a missing file succeeds. */
  async delete(path: string, options?: FileOptions): Promise<void> {
    await callApi("POST", "/api/files/delete", { path, location: locationOf(options) }, idempotent);
  },

  async exists(path: string, options?: FileOptions): Promise<boolean> {
    const answer = await callApi(
      "POST",
      "/api/files/exists",
      { path, location: locationOf(options) },
      { ...idempotent, answer: (await answers()).fileExistsResultSchema },
    );
    return answer.exists;
  },

  /** A URL a browser (or anything without a token) may GET or PUT until it expires. */
  async signedUrl(path: string, options: SignedUrlOptions): Promise<SignedUrl> {
    return await callApi(
      "POST",
      "/api/files/signed-url",
      {
        path,
        location: locationOf(options),
        method: options.method,
        ...(options.expiresIn === undefined ? {} : { expiresIn: options.expiresIn }),
      },
      { ...idempotent, answer: (await answers()).signedUrlResultSchema },
    );
  },
};
