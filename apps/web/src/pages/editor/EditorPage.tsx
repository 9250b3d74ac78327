import type { Diagnostic, WorkspaceFile, WorkspaceTree, WriteWorkspaceFileResult } from "@bifrost/contracts";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useCallback, useEffect, useRef, useState } from "react";
import { Link } from "react-router";
import { apiFetch, ApiError } from "../../api/client.js";
import { Button, EmptyState, ErrorState, Spinner, errorMessage } from "../../components/ui/index.js";
import { useTheme } from "../../shell/theme.js";
import type { CodeEditorHandle } from "./CodeEditor.js";
import "./editor.css";

const CodeEditor = lazy(async () => ({ default: (await import("./CodeEditor.js")).CodeEditor }));

const TREE_KEY = ["workspace", "editor", "tree"] as const;

type OpenFile = { path: string; hash: string | undefined; initial: string; version: number };
type SaveState =
  | { kind: "idle" }
  | { kind: "saved"; result: WriteWorkspaceFileResult }
  | { kind: "conflict" }
  | { kind: "invalid"; diagnostics: Diagnostic[] }
  | { kind: "error"; message: string };

function diagnosticsOf(error: ApiError): Diagnostic[] {
  const details = error.details as { diagnostics?: Diagnostic[] } | undefined;
  return Array.isArray(details?.diagnostics) ? details.diagnostics : [];
}

/** The workspace editor: file tree, CodeMirror, save with conflict detection and diagnostics. */
export function EditorPage() {
  const { theme } = useTheme();
  const queryClient = useQueryClient();
  const tree = useQuery({
    queryKey: TREE_KEY,
    queryFn: ({ signal }) => apiFetch<WorkspaceTree>("/api/files/editor", { signal }),
  });
  const [file, setFile] = useState<OpenFile | undefined>();
  const [opening, setOpening] = useState<string | undefined>();
  const [openError, setOpenError] = useState<string | undefined>();
  const [saving, setSaving] = useState(false);
  const [save, setSave] = useState<SaveState>({ kind: "idle" });
  const content = useRef("");
  const editor = useRef<CodeEditorHandle | null>(null);

  const open = useCallback(async (path: string) => {
    setOpening(path);
    setOpenError(undefined);
    try {
      const loaded = await apiFetch<WorkspaceFile>(
        `/api/files/editor/content?path=${encodeURIComponent(path)}`,
      );
      content.current = loaded.content;
      setFile((current) => ({
        path: loaded.path,
        hash: loaded.hash,
        initial: loaded.content,
        version: (current?.version ?? 0) + 1,
      }));
      setSave({ kind: "idle" });
    } catch (error) {
      setOpenError(errorMessage(error));
    } finally {
      setOpening(undefined);
    }
  }, []);

  const newFile = () => {
    const path = window.prompt("Path of the new file (e.g. workflows/hello.ts)")?.trim();
    if (!path) return;
    content.current = "";
    setFile((current) => ({ path, hash: undefined, initial: "", version: (current?.version ?? 0) + 1 }));
    setSave({ kind: "idle" });
  };

  const doSave = useCallback(async () => {
    if (!file || saving) return;
    setSaving(true);
    try {
      const result = await apiFetch<WriteWorkspaceFileResult>("/api/files/editor/content", {
        method: "PUT",
        body: {
          path: file.path,
          content: content.current,
          ...(file.hash ? { expectedHash: file.hash } : {}),
        },
      });
      setFile({ ...file, hash: result.hash });
      setSave({ kind: "saved", result });
      void queryClient.invalidateQueries({ queryKey: TREE_KEY });
      void queryClient.invalidateQueries({ queryKey: ["workflows"] });
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) setSave({ kind: "conflict" });
      else if (error instanceof ApiError && error.status === 422) {
        const diagnostics = diagnosticsOf(error);
        setSave(
          diagnostics.length ? { kind: "invalid", diagnostics } : { kind: "error", message: error.message },
        );
        const first = diagnostics[0];
        if (first) editor.current?.jumpTo(first.line, first.column);
      } else setSave({ kind: "error", message: errorMessage(error) });
    } finally {
      setSaving(false);
    }
  }, [file, saving, queryClient]);

  const saveRef = useRef(doSave);
  useEffect(() => {
    saveRef.current = doSave;
  }, [doSave]);
  const onSave = useCallback(() => void saveRef.current(), []);
  const onChange = useCallback((next: string) => {
    content.current = next;
  }, []);

  const files = tree.data?.files ?? [];
  return (
    <section className="ed-page">
      <h1>Editor</h1>
      <div className="ed-layout">
        <nav className="ed-tree" aria-label="Workspace files">
          <Button onClick={newFile}>New file</Button>
          {tree.isPending && <Spinner />}
          {tree.isError && <ErrorState error={tree.error} onRetry={() => void tree.refetch()} />}
          {tree.isSuccess && files.length === 0 && <EmptyState title="No files yet" />}
          <ul>
            {files.map((entry) => (
              <li key={entry.path}>
                <button
                  type="button"
                  className="ed-tree__file"
                  aria-current={file?.path === entry.path ? "true" : undefined}
                  onClick={() => void open(entry.path)}
                  disabled={opening === entry.path}
                >
                  {entry.path}
                </button>
              </li>
            ))}
          </ul>
        </nav>
        <div className="ed-main">
          {openError && <ErrorState error={new Error(openError)} title="Could not open the file" />}
          {!file ? (
            <EmptyState title="Open a file or create a new one" />
          ) : (
            <>
              <div className="ed-toolbar">
                <span className="ed-path">{file.path}</span>
                <Button variant="primary" busy={saving} onClick={onSave}>
                  Save
                </Button>
              </div>
              <Suspense fallback={<Spinner />}>
                <CodeEditor
                  key={`${file.path}#${file.version}`}
                  initial={file.initial}
                  dark={theme === "dark"}
                  onChange={onChange}
                  onSave={onSave}
                  handleRef={editor}
                />
              </Suspense>
              <SaveStatus
                save={save}
                path={file.path}
                onReload={() => void open(file.path)}
                onJump={editor}
              />
            </>
          )}
        </div>
      </div>
    </section>
  );
}

