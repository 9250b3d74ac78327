import path from "node:path";
import { Readable, Transform } from "node:stream";
import type {
  FileEncoding,
  FileEntry,
  FileLocation,
  ReadFileResult,
  SignedUrlResult,
} from "@bifrost/contracts";
import {
  NotFoundError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from "../../errors.js";
import type { Clock } from "../../infra/clock.js";
import { assertSafeKey, assertSafePrefix, type FileStore } from "../../infra/files/file-store.js";
import type { WorkspaceFilesRepository } from "../../repositories/workspace-files.js";
import { contentTypeAllowed } from "./content-types.js";
import type { SignedFileGrant, SignedUrls } from "./signed-urls.js";
import { dataScopeOf, type Principal } from "../../principal.js";

/** Uploads through a signed URL stop with 413 past this many bytes unless configured otherwise. */
export const DEFAULT_MAX_UPLOAD_BYTES = 100 * 1024 * 1024;

/** Which files a call reaches: one location of one organization (null: global). */
export type FileScope = { organizationId: string | null; location: FileLocation };

type ScopedRequest = { location: FileLocation; organizationId?: string | undefined };

const tooLarge = (maxBytes: number): PayloadTooLargeError =>
  new PayloadTooLargeError(`An upload holds at most ${maxBytes} bytes`);

/**
 * Store keys are `<location>/orgs/<organizationId>/<path>` or `<location>/global/<path>`: the
 * location comes first so the temp cleanup lists `temp/` alone, never every organization's files.
 */
export function storeKeyOf(scope: FileScope, filePath: string): string {
  const owner = scope.organizationId === null ? "global" : `orgs/${scope.organizationId}`;
  return `${scope.location}/${owner}/${filePath}`;
}

/**
 * Files of workflows (API.md "The SDK": files). A run acts inside its organization; a platform
 * admin names one (or none: global files). There is no fallback to global files: a location is one
 * folder of one scope. `workspace` is the workspace files of the database, read-only and the same
 * for every organization.
 */
export class FilesService {
  private readonly maxUploadBytes: number;

  constructor(
    private readonly deps: {
      files: FileStore;
      workspace: Pick<WorkspaceFilesRepository, "find" | "entries">;
      organizations: { find(id: string): Promise<unknown> };
      signedUrls: SignedUrls;
      clock: Clock;
      /** BIFROST_PUBLIC_URL: the origin of signed URLs; unset, the origin the request came to. */
      publicUrl?: string | undefined;
      maxUploadBytes?: number;
    },
  ) {
    this.maxUploadBytes = deps.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  }

  async read(
    principal: Principal,
    request: ScopedRequest & { path: string; encoding: FileEncoding },
  ): Promise<ReadFileResult> {
    const scope = await this.scopeOf(principal, request);
    assertSafeKey(request.path);
    const bytes =
      scope.location === "workspace"
        ? await this.readWorkspace(request.path)
        : await this.deps.files.get(storeKeyOf(scope, request.path));
    if (bytes === null) throw new NotFoundError("File not found");
    return { content: bytes.toString(request.encoding), encoding: request.encoding };
  }

  async write(
    principal: Principal,
    request: ScopedRequest & { path: string; content: string; encoding: FileEncoding },
  ): Promise<{ path: string; location: FileLocation; size: number }> {
    const scope = await this.writableScopeOf(principal, request);
    assertSafeKey(request.path);
    if (request.encoding === "base64" && !/^[A-Za-z0-9+/]*={0,2}$/.test(request.content)) {
      throw new ValidationError("Invalid content", [{ path: "content", message: "content is not base64" }]);
    }
    const bytes = Buffer.from(request.content, request.encoding);
    await this.deps.files.put(storeKeyOf(scope, request.path), bytes);
    return { path: request.path, location: scope.location, size: bytes.byteLength };
  }

  async delete(principal: Principal, request: ScopedRequest & { path: string }): Promise<void> {
    const scope = await this.writableScopeOf(principal, request);
    assertSafeKey(request.path);
    await this.deps.files.delete(storeKeyOf(scope, request.path));
  }

  async exists(principal: Principal, request: ScopedRequest & { path: string }): Promise<boolean> {
    const scope = await this.scopeOf(principal, request);
    assertSafeKey(request.path);
    if (scope.location === "workspace") return (await this.deps.workspace.find(request.path)) !== undefined;
    return this.deps.files.exists(storeKeyOf(scope, request.path));
  }

  async list(principal: Principal, request: ScopedRequest & { prefix: string }): Promise<FileEntry[]> {
    const scope = await this.scopeOf(principal, request);
    assertSafePrefix(request.prefix);
    if (scope.location === "workspace") {
      return (await this.deps.workspace.entries())
        .filter((entry) => entry.path.startsWith(request.prefix))
        .map((entry) => ({
          path: entry.path,
          size: entry.size,
          lastModified: entry.updatedAt.toISOString(),
        }));
    }
    const root = storeKeyOf(scope, "");
    return (await this.deps.files.list(root + request.prefix)).map((file) => ({
      path: file.key.slice(root.length),
      size: file.size,
      lastModified: file.lastModified.toISOString(),
    }));
  }

  async signedUrl(
    principal: Principal,
    request: ScopedRequest & { path: string; method: "GET" | "PUT"; expiresIn: number },
    requestOrigin: string,
  ): Promise<SignedUrlResult> {
    const scope =
      request.method === "PUT"
        ? await this.writableScopeOf(principal, request)
        : await this.scopeOf(principal, request);
    assertSafeKey(request.path);
    const expiresAt = Math.floor(this.deps.clock.now() / 1000) + request.expiresIn;
    const token = this.deps.signedUrls.sign({
      ...scope,
      method: request.method,
      path: request.path,
      expiresAt,
    });
    const origin = (this.deps.publicUrl ?? requestOrigin).replace(/\/+$/, "");
    return {
      url: `${origin}/api/files/signed?token=${token}`,
      expiresAt: new Date(expiresAt * 1000).toISOString(),
    };
  }

  /** The download a signed GET URL grants: streamed, never read whole. */
  async openSigned(token: string): Promise<{ stream: Readable; size: number; fileName: string }> {
    const grant = this.deps.signedUrls.verify(token, "GET");
    const fileName = path.posix.basename(grant.path);
    if (grant.location === "workspace") {
      const bytes = await this.readWorkspace(grant.path);
      if (bytes === null) throw new NotFoundError("File not found");
      return { stream: Readable.from([bytes]), size: bytes.byteLength, fileName };
    }
    const opened = await this.deps.files.getStream(storeKeyOf(grant, grant.path));
    if (opened === null) throw new NotFoundError("File not found");
    return { ...opened, fileName };
  }

  /**
   * Stores the upload a signed PUT URL grants, streaming it to the file store. More than the upload
   * limit — the server's, or the grant's own when lower (a form's file field) — by Content-Length, or
   * counted as it arrives when there is none, is a 413 and stores nothing; a declared length over it
   * is refused before a byte is read. A grant that names content types takes only those (415).
   */
  async acceptSigned(
    token: string,
    body: Readable,
    contentLength: number | undefined,
    contentType?: string,
  ): Promise<{ path: string; location: FileLocation; size: number }> {
    const grant: SignedFileGrant = this.deps.signedUrls.verify(token, "PUT");
    if (grant.contentTypes && !contentTypeAllowed(contentType ?? "", grant.contentTypes)) {
      throw new UnsupportedMediaTypeError(`This upload takes ${grant.contentTypes.join(", ")} only`);
    }
    const maxBytes = Math.min(this.maxUploadBytes, grant.maxBytes ?? this.maxUploadBytes);
    if (contentLength !== undefined && contentLength > maxBytes) throw tooLarge(maxBytes);
    let seen = 0;
    const limit = new Transform({
      transform: (chunk: Buffer, _encoding, done) => {
        seen += chunk.byteLength;
        if (seen > maxBytes) done(tooLarge(maxBytes));
        else done(null, chunk);
      },
    });
    const source = body.pipe(limit);
    body.once("error", (error) => limit.destroy(error));
    // The store sees the error through its read of `source`; chunks already piped may raise it
    // again after that read has ended, which must not become an unhandled 'error' event.
    limit.on("error", () => undefined);
    const { size } = await this.deps.files.putStream(storeKeyOf(grant, grant.path), source);
    return { path: grant.path, location: grant.location, size };
  }

  private async readWorkspace(filePath: string): Promise<Buffer | null> {
    const row = await this.deps.workspace.find(filePath);
    return row ? Buffer.from(row.content, "utf8") : null;
  }

  /** The scope a call reaches; an organization the caller may not name is a 404. */
  private async scopeOf(principal: Principal, request: ScopedRequest): Promise<FileScope> {
    const requested = request.organizationId;
    const scope = dataScopeOf(principal, requested);
    if (scope.kind === "run" && requested !== undefined && requested !== scope.organizationId) {
      throw new NotFoundError("Organization not found");
    }
    if (
      scope.kind === "admin" &&
      requested !== undefined &&
      !(await this.deps.organizations.find(requested))
    ) {
      throw new NotFoundError("Organization not found");
    }
    return { organizationId: scope.organizationId, location: request.location };
  }

  private async writableScopeOf(principal: Principal, request: ScopedRequest): Promise<FileScope> {
    if (request.location === "workspace") {
      throw new ValidationError("The workspace location is read-only", [
        { path: "location", message: "workspace files are changed through /api/files/editor, not here" },
      ]);
    }
    return this.scopeOf(principal, request);
  }
}
