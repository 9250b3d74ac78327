import type { WorkspaceFile, WorkspaceTree } from "@bifrost/contracts";
import { useQueries } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import type { EditorTypeScript } from "../CodeEditor.js";
import { apiFetch } from "../../../api/client.js";
import { errorMessage } from "../../../components/ui/index.js";
import { startTypeScript, type TypeScriptService } from "./ts-client.js";

/** The saved content of every workspace file (path → content), each read once per version (hash). */
export function useWorkspaceSources(files: WorkspaceTree["files"] | undefined): {
  sources: ReadonlyMap<string, string>;
  complete: boolean;
} {
  return useQueries({
    queries: (files ?? []).map((file) => ({
      queryKey: ["workspace", "editor", "content", file.path, file.hash],
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        apiFetch<WorkspaceFile>(`/api/files/editor/content?path=${encodeURIComponent(file.path)}`, {
          signal,
        }),
      staleTime: Infinity,
    })),
    combine: (results) => ({
      sources: new Map(results.flatMap((r) => (r.data ? [[r.data.path, r.data.content] as const] : []))),
      complete: files !== undefined && results.every((r) => r.data !== undefined || r.isError),
    }),
  });
}

const isTypeScript = (path: string): boolean => path.endsWith(".ts");

/**
 * The language service for the editor: started once the workspace's files are read, stopped with
 * the page. Saved, renamed and deleted files reach it as the tree changes; the open file reaches it
 * from the editor itself (codemirror-ts's sync), and goes back to its saved content when another
 * file is opened (its unsaved edits were discarded).
 */
export function useTypeScript(
  sources: ReadonlyMap<string, string>,
  complete: boolean,
  openPath: string | undefined,
): { service: TypeScriptService | null; error: string | undefined } {
  const [service, setService] = useState<TypeScriptService | null>(null);
  const [error, setError] = useState<string | undefined>();
  const started = useRef(false);
  const stop = useRef<(() => void) | undefined>(undefined);
  /** What the service holds of each file other than the open one. */
  const known = useRef(new Map<string, string>());
  const lastOpen = useRef<string | undefined>(undefined);

  useEffect(() => () => stop.current?.(), []);

  useEffect(() => {
    if (!complete || started.current) return;
    started.current = true;
    const files = [...sources].filter(([path]) => isTypeScript(path));
    known.current = new Map(files);
    startTypeScript(Object.fromEntries(files)).then(
      (started) => {
        stop.current = started.stop;
        setService(() => started.service);
      },
      (failure: unknown) => setError(errorMessage(failure)),
    );
  }, [complete, sources]);

  useEffect(() => {
    if (!service) return;
    const previous = lastOpen.current;
    lastOpen.current = openPath;
    if (previous !== undefined && previous !== openPath && isTypeScript(previous)) {
      const saved = sources.get(previous) ?? null;
      void service.setFile(previous, saved);
      if (saved === null) known.current.delete(previous);
      else known.current.set(previous, saved);
    }
    for (const [path, content] of sources) {
      if (!isTypeScript(path) || path === openPath || known.current.get(path) === content) continue;
      known.current.set(path, content);
      void service.setFile(path, content);
    }
    for (const path of [...known.current.keys()]) {
      if (sources.has(path) || path === openPath) continue;
      known.current.delete(path);
      void service.setFile(path, null);
    }
  }, [service, sources, openPath]);

  return { service, error };
}

/**
 * What the code editor gets of the service for the open file: the service, the path, and what the
 * page does for a definition elsewhere (`openAt`) and for F2 (`rename`). Stable while the file is.
 */
export function useEditorTypeScript(
  service: TypeScriptService | null,
  path: string | undefined,
  openAt: (path: string, at: { line: number; column: number }) => void,
  rename: (pos: number) => void,
): EditorTypeScript | null {
  const latest = useRef({ openAt, rename });
  useEffect(() => {
    latest.current = { openAt, rename };
  });
  return useMemo(
    () =>
      service && path
        ? {
            service,
            path,
            handlers: {
              openLocation: (location) => latest.current.openAt(location.path, location),
              rename: (pos) => latest.current.rename(pos),
            },
          }
        : null,
    [service, path],
  );
}
