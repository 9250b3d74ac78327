import { z } from "zod";

/**
 * Files of workflows (API.md "The SDK": files). Paths are checked by the server (relative, no `..`,
 * no absolute path, no NUL, control character or backslash → 422 with `details.fields`).
 */

export const fileLocations = ["files", "temp", "uploads", "workspace"] as const;
/** `files`: the organization's persistent files; `temp`: deleted after 24 h; `workspace`: read-only. */
export const fileLocationSchema = z.enum(fileLocations);
export type FileLocation = z.infer<typeof fileLocationSchema>;

export const fileEncodingSchema = z.enum(["utf8", "base64"]);
export type FileEncoding = z.infer<typeof fileEncodingSchema>;

/** Signed URLs live 900 s unless asked otherwise, 7 days at most. */
export const SIGNED_URL_DEFAULT_SECONDS = 900;
export const SIGNED_URL_MAX_SECONDS = 7 * 24 * 3600;

const scopeFields = {
  location: fileLocationSchema.default("files"),
  /** Platform admins only: the organization whose files to use; omitted = global files. */
  organizationId: z.guid().optional(),
};

const filePath = z.string().max(1024);

/** `POST /api/files/read|exists|delete` */
export const fileRequestSchema = z.object({ path: filePath, ...scopeFields });
export type FileRequest = z.infer<typeof fileRequestSchema>;

/** `POST /api/files/read` (optional `encoding` of the answer, default utf8) */
export const readFileRequestSchema = fileRequestSchema.extend({
  encoding: fileEncodingSchema.default("utf8"),
});
export const readFileResultSchema = z.object({ content: z.string(), encoding: fileEncodingSchema });
export type ReadFileResult = z.infer<typeof readFileResultSchema>;

/** `POST /api/files/write`: `content` is text, or base64 of the bytes when `encoding` is base64. */
export const writeFileRequestSchema = fileRequestSchema.extend({
  content: z.string(),
  encoding: fileEncodingSchema.default("utf8"),
});
export type WriteFileRequest = z.infer<typeof writeFileRequestSchema>;
export const writeFileResultSchema = z.object({
  path: z.string(),
  location: fileLocationSchema,
  size: z.number().int(),
});

/** `POST /api/files/list`: every file whose path starts with `prefix` (text, not only a folder). */
export const listFilesRequestSchema = z.object({ prefix: z.string().max(1024).default(""), ...scopeFields });
export const fileEntrySchema = z.object({
  path: z.string(),
  size: z.number().int(),
  lastModified: z.string(),
});
export type FileEntry = z.infer<typeof fileEntrySchema>;
export const fileListSchema = z.object({ items: z.array(fileEntrySchema) });

/** `POST /api/files/exists` */
export const fileExistsResultSchema = z.object({ exists: z.boolean() });

/** `POST /api/files/signed-url`: a URL anyone holding it may GET (download) or PUT (upload) until it expires. */
export const signedUrlRequestSchema = fileRequestSchema.extend({
  method: z.enum(["GET", "PUT"]),
  expiresIn: z.number().int().min(1).max(SIGNED_URL_MAX_SECONDS).default(SIGNED_URL_DEFAULT_SECONDS),
});
export type SignedUrlRequest = z.infer<typeof signedUrlRequestSchema>;
export const signedUrlResultSchema = z.object({ url: z.string(), expiresAt: z.string() });
export type SignedUrlResult = z.infer<typeof signedUrlResultSchema>;

/** `PUT /api/files/signed?token=` answers this once the upload is stored. */
export const signedUploadResultSchema = z.object({
  path: z.string(),
  location: fileLocationSchema,
  size: z.number().int(),
});
