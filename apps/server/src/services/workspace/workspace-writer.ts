import type { Diagnostic, DiscoveredDefinition } from "@bifrost/contracts";
import { ConflictError, ValidationError } from "../../errors.js";
import type { WorkflowRow } from "../../repositories/workflows.js";
import type { WorkspaceFilesRepository, WorkspaceTransaction } from "../../repositories/workspace-files.js";
import type { CompiledWorkspace } from "./compiled-workspace.js";
import { compileWorkspaceFile } from "./compiler.js";
import { contentHash, workspaceVersionOf } from "./workspace-version.js";

/** Loads a compiled module in a sandboxed child and describes its exported definitions. */
export type Discover = (input: {
  /** The root of the compiled versions: what the discovering child may read (besides the runtime). */
  compiledRoot: string;
  modulePath: string;
  timeoutMs: number;
}) => Promise<{ definitions: DiscoveredDefinition[]; error: string | null }>;

const DISCOVERY_TIMEOUT_MS = 10_000;
/** Candidate versions kept in the API's compiled directory (each one is a few files). */
const KEEP_CANDIDATES = 8;

/** A file change that compiled and whose definitions were discovered, ready to commit. */
export type PreparedFile = {
  path: string;
  content: string;
  hash: string;
  compiled: string | null;
  definitions: DiscoveredDefinition[];
  diagnostics: Diagnostic[];
};

export type Committed = { workflows: WorkflowRow[]; deactivated: WorkflowRow[] };

const isCompiled = (path: string): boolean => path.endsWith(".ts");

/**
 * Saving a file, in two steps. `prepare` does the slow work outside any transaction: compile, then
 * load the file in a candidate version of the workspace (every other file as it is now, this one
 * replaced) to discover its definitions. `commit` then runs inside the workspace write lock: it checks
 * names against the registry as it is at that moment and writes the file and its `workflows` rows.
 */
export class WorkspaceWriter {
  /** Candidate versions being discovered now: pruning must leave them alone. */
  private readonly inUse = new Map<string, number>();

  constructor(
    private readonly deps: {
      files: WorkspaceFilesRepository;
      compiled: CompiledWorkspace;
      discover: Discover;
    },
  ) {}

  /** Removes the candidate versions written for discovery (the directory is this process's own). */
  async close(): Promise<void> {
    await this.deps.compiled.destroy();
  }

  /**
   * @param removing a path that disappears in the same change (the old path of a rename).
   * @param field the request field a compile error is reported on.
   */
  async prepare(
    path: string,
    content: string,
    options: { removing?: string; field: string },
  ): Promise<PreparedFile> {
    const hash = contentHash(content);
    if (!isCompiled(path)) return { path, content, hash, compiled: null, definitions: [], diagnostics: [] };
    const { files } = await this.deps.files.snapshot();
    const others = files.filter((file) => file.path !== path && file.path !== options.removing);
    const result = await compileWorkspaceFile(path, content, new Set([...others.map((f) => f.path), path]));
    if (!result.ok) {
      const first = result.diagnostics.find((d) => d.severity === "error");
      throw new ValidationError(
        `The file does not compile: ${first?.message ?? "see diagnostics"}`,
        [
          {
            path: options.field,
            message: first ? `line ${first.line}: ${first.message}` : "does not compile",
          },
        ],
        { diagnostics: result.diagnostics },
      );
    }
    const definitions = await this.discover({ path, hash, code: result.code, field: options.field }, others);
    assertUniqueNames(path, definitions);
    return { path, content, hash, compiled: result.code, definitions, diagnostics: result.diagnostics };
  }

  /**
   * Writes a prepared file in `tx` (which holds the workspace write lock): upserts the file and its
   * rows by (path, exportName), deactivates rows whose export is gone, and deactivates the rows of
   * `removing`, whose file is deleted.
   */
  async commit(
    tx: WorkspaceTransaction,
    file: PreparedFile,
    options: { updatedBy: string | null; removing?: string },
  ): Promise<Committed> {
    await this.assertNoNameClash(tx, file, options.removing);
    await tx.files.upsert({
      path: file.path,
      content: file.content,
      hash: file.hash,
      compiled: file.compiled,
      updatedBy: options.updatedBy,
    });
    const workflows = await tx.workflows.upsertDefinitions(file.path, file.definitions);
    const deactivated = await tx.workflows.deactivate(
      file.path,
      file.definitions.map((d) => d.exportName),
    );
    if (options.removing !== undefined) {
      await tx.files.delete(options.removing);
      deactivated.push(...(await tx.workflows.deactivate(options.removing)));
    }
    return { workflows, deactivated };
  }

  private async discover(
    { path, hash, code, field }: { path: string; hash: string; code: string; field: string },
    others: ReadonlyArray<{ path: string; hash: string; compiled: string | null }>,
  ): Promise<DiscoveredDefinition[]> {
    const { compiled, discover } = this.deps;
    // The candidate is the version the workspace will have once this file is saved.
    const version = workspaceVersionOf([...others, { path, hash }]);
    const sources = others.flatMap((f) =>
      isCompiled(f.path) && f.compiled !== null ? [{ path: f.path, compiled: f.compiled }] : [],
    );
    this.inUse.set(version, (this.inUse.get(version) ?? 0) + 1);
    try {
      await compiled.materialize(version, [...sources, { path, compiled: code }]);
      const found = await discover({
        compiledRoot: compiled.root,
        modulePath: compiled.modulePath(version, path),
        timeoutMs: DISCOVERY_TIMEOUT_MS,
      });
      if (found.error !== null) {
        throw new ValidationError(
          `The file fails to load: ${found.error}`,
          [{ path: field, message: found.error }],
          { diagnostics: [{ line: 1, column: 1, message: found.error, severity: "error" }] },
        );
      }
      return found.definitions;
    } finally {
      const left = (this.inUse.get(version) ?? 1) - 1;
      if (left > 0) this.inUse.set(version, left);
      else this.inUse.delete(version);
      await compiled.prune(KEEP_CANDIDATES, [...this.inUse.keys()]);
    }
  }

  /**
   * Names are unique per scope among active workflows. A definition keeps the scope of its existing
   * row; a new one is global. Rows of this file (and of a file being renamed away) are replaced, so
   * they never clash.
   */
  private async assertNoNameClash(
    tx: WorkspaceTransaction,
    file: PreparedFile,
    removing?: string,
  ): Promise<void> {
    const existing = new Map((await tx.workflows.byPath(file.path)).map((row) => [row.exportName, row]));
    const exceptPaths = removing === undefined ? [file.path] : [file.path, removing];
    const taken = await tx.workflows.activeNamed(
      file.definitions.map((d) => d.name),
      exceptPaths,
    );
    for (const definition of file.definitions) {
      const scope = existing.get(definition.exportName)?.organizationId ?? null;
      const clash = taken.find((row) => row.name === definition.name && row.organizationId === scope);
      if (clash) {
        throw new ConflictError(
          `A workflow named "${definition.name}" is already defined by ${clash.path} (export ${clash.exportName})`,
          { name: definition.name, path: clash.path, exportName: clash.exportName },
        );
      }
    }
  }
}

function assertUniqueNames(path: string, definitions: readonly DiscoveredDefinition[]): void {
  const seen = new Map<string, string>();
  for (const definition of definitions) {
    const other = seen.get(definition.name);
    if (other !== undefined) {
      throw new ConflictError(
        `A workflow named "${definition.name}" is defined twice in ${path} (exports ${other} and ${definition.exportName})`,
        { name: definition.name, path, exportName: definition.exportName },
      );
    }
    seen.set(definition.name, definition.exportName);
  }
}
