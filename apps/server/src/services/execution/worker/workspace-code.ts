import type { WorkspaceFilesRepository } from "../../../repositories/workspace-files.js";
import type { CompiledWorkspace } from "../../workspace/compiled-workspace.js";
import { workspaceVersionOf } from "../../workspace/workspace-version.js";

/** Versions kept on disk besides those in use: enough for runs that started on older code. */
const KEEP_VERSIONS = 5;

/**
 * The code a run uses: the current workspace version, materialized on this worker's disk from the
 * database the first time it is needed. The claim of every run reads the workspace fingerprint in
 * the same statement, so a run started right after a write runs the new code.
 */
export class WorkspaceCode {
  private known: { fingerprint: string; version: string } | undefined;
  private readonly onDisk = new Set<string>();

  constructor(private readonly deps: { files: WorkspaceFilesRepository; compiled: CompiledWorkspace }) {}

  async resolve(
    workspacePath: string,
    fingerprint: string,
    inUse: () => string[],
  ): Promise<{ version: string; modulePath: string }> {
    let version = this.known?.fingerprint === fingerprint ? this.known.version : undefined;
    if (version === undefined || !this.onDisk.has(version)) {
      const snapshot = await this.deps.files.snapshot();
      version = workspaceVersionOf(snapshot.files);
      this.known = { fingerprint: snapshot.fingerprint, version };
      const files = snapshot.files.flatMap((f) =>
        f.path.endsWith(".ts") && f.compiled !== null ? [{ path: f.path, compiled: f.compiled }] : [],
      );
      await this.deps.compiled.materialize(version, files);
      if (!this.onDisk.has(version)) {
        this.onDisk.add(version);
        const removed = await this.deps.compiled.prune(KEEP_VERSIONS, [version, ...inUse()]);
        for (const old of removed) this.onDisk.delete(old);
      }
    }
    return { version, modulePath: this.deps.compiled.modulePath(version, workspacePath) };
  }
}
