import { DiskFileStore } from "./disk-file-store.js";
import type { FileStore, FileStoreConfig } from "./file-store.js";

export type { FileStore } from "./file-store.js";

/** The configured adapter. The S3 one is imported on demand: the AWS SDK costs memory at load. */
export async function createFileStore(config: FileStoreConfig): Promise<FileStore> {
  if (config.kind === "s3") {
    const { S3FileStore } = await import("./s3-file-store.js");
    return new S3FileStore(config.s3);
  }
  return new DiskFileStore({ root: config.root });
}
