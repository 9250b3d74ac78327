import { existsSync, watch as watchFolder } from "node:fs";
import path from "node:path";
import { Api, ApiError, type GlobalOptions } from "../client.js";
import { CliError, paint, print, printJson, withProgress } from "../output.js";
import {
  contentHash,
  localFiles,
  readState,
  workspacePath,
  workspaceRoot,
  writeLocal,
  writeState,
  type SyncState,
} from "../workspace.js";

type TreeEntry = { path: string; hash: string };
type Diagnostic = { line: number; column: number; message: string; severity: "error" | "warning" };
type WriteResult = {
  path: string;
  hash: string;
  workflows: Array<{ name: string }>;
  diagnostics: Diagnostic[];
};

const diagnosticLine = (file: string, d: Diagnostic) =>
  `${file}:${d.line}:${d.column} ${d.severity === "error" ? paint("error", "red") : paint("warning", "yellow")} ${d.message}`;

async function remoteTree(api: Api): Promise<Map<string, string>> {
  const tree = await api.request<{ files: TreeEntry[] }>("GET", "/api/files/editor");
  return new Map(tree.files.map((f) => [f.path, f.hash]));
}

/** `bifrost pull [dir]`: the platform's workspace files into the folder; remembers their hashes. */
export async function pull(options: GlobalOptions, dir: string | undefined): Promise<void> {
  const root = dir ? path.resolve(dir) : workspaceRoot(undefined);
  const api = Api.connect(options);
  const tree = await withProgress("Reading the workspace…", () => remoteTree(api));
  const state: SyncState = { url: api.url, files: {} };
  for (const file of tree.keys()) {
    const { content, hash } = await api.request<{ content: string; hash: string }>(
      "GET",
      `/api/files/editor/content?path=${encodeURIComponent(file)}`,
    );
    writeLocal(root, file, content);
    state.files[file] = hash;
  }
  writeState(root, state);
  if (options.json) return printJson({ root, files: [...tree.keys()] });
  print(`Pulled ${tree.size} file${tree.size === 1 ? "" : "s"} into ${root}`);
}

type Change = { path: string; kind: "new" | "changed" | "deleted"; content?: string };

/**
 * `bifrost push [--force]`: sends what changed since the last pull. Refuses (unless --force) when the
 * platform's copy of a file changed since then — someone else edited it in the browser — and names it.
 */
export async function push(
  options: GlobalOptions & { force: boolean },
  dir: string | undefined,
): Promise<number> {
  const root = workspaceRoot(dir);
  const api = Api.connect(options);
  const state = readState(root) ?? { url: api.url, files: {} };
  const [remote, local] = await Promise.all([remoteTree(api), Promise.resolve(localFiles(root))]);
  const changes: Change[] = [];
  const conflicts: string[] = [];
  for (const [file, content] of local) {
    const hash = contentHash(content);
    if (remote.get(file) === hash) continue;
    if (remote.get(file) !== state.files[file]) conflicts.push(file);
    changes.push({ path: file, kind: remote.has(file) ? "changed" : "new", content });
  }
  for (const [file, hash] of Object.entries(state.files))
    if (!local.has(file) && remote.has(file)) {
      if (remote.get(file) !== hash) conflicts.push(file);
      changes.push({ path: file, kind: "deleted" });
    }
  if (conflicts.length > 0 && !options.force)
    throw new CliError(
      `Changed on the platform since your last pull: ${conflicts.join(", ")}. Run bifrost pull (your copies would be replaced: save them first), or push --force to overwrite.`,
    );
  let failed = false;
  const results: Array<{ path: string; kind: string; diagnostics: Diagnostic[]; error?: string }> = [];
  for (const change of changes) {
    if (!options.json)
      print(
        `${{ new: paint("+", "green"), changed: paint("~", "yellow"), deleted: paint("-", "red") }[change.kind]} ${change.path}`,
      );
    try {
      if (change.kind === "deleted") {
        await api.request("DELETE", `/api/files/editor?path=${encodeURIComponent(change.path)}`);
        delete state.files[change.path];
        results.push({ path: change.path, kind: change.kind, diagnostics: [] });
        continue;
      }
      const written = await api.request<WriteResult>("PUT", "/api/files/editor/content", {
        path: change.path,
        content: change.content,
        ...(options.force || !remote.has(change.path) ? {} : { expectedHash: remote.get(change.path) }),
      });
      state.files[change.path] = written.hash;
      results.push({ path: change.path, kind: change.kind, diagnostics: written.diagnostics });
      if (!options.json) for (const d of written.diagnostics) print(`  ${diagnosticLine(change.path, d)}`);
    } catch (error) {
      failed = true;
      const diagnostics = compileDiagnostics(error);
      results.push({ path: change.path, kind: change.kind, diagnostics, error: (error as Error).message });
      if (!options.json) {
        if (diagnostics.length > 0) for (const d of diagnostics) print(`  ${diagnosticLine(change.path, d)}`);
        else print(`  ${paint("error", "red")} ${(error as Error).message}`);
      }
    }
  }
  state.url = api.url;
  writeState(root, state);
  if (options.json) printJson({ root, changes: results });
  else if (changes.length === 0) print("Nothing to push: the platform has these files.");
  else if (!failed) print(`Pushed ${changes.length} change${changes.length === 1 ? "" : "s"}.`);
  return failed ? 1 : 0;
}