function SaveStatus({
  save,
  path,
  onReload,
  onJump,
}: {
  save: SaveState;
  path: string;
  onReload: () => void;
  onJump: { current: CodeEditorHandle | null };
}) {
  switch (save.kind) {
    case "idle":
      return null;
    case "conflict":
      return (
        <div className="ed-status ed-status--error" role="alert">
          <p>{path} was changed elsewhere since you opened it — reload it to get the latest version.</p>
          <Button onClick={onReload}>Reload</Button>
        </div>
      );
    case "error":
      return (
        <div className="ed-status ed-status--error" role="alert">
          <p>Save failed: {save.message}</p>
        </div>
      );
    case "invalid":
      return (
        <div className="ed-status ed-status--error" role="alert">
          <p>Not saved: the file has errors.</p>
          <DiagnosticList diagnostics={save.diagnostics} onJump={onJump} />
        </div>
      );
    case "saved":
      return (
        <div className="ed-status" role="status">
          <p>Saved.</p>
          {save.result.diagnostics.length > 0 && (
            <DiagnosticList diagnostics={save.result.diagnostics} onJump={onJump} />
          )}
          {save.result.workflows.length === 0 ? (
            <p>This file defines no workflows.</p>
          ) : (
            <>
              <p>Defined in this file:</p>
              <ul className="ed-workflows">
                {save.result.workflows.map((w) => (
                  <li key={w.id}>
                    <Link to={`/workflows/${w.id}/run`}>{w.name}</Link>{" "}
                    <span className="ed-type">({w.type})</span>
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      );
  }
}

function DiagnosticList({
  diagnostics,
  onJump,
}: {
  diagnostics: Diagnostic[];
  onJump: { current: CodeEditorHandle | null };
}) {
  return (
    <ul className="ed-diagnostics" aria-label="Diagnostics">
      {diagnostics.map((d, i) => (
        <li key={i} data-severity={d.severity}>
          <button
            type="button"
            className="ed-diagnostic"
            onClick={() => onJump.current?.jumpTo(d.line, d.column)}
          >
            <span className="ed-location">
              {d.line}:{d.column}
            </span>{" "}
            {d.severity}: {d.message}
          </button>
        </li>
      ))}
    </ul>
  );
}
