import {
  WORKSPACE_FILE_MAX_BYTES,
  type WorkspaceFile,
  type WorkspaceTree,
  type WriteWorkspaceFileResult,
} from "@bifrost/contracts";
import {
  AppError,
  ConflictError,
  NotFoundError,
  PayloadTooLargeError,
  ValidationError,
} from "../../errors.js";
import type { WorkspaceFilesRepository } from "../../repositories/workspace-files.js";
import type { AuditEvent, AuditLog } from "../audit/audit-log.js";
import type { AuditActor } from "../../principal.js";
import type { CompiledFile } from "./compiled-workspace.js";
import type { Committed, PreparedFile, WorkspaceWriter } from "./workspace-writer.js";
import { workspaceVersionOf } from "./workspace-version.js";

export type WorkspaceSnapshot = { version: string; files: CompiledFile[] };

const names = (rows: ReadonlyArray<{ name: string }>): string[] => rows.map((row) => row.name);

/**
 * The workspace editor (API.md "Workspace and workflows"): files live in the database; writing a
 * `.ts` file compiles it, discovers its definitions and keeps the `workflows` rows in step. Deleting
 * or renaming a file that others import is allowed: their next compile (or run) fails instead.
 */
export class WorkspaceService {
  /** The last version computed, keyed by the table's fingerprint; each process keeps its own. */
  private versionCache: { fingerprint: string; version: string } | undefined;

  constructor(
    private readonly deps: { files: WorkspaceFilesRepository; writer: WorkspaceWriter; audit: AuditLog },
  ) {}

  async tree(): Promise<WorkspaceTree> {
    const entries = await this.deps.files.entries();
    return { files: entries.map((e) => ({ ...e, updatedAt: e.updatedAt.toISOString() })) };
  }

  async read(path: string): Promise<WorkspaceFile> {
    const row = await this.deps.files.find(path);
    if (!row) throw new NotFoundError(`No workspace file ${path}`);
    return { path: row.path, content: row.content, hash: row.hash, updatedAt: row.updatedAt.toISOString() };
  }

  /** Creates or replaces a file; with `expectedHash`, only if the file is still the one the editor saw. */
  async write(
    input: { path: string; content: string; expectedHash?: string | undefined },
    actor: AuditActor,
  ): Promise<WriteWorkspaceFileResult> {
    const event = { action: "workspace.write", resourceType: "workspace_file", resourceId: input.path };
    return this.audited(actor, event, async () => {
      assertSize(input.content);
      const checkHash = (current: { hash: string } | undefined) =>
        assertExpected(input.path, current, input.expectedHash);
      // Checked before the slow part, and again under the lock: another write may land in between.
      checkHash(await this.deps.files.find(input.path));
      const prepared = await this.deps.writer.prepare(input.path, input.content, { field: "body.content" });
      const committed = await this.deps.files.transaction(async (tx) => {
        checkHash(await tx.files.find(input.path));
        return this.deps.writer.commit(tx, prepared, { updatedBy: actor.userId ?? null });
      });
      return this.answer(prepared, committed);
    });
  }

  /** Deletes a file; its workflows become inactive (never deleted: executions refer to them). */
  async delete(path: string, actor: AuditActor): Promise<void> {
    const event = { action: "workspace.delete", resourceType: "workspace_file", resourceId: path };
    await this.audited(actor, event, async () => {
      const deactivated = await this.deps.files.transaction(async (tx) => {
        if (!(await tx.files.delete(path))) throw new NotFoundError(`No workspace file ${path}`);
        return tx.workflows.deactivate(path);
      });
      return { details: { deactivated: names(deactivated) } };
    });
  }

