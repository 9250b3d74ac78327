import type { Readable } from "node:stream";
import { ValidationError } from "../../errors.js";

/**
 * File store port: bytes under '/'-separated keys. Adapters: local directory and S3-compatible.
 * Tenancy and locations (files, temp, uploads) are a service concern that builds the keys.
 */

export type StoredFile = { key: string; size: number; lastModified: Date };

export type S3Config = {
  bucket: string;
  endpoint: string | undefined;
  region: string;
  forcePathStyle: boolean;
  /** Unset: the AWS SDK's default credential chain. */
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
};

/** Which adapter, and its settings. */
export type FileStoreConfig = { kind: "disk"; root: string } | { kind: "s3"; s3: S3Config };

export interface FileStore {
  readonly adapter: "disk" | "s3";
  put(key: string, data: Uint8Array | string, options?: { contentType?: string }): Promise<void>;
  /**
   * Stores everything `source` yields without holding it whole in memory. When `source` fails
   * (e.g. an upload over its size limit), nothing is stored and the previous content stays.
   */
  putStream(key: string, source: Readable, options?: { contentType?: string }): Promise<{ size: number }>;
  /** null when the key does not exist. */
  get(key: string): Promise<Buffer | null>;
  /** The content as a stream and its size; null when the key does not exist. */
  getStream(key: string): Promise<{ stream: Readable; size: number } | null>;
  exists(key: string): Promise<boolean>;
  /** Idempotent: deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Every key that starts with `prefix`, sorted by key. */
  list(prefix: string): Promise<StoredFile[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Keys are relative '/'-separated paths. Anything that could escape a prefix — `..` or `.`
 * segments, absolute paths, backslashes, NUL or control characters, empty segments — is refused.
 */
export function assertSafeKey(key: string, field = "path"): void {
  const problem =
    key.length === 0
      ? "must not be empty"
      : key.length > 1024
        ? "must be at most 1024 characters"
        : key.startsWith("/")
          ? "must be relative"
          : // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
            /[\\\u0000-\u001f]/.test(key)
            ? "must not contain backslashes or control characters"
            : key.split("/").some((s) => s === "" || s === "." || s === "..")
              ? "must not contain empty, '.' or '..' segments"
              : undefined;
  if (problem)
    throw new ValidationError(`Invalid ${field}`, [{ path: field, message: `${field} ${problem}` }]);
}

/** A list prefix: a safe key, optionally ending in '/', or empty for everything. */
export function assertSafePrefix(prefix: string): void {
  const bare = prefix.endsWith("/") ? prefix.slice(0, -1) : prefix;
  if (bare !== "") assertSafeKey(bare, "prefix");
}

/** S3 orders keys by their UTF-8 bytes; every adapter sorts the same way. */
export const compareKeys = (a: StoredFile, b: StoredFile): number =>
  Buffer.compare(Buffer.from(a.key, "utf8"), Buffer.from(b.key, "utf8"));
