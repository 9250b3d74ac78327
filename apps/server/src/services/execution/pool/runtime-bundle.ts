import { randomUUID } from "node:crypto";
import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build, type BuildOptions } from "esbuild";

/**
 * Where the runtime of workflow children lives: `apps/server/dist/runtime`. This module sits at the
 * same depth under `src/` (tests, tsx) and `dist/` (the build), so the path is the same from both.
 */
export const DEFAULT_RUNTIME_DIR = fileURLToPath(new URL("../../../../dist/runtime", import.meta.url));

/** The file names inside a runtime directory. */
export const RUNTIME_FILES = { child: "child.mjs", sdk: "sdk.mjs" } as const;

const SERVER_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
/** Run from source (vitest, tsx): bundle the TypeScript sources of the workspaces, as tests import them. */
const FROM_SOURCE = import.meta.url.endsWith(".ts");

/**
 * Bundles the two files a child reads, self-contained because a child may read nothing outside the
 * runtime directory and the compiled workspace:
 *  - `child.mjs`: the child runtime (IPC, run, logs, discovery), importing zod from `sdk.mjs`;
 *  - `sdk.mjs`: `@bifrost/sdk`, which compiled workspaces re-export as their `@bifrost/sdk`.
 * Files are written next to their final name and renamed, so a child starting during a rebuild reads
 * either the old bundle or the new one, never half of one.
 */
export async function buildRuntime(outDir: string = DEFAULT_RUNTIME_DIR): Promise<{ outDir: string }> {
  const common: BuildOptions = {
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    write: false,
    absWorkingDir: SERVER_ROOT,
    conditions: FROM_SOURCE ? ["@bifrost/source"] : [],
    legalComments: "none",
    logLevel: "silent",
  };
  const [child, sdk] = await Promise.all([
    build({
      ...common,
      entryPoints: [fileURLToPath(new URL(`../runtime/child.${FROM_SOURCE ? "ts" : "js"}`, import.meta.url))],
      outfile: path.join(outDir, RUNTIME_FILES.child),
      // One zod per child: the runtime uses the SDK bundle's (every run loads the SDK anyway), which
      // saves parsing a second copy at every child start.
      plugins: [
        {
          name: "zod-from-sdk",
          setup(bundle) {
            bundle.onResolve({ filter: /^zod$/ }, () => ({ path: `./${RUNTIME_FILES.sdk}`, external: true }));
          },
        },
      ],
    }),
    build({
      ...common,
      stdin: { contents: 'export * from "@bifrost/sdk";', resolveDir: SERVER_ROOT, loader: "js" },
      outfile: path.join(outDir, RUNTIME_FILES.sdk),
    }),
  ]);
  await mkdir(outDir, { recursive: true });
  const outputs = [...(child.outputFiles ?? []), ...(sdk.outputFiles ?? [])];
  for (const file of outputs) {
    const temporary = `${file.path}.${process.pid}.${randomUUID()}.tmp`;
    await writeFile(temporary, file.contents);
    await rename(temporary, file.path);
  }
  return { outDir };
}