/** The compile errors of a refused file (422 `details.diagnostics`). */
function compileDiagnostics(error: unknown): Diagnostic[] {
  if (!(error instanceof ApiError) || error.status !== 422) return [];
  const details = error.body.details as { diagnostics?: Diagnostic[] } | undefined;
  return details?.diagnostics ?? [];
}

/**
 * `bifrost watch`: pushes each saved file within about a second and prints its diagnostics. When the
 * platform is away (restarting), it retries every two seconds until the file is in.
 */
export async function watch(options: GlobalOptions, dir: string | undefined): Promise<void> {
  const root = workspaceRoot(dir);
  if (!existsSync(root)) throw new CliError(`No such folder: ${root}`);
  const api = Api.connect(options);
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const schedule = (delay: number) => {
    clearTimeout(timer);
    timer = setTimeout(() => void flush(), delay);
  };
  const flush = async () => {
    const files = localFiles(root);
    const state = readState(root) ?? { url: api.url, files: {} };
    for (const file of [...pending]) {
      const content = files.get(file);
      try {
        if (content === undefined) {
          if (state.files[file])
            await api.request("DELETE", `/api/files/editor?path=${encodeURIComponent(file)}`);
          delete state.files[file];
          print(`${paint("-", "red")} ${file}`);
        } else if (state.files[file] !== contentHash(content)) {
          const written = await api.request<WriteResult>("PUT", "/api/files/editor/content", {
            path: file,
            content,
          });
          state.files[file] = written.hash;
          print(
            `${paint("✓", "green")} ${file}${written.workflows.length ? ` (${written.workflows.map((w) => w.name).join(", ")})` : ""}`,
          );
          for (const d of written.diagnostics) print(`  ${diagnosticLine(file, d)}`);
        }
        pending.delete(file);
      } catch (error) {
        const diagnostics = compileDiagnostics(error);
        if (diagnostics.length > 0) {
          pending.delete(file);
          print(`${paint("✗", "red")} ${file}`);
          for (const d of diagnostics) print(`  ${diagnosticLine(file, d)}`);
        } else {
          process.stderr.write(`${file}: ${(error as Error).message} — retrying\n`);
        }
      }
    }
    writeState(root, state);
    if (pending.size > 0) schedule(2000);
  };
  const watcher = watchFolder(root, { recursive: true }, (_event, name) => {
    if (!name) return;
    const file = workspacePath(root, path.join(root, name.toString()));
    if (!file) return;
    pending.add(file);
    schedule(150);
  });
  print(`Watching ${root} — saved files go to ${api.url}. Ctrl-C to stop.`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => {
      watcher.close();
      resolve();
    });
    process.once("SIGTERM", () => {
      watcher.close();
      resolve();
    });
  });
}
