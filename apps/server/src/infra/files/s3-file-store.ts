import { Readable } from "node:stream";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type _Object,
} from "@aws-sdk/client-s3";
import { UnavailableError } from "../../errors.js";
import {
  assertSafeKey,
  assertSafePrefix,
  compareKeys,
  type FileStore,
  type S3Config,
  type StoredFile,
} from "./file-store.js";

/**
 * Files in an S3-compatible bucket. This is the only module that imports the AWS SDK; it is loaded
 * dynamically (see index.ts) so processes on the disk store never pay for it.
 */

export type S3FileStoreOptions = {
  /** Abandon a connection attempt after this long. */
  connectionTimeoutMs?: number;
  /**
   * Abandon a request whose socket stays idle this long. An idle limit rather than a total one, so a
   * large upload that keeps moving is never cut off.
   */
  idleTimeoutMs?: number;
  /** Attempts per operation, including the first (the SDK retries throttling and network errors). */
  maxAttempts?: number;
  /** Keys per ListObjectsV2 page; S3 caps it at 1000. */
  listPageSize?: number;
};

const DEFAULTS = { connectionTimeoutMs: 5_000, idleTimeoutMs: 30_000, maxAttempts: 3, listPageSize: 1000 };
/**
 * Streamed uploads go up in parts of this size (S3's minimum is 5 MiB): one part is the most a
 * streamed upload holds in memory. A stream shorter than one part is a single PutObject.
 */
const PART_BYTES = 8 * 1024 * 1024;

// Node socket errors that mean the endpoint cannot be reached (as opposed to a refused request).
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

type SdkError = {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  $metadata?: { httpStatusCode?: number };
};

const asSdkError = (error: unknown): SdkError => (typeof error === "object" && error !== null ? error : {});

const statusOf = (error: unknown): number | undefined => asSdkError(error).$metadata?.httpStatusCode;

/** A short identifier for messages: never the SDK's own message, which may echo request details. */
function reasonOf(error: unknown): string {
  const e = asSdkError(error);
  const status = statusOf(error);
  const code = [e.code, e.Code, e.name].find((v): v is string => typeof v === "string" && v !== "Error");
  return (
    [code, status === undefined ? undefined : `HTTP ${status}`].filter(Boolean).join(", ") || "unknown error"
  );
}

function isUnreachable(error: unknown): boolean {
  const e = asSdkError(error);
  const status = statusOf(error);
  if (status !== undefined && status >= 500) return true;
  if (e.name === "TimeoutError" || e.name === "RequestTimeout") return true;
  return typeof e.code === "string" && NETWORK_CODES.has(e.code);
}

/** HEAD responses have no body, so a missing key arrives as a bare 404 "NotFound". */
const isNotFound = (error: unknown): boolean => {
  const name = asSdkError(error).name;
  if (name === "NoSuchBucket") return false;
  return name === "NoSuchKey" || name === "NotFound" || statusOf(error) === 404;
};

export class S3FileStore implements FileStore {
  readonly adapter = "s3" as const;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly listPageSize: number;

  constructor(config: S3Config, options: S3FileStoreOptions = {}) {
    const settings = { ...DEFAULTS, ...options };
    this.bucket = config.bucket;
    this.listPageSize = settings.listPageSize;
    this.client = new S3Client({
      region: config.region,
      forcePathStyle: config.forcePathStyle,
      ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
      ...(config.credentials === undefined ? {} : { credentials: config.credentials }),
      // The SDK's default CRC32 checksums are not understood by every S3-compatible server.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      maxAttempts: settings.maxAttempts,
      // Without these the SDK waits forever on an endpoint that accepts but never answers.
      requestHandler: {
        connectionTimeout: settings.connectionTimeoutMs,
        socketTimeout: settings.idleTimeoutMs,
      },
    });
  }

