/// <reference lib="webworker" />
// The editor's TypeScript language service, in a web worker (issue 25): the workspace's files and
// the declarations the build gathered (editor-types.ts) in a virtual file system. codemirror-ts
// supplies sync, diagnostics, completions and hover; the rest (signature help, definitions, rename,
// the workspace's other files) is here.
import {
  createSystem,
  createVirtualTypeScriptEnvironment,
  type VirtualTypeScriptEnvironment,
} from "@typescript/vfs";
import { createWorker } from "@valtown/codemirror-ts/worker";
import * as Comlink from "comlink";
import ts from "typescript";
import declarations from "virtual:bifrost-editor-types";
import { toEnvPath, toWorkspacePath } from "./paths.js";

/**
 * As the platform runs workflows: ES2023 and Node's globals; imports resolved as its compiler does
 * (`./x`, `./x.js` and `./x.ts` all name `x.ts`; `./dir` is `./dir/index.ts`), which is what
 * TypeScript's bundler resolution does too. `bifrost init` scaffolds the same options.
 */
const COMPILER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2023,
  lib: ["lib.es2023.d.ts"],
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  allowImportingTsExtensions: true,
  noEmit: true,
  strict: true,
  types: ["node"],
  skipLibCheck: true,
};

export type Location = { path: string; offset: number; line: number; column: number };
export type SignatureHelp = {
  /** The signature as text, and where the active parameter is in it. */
  text: string;
  active: { from: number; to: number } | null;
  documentation: string;
};
export type RenameEdits =
  | { ok: true; files: Array<{ path: string; edits: Array<{ from: number; to: number }> }> }
  | { ok: false; message: string };

let env: VirtualTypeScriptEnvironment | undefined;
let workspace = new Map<string, string>();

const base = createWorker(() => {
  const files = new Map(Object.entries(declarations));
  for (const [file, content] of workspace) files.set(toEnvPath(file), content);
  env = createVirtualTypeScriptEnvironment(
    createSystem(files),
    [...workspace.keys()].map(toEnvPath),
    ts,
    COMPILER_OPTIONS,
  );
  return env;
});

const ready = (): VirtualTypeScriptEnvironment => {
  if (!env) throw new Error("The TypeScript service is not initialized");
  return env;
};

function locationOf(fileName: string, offset: number): Location | null {
  const path = toWorkspacePath(fileName);
  const source = env?.getSourceFile(fileName);
  if (path === null || !source) return null;
  const { line, character } = source.getLineAndCharacterOfPosition(offset);
  return { path, offset, line: line + 1, column: character + 1 };
}

const api = {
  ...base,
  /** Before `initialize`: the workspace's files (path → content), all in the project. */
  setWorkspace(files: Record<string, string>): void {
    workspace = new Map(Object.entries(files));
  },
  /** Another file changed (saved, renamed, deleted): `null` removes it. */
  setFile(path: string, content: string | null): void {
    const fileName = toEnvPath(path);
    const current = ready();
    if (content === null) {
      if (current.getSourceFile(fileName)) current.deleteFile(fileName);
    } else if (current.getSourceFile(fileName)) current.updateFile(fileName, content);
    else current.createFile(fileName, content);
  },
  /** Where the symbol at `pos` is defined, when that is a workspace file. */
  definition({ path, pos }: { path: string; pos: number }): Location | null {
    const found = ready().languageService.getDefinitionAtPosition(toEnvPath(path), pos) ?? [];
    for (const definition of found) {
      const location = locationOf(definition.fileName, definition.textSpan.start);
      if (location) return location;
    }
    return null;
  },
  signatureHelp({ path, pos }: { path: string; pos: number }): SignatureHelp | null {
    const help = ready().languageService.getSignatureHelpItems(toEnvPath(path), pos, undefined);
    const item = help?.items[help.selectedItemIndex];
    if (!help || !item) return null;
    const display = (parts: ts.SymbolDisplayPart[]) => ts.displayPartsToString(parts);
    let text = display(item.prefixDisplayParts);
    let active: SignatureHelp["active"] = null;
    item.parameters.forEach((parameter, index) => {
      if (index > 0) text += display(item.separatorDisplayParts);
      const part = display(parameter.displayParts);
      if (index === help.argumentIndex) active = { from: text.length, to: text.length + part.length };
      text += part;
    });
    text += display(item.suffixDisplayParts);
    const parameterDoc = item.parameters[help.argumentIndex]?.documentation ?? [];
    return { text, active, documentation: display([...item.documentation, ...parameterDoc]) };
  },
  /** Every place to change to rename the symbol at `pos`, in workspace files only. */
  renameEdits({ path, pos }: { path: string; pos: number }): RenameEdits {
    const service = ready().languageService;
    const fileName = toEnvPath(path);
    const info = service.getRenameInfo(fileName, pos, { allowRenameOfImportPath: false });
    if (!info.canRename) return { ok: false, message: info.localizedErrorMessage };
    const locations = service.findRenameLocations(fileName, pos, false, false, {}) ?? [];
    const byFile = new Map<string, Array<{ from: number; to: number }>>();
    for (const location of locations) {
      const file = toWorkspacePath(location.fileName);
      if (file === null) return { ok: false, message: "This symbol is declared outside the workspace" };
      const edits = byFile.get(file) ?? [];
      edits.push({ from: location.textSpan.start, to: location.textSpan.start + location.textSpan.length });
      byFile.set(file, edits);
    }
    return { ok: true, files: [...byFile].map(([file, edits]) => ({ path: file, edits })) };
  },
};

export type TypeScriptWorker = typeof api;

Comlink.expose(api);