  /**
   * Moves a file: the new path is written (compiled and discovered there, as a new file: its
   * workflows are new rows) and the old one deleted (its workflows become inactive), in one transaction.
   */
  async rename(input: { from: string; to: string }, actor: AuditActor): Promise<WriteWorkspaceFileResult> {
    const event = { action: "workspace.rename", resourceType: "workspace_file", resourceId: input.to };
    return this.audited(actor, event, async () => {
      const { from, to } = input;
      if (from === to) {
        throw new ValidationError("Nothing to rename", [{ path: "body.to", message: "is the same as from" }]);
      }
      const source = await this.deps.files.find(from);
      if (!source) throw new NotFoundError(`No workspace file ${from}`);
      if (await this.deps.files.find(to)) throw new ConflictError(`A workspace file ${to} already exists`);
      const prepared = await this.deps.writer.prepare(to, source.content, {
        removing: from,
        field: "body.to",
      });
      const committed = await this.deps.files.transaction(async (tx) => {
        const current = await tx.files.find(from);
        if (current?.hash !== source.hash)
          throw new ConflictError(`${from} changed while it was being renamed`);
        if (await tx.files.find(to)) throw new ConflictError(`A workspace file ${to} already exists`);
        return this.deps.writer.commit(tx, prepared, { updatedBy: actor.userId ?? null, removing: from });
      });
      const answer = this.answer(prepared, committed);
      return { ...answer, details: { ...answer.details, from } };
    });
  }

  /**
   * The current workspace version (see workspaceVersionOf). Cheap enough per execution: one
   * aggregate query, plus a read of every (path, hash) when the files changed since the last call.
   */
  async getVersion(): Promise<string> {
    const fingerprint = await this.deps.files.fingerprint();
    if (this.versionCache?.fingerprint === fingerprint) return this.versionCache.version;
    const state = await this.deps.files.hashes();
    return this.remember(state.fingerprint, workspaceVersionOf(state.files));
  }

  /**
   * The compiled `.ts` files and the version they make, read together (one statement): what a worker
   * materializes. Prefer this to getVersion() + compiledFiles(), which a write could separate.
   */
  async compiledSnapshot(): Promise<WorkspaceSnapshot> {
    const state = await this.deps.files.snapshot();
    const version = this.remember(state.fingerprint, workspaceVersionOf(state.files));
    const files = state.files.flatMap((f) =>
      f.path.endsWith(".ts") && f.compiled !== null ? [{ path: f.path, compiled: f.compiled }] : [],
    );
    return { version, files };
  }

  async compiledFiles(): Promise<CompiledFile[]> {
    return (await this.compiledSnapshot()).files;
  }

  async close(): Promise<void> {
    await this.deps.writer.close();
  }

  private remember(fingerprint: string, version: string): string {
    this.versionCache = { fingerprint, version };
    return version;
  }

  private answer(
    prepared: PreparedFile,
    committed: Committed,
  ): WriteWorkspaceFileResult & { details: Record<string, unknown> } {
    return {
      path: prepared.path,
      hash: prepared.hash,
      workflows: committed.workflows.map((row) => ({ id: row.id, name: row.name, type: row.type })),
      diagnostics: prepared.diagnostics,
      details: {
        hash: prepared.hash,
        workflows: names(committed.workflows),
        deactivated: names(committed.deactivated),
      },
    };
  }

  /**
   * Runs a change and records it, success or refusal (with the error kind). File contents are never
   * recorded: names, paths and hashes only.
   */
  private async audited<T extends { details?: Record<string, unknown> }>(
    actor: AuditActor,
    event: Omit<AuditEvent, "outcome" | "details">,
    change: () => Promise<T>,
  ): Promise<Omit<T, "details">> {
    let result: T;
    try {
      result = await change();
    } catch (error) {
      if (error instanceof AppError) {
        await this.deps.audit.record(actor, {
          ...event,
          outcome: "failure",
          details: { reason: error.kind },
        });
      }
      throw error;
    }
    await this.deps.audit.record(actor, { ...event, ...(result.details ? { details: result.details } : {}) });
    const { details: _details, ...answer } = result;
    return answer;
  }
}

function assertSize(content: string): void {
  if (Buffer.byteLength(content, "utf8") > WORKSPACE_FILE_MAX_BYTES) {
    throw new PayloadTooLargeError("A workspace file holds at most 1 MB");
  }
  // PostgreSQL text cannot hold NUL, and no source file needs one (write "\u0000" instead).
  if (content.includes("\u0000")) {
    throw new ValidationError("The file holds a NUL character", [
      { path: "body.content", message: "must not contain the NUL character" },
    ]);
  }
}

function assertExpected(
  path: string,
  current: { hash: string } | undefined,
  expectedHash: string | undefined,
): void {
  if (expectedHash === undefined || current?.hash === expectedHash) return;
  throw new ConflictError(
    current
      ? `${path} changed since it was read (its hash is no longer ${expectedHash})`
      : `${path} does not exist (an expectedHash was given)`,
    { path, currentHash: current?.hash ?? null },
  );
}