  async put(key: string, data: Uint8Array | string, options?: { contentType?: string }): Promise<void> {
    assertSafeKey(key);
    const body = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    await this.call("put", () =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentLength: body.byteLength,
          ContentType: options?.contentType ?? "application/octet-stream",
        }),
      ),
    );
  }

  async putStream(
    key: string,
    source: Readable,
    options?: { contentType?: string },
  ): Promise<{ size: number }> {
    assertSafeKey(key);
    const contentType = options?.contentType ?? "application/octet-stream";
    const parts = partsOf(source);
    const first = await parts.next();
    const firstPart = first.done ? Buffer.alloc(0) : first.value;
    if (firstPart.byteLength < PART_BYTES) {
      await this.put(key, firstPart, { contentType });
      return { size: firstPart.byteLength };
    }
    const created = await this.call("put", () =>
      this.client.send(
        new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ContentType: contentType }),
      ),
    );
    const uploadId = created.UploadId ?? "";
    const done: Array<{ ETag: string | undefined; PartNumber: number }> = [];
    let size = 0;
    try {
      for (let part: Buffer | undefined = firstPart; part !== undefined;) {
        const PartNumber = done.length + 1;
        const body = part;
        const uploaded = await this.call("put", () =>
          this.client.send(
            new UploadPartCommand({
              Bucket: this.bucket,
              Key: key,
              UploadId: uploadId,
              PartNumber,
              Body: body,
              ContentLength: body.byteLength,
            }),
          ),
        );
        done.push({ ETag: uploaded.ETag, PartNumber });
        size += body.byteLength;
        const next = await parts.next();
        part = next.done ? undefined : next.value;
      }
      await this.call("put", () =>
        this.client.send(
          new CompleteMultipartUploadCommand({
            Bucket: this.bucket,
            Key: key,
            UploadId: uploadId,
            MultipartUpload: { Parts: done },
          }),
        ),
      );
    } catch (error) {
      // Abandoned parts cost storage until aborted; the previous object stays as it was.
      await this.client
        .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }))
        .catch(() => undefined);
      throw error;
    }
    return { size };
  }

  async getStream(key: string): Promise<{ stream: Readable; size: number } | null> {
    assertSafeKey(key);
    return this.call(
      "get",
      async () => {
        const output = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
        // In Node the SDK's Body is an http.IncomingMessage (a Readable).
        const body = output.Body instanceof Readable ? output.Body : Readable.from([]);
        return { stream: body, size: output.ContentLength ?? 0 };
      },
      () => null,
    );
  }

  async get(key: string): Promise<Buffer | null> {
    assertSafeKey(key);
    return this.call(
      "get",
      async () => {
        const output = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
        if (output.Body === undefined) return Buffer.alloc(0);
        const bytes = await output.Body.transformToByteArray();
        return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      },
      () => null,
    );
  }

  async exists(key: string): Promise<boolean> {
    assertSafeKey(key);
    return this.call(
      "exists",
      async () => {
        await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
        return true;
      },
      () => false,
    );
  }

  async delete(key: string): Promise<void> {
    assertSafeKey(key);
    // S3's DeleteObject already succeeds for a missing key.
    await this.call("delete", () =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })),
    );
  }

  async list(prefix: string): Promise<StoredFile[]> {
    assertSafePrefix(prefix);
    const found: StoredFile[] = [];
    let token: string | undefined;
    do {
      const page = await this.call("list", () =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            MaxKeys: this.listPageSize,
            ...(prefix === "" ? {} : { Prefix: prefix }),
            ...(token === undefined ? {} : { ContinuationToken: token }),
          }),
        ),
      );
      for (const object of page.Contents ?? []) {
        const file = toStoredFile(object);
        if (file) found.push(file);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return found.sort(compareKeys);
  }

  async ping(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      // For a health check any failure (missing bucket, refused credentials) means unusable.
      throw new UnavailableError("files", `The S3 bucket cannot be reached (${reasonOf(error)})`);
    }
  }

  close(): Promise<void> {
    this.client.destroy();
    return Promise.resolve();
  }

  /**
   * Runs one SDK call. SDK errors are replaced, not wrapped: they hold the raw request and response
   * (signed headers included), which must not reach logs.
   */
  private async call<T>(operation: string, run: () => Promise<T>, onNotFound?: () => T): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (onNotFound && isNotFound(error)) return onNotFound();
      const message = `The S3 ${operation} failed (${reasonOf(error)})`;
      throw isUnreachable(error) ? new UnavailableError("files", message) : new Error(message);
    }
  }
}

function toStoredFile(object: _Object): StoredFile | undefined {
  if (object.Key === undefined) return undefined;
  return { key: object.Key, size: object.Size ?? 0, lastModified: object.LastModified ?? new Date(0) };
}

/** The stream cut into parts of PART_BYTES (the last one shorter); empty yields nothing. */
async function* partsOf(source: Readable): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of source as AsyncIterable<Buffer | string>) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    pending.push(bytes);
    pendingBytes += bytes.byteLength;
    while (pendingBytes >= PART_BYTES) {
      const all = Buffer.concat(pending, pendingBytes);
      yield all.subarray(0, PART_BYTES);
      pending = [all.subarray(PART_BYTES)];
      pendingBytes -= PART_BYTES;
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes);
}
