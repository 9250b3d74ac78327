import { builtinModules } from "node:module";
import path from "node:path";
import type { Diagnostic } from "@bifrost/contracts";
import { build, type Message, type Plugin } from "esbuild";

export type CompileResult =
  { ok: true; code: string; diagnostics: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] };

const SDK = "@bifrost/sdk";
const BUILTINS = new Set(builtinModules);

/** The workspace path of a compiled module: `flows/a.ts` runs as `flows/a.mjs`. */
export const compiledPathOf = (workspacePath: string): string => workspacePath.replace(/\.ts$/, ".mjs");

/**
 * The `.ts` workspace file an import of `fromPath` names, or an error message. Candidates, in order:
 * the exact path, `+ .ts`, `.js`/`.mjs` → `.ts`, `/index.ts`. Only `.ts` files are compiled, so only
 * they can be imported.
 */
export function resolveWorkspaceImport(
  fromPath: string,
  specifier: string,
  workspacePaths: ReadonlySet<string>,
): { path: string } | { error: string } {
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(fromPath), specifier));
  if (joined === ".." || joined.startsWith("../") || path.posix.isAbsolute(joined)) {
    return { error: `"${specifier}" is outside the workspace` };
  }
  const base = joined.replace(/\/$/, "");
  const candidates = [base, `${base}.ts`, base.replace(/\.m?js$/, ".ts"), `${base}/index.ts`].filter(
    (candidate) => candidate.endsWith(".ts"),
  );
  const found = candidates.find((candidate) => workspacePaths.has(candidate));
  if (found) return { path: found };
  if (workspacePaths.has(base))
    return { error: `"${specifier}" is not a .ts file; only .ts files can be imported` };
  return { error: `"${specifier}" is not a file of the workspace` };
}

/** The relative `.mjs` specifier of `target` as seen from `fromPath`. */
function relativeSpecifier(fromPath: string, target: string): string {
  const relative = path.posix.relative(path.posix.dirname(fromPath), compiledPathOf(target));
  return relative.startsWith(".") ? relative : `./${relative}`;
}

/**
 * Every import is decided here, never by esbuild's own resolver: nothing is read from the server's
 * disk, and no npm package of the server can end up inside user code.
 */
function workspaceImports(fromPath: string, workspacePaths: ReadonlySet<string>): Plugin {
  return {
    name: "bifrost-workspace",
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /.*/ }, (args) => {
        const specifier = args.path;
        if (specifier === SDK) return { path: SDK, external: true };
        if (specifier.startsWith("node:") || BUILTINS.has(specifier))
          return { path: specifier, external: true };
        if (specifier.startsWith("./") || specifier.startsWith("../")) {
          const resolved = resolveWorkspaceImport(fromPath, specifier, workspacePaths);
          if ("error" in resolved) return { errors: [{ text: resolved.error }] };
          return { path: relativeSpecifier(fromPath, resolved.path), external: true };
        }
        if (path.posix.isAbsolute(specifier) || /^[A-Za-z]:[\\/]/.test(specifier)) {
          return {
            errors: [{ text: `"${specifier}": absolute paths cannot be imported; use a relative path` }],
          };
        }
        return {
          errors: [
            {
              text: `"${specifier}" cannot be imported: only ${SDK}, node: built-ins and workspace files are available`,
            },
          ],
        };
      });
    },
  };
}

function toDiagnostic(message: Message, severity: Diagnostic["severity"]): Diagnostic {
  return {
    line: message.location?.line ?? 1,
    // esbuild's columns are 0-based; editors count from 1.
    column: (message.location?.column ?? 0) + 1,
    message: message.text,
    severity,
  };
}

/**
 * Compiles one `.ts` workspace file to an ES module. Imports stay imports: of the SDK as the bare
 * `@bifrost/sdk`, of other workspace files as relative `.mjs` paths (see CompiledWorkspace).
 * esbuild strips types without checking them: type errors are not reported.
 */
export async function compileWorkspaceFile(
  workspacePath: string,
  content: string,
  workspacePaths: ReadonlySet<string>,
): Promise<CompileResult> {
  try {
    const result = await build({
      stdin: { contents: content, sourcefile: workspacePath, loader: "ts", resolveDir: "/" },
      absWorkingDir: "/",
      bundle: true,
      write: false,
      format: "esm",
      platform: "node",
      target: "node20",
      logLevel: "silent",
      // No tsconfig lookup on the server's disk; workspace files share one fixed configuration.
      tsconfigRaw: {},
      // An inline source map naming the `.ts` beside the `.mjs` (the output file's own name decides
      // the map's relative source path): children run with source maps on, so a stack trace says
      // `flows/a.ts:8:31` with the editor's lines (issue 26). No sources content: the map only maps.
      sourcemap: "inline",
      sourcesContent: false,
      outfile: `/${compiledPathOf(workspacePath)}`,
      plugins: [workspaceImports(workspacePath, workspacePaths)],
    });
    const code = result.outputFiles[0]?.text ?? "";
    return { ok: true, code, diagnostics: result.warnings.map((w) => toDiagnostic(w, "warning")) };
  } catch (error) {
    const failure = error as { errors?: Message[]; warnings?: Message[] };
    if (!Array.isArray(failure.errors)) throw error;
    return {
      ok: false,
      diagnostics: [
        ...failure.errors.map((e) => toDiagnostic(e, "error")),
        ...(failure.warnings ?? []).map((w) => toDiagnostic(w, "warning")),
      ],
    };
  }
}
