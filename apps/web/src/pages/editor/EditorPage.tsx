import type {
  ExecuteRequest,
  ExecutionStatus,
  Workflow,
  WorkspaceFile,
  WorkspaceTree,
  WriteWorkspaceFileResult,
} from "@bifrost/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useSearchParams } from "react-router";
import { lazy, Suspense, useCallback, useEffect, useRef, useState, type KeyboardEvent } from "react";
import { apiFetch, ApiError } from "../../api/client.js";
import { fieldErrorsFromApi, type FieldErrors } from "../../api/field-errors.js";
import { ActionError, EmptyState, ErrorState, Spinner, errorMessage } from "../../components/ui/index.js";
import { useAuth } from "../../shell/auth.js";
import { useTheme } from "../../shell/theme.js";
import type { CodeEditorHandle } from "./CodeEditor.js";
import { EditorSidebar } from "./EditorSidebar.js";
import { RenameSymbolDialog } from "./typescript/RenameSymbolDialog.js";
import { useEditorTypeScript, useTypeScript, useWorkspaceSources } from "./typescript/use-typescript.js";
import {
  definitionAt,
  definitionsIn,
  diagnosticsOf,
  findWorkflow,
  hasParameters,
  type Definition,
} from "./definitions.js";
import { dropDraft, readDraft, writeDraft, type Draft } from "./drafts.js";
import { LeaveGuard } from "./LeaveGuard.js";
import { NewWorkflowDialog } from "./NewWorkflowDialog.js";
import { ChooseDefinitionDialog, DraftOffer, EditorGuide, NewFileDialog } from "./EditorNotices.js";
import { RunDialog } from "./RunDialog.js";
import { RunPanel } from "./RunPanel.js";
import "./editor.css";
import {
  DeleteDialog,
  DiscardDialog,
  EditorToolbar,
  RenameDialog,
  SaveStatus,
  type SaveState,
} from "./EditorParts.js";

const CodeEditor = lazy(async () => ({ default: (await import("./CodeEditor.js")).CodeEditor }));

const TREE_KEY = ["workspace", "editor", "tree"] as const;

type Where = { line: number; column: number };
type OpenFile = { path: string; hash: string | undefined; initial: string; version: number; at?: Where };
type Run = { executionId: string; name: string };

/**
 * The workspace editor: file tree, CodeMirror, save with conflict detection and diagnostics,
 * rename and delete, and a run of the definition under the cursor with its live log.
 */
export function EditorPage() {
  const { theme } = useTheme();
  const [searchParams, setSearchParams] = useSearchParams();
  const queryClient = useQueryClient();
  const tree = useQuery({
    queryKey: TREE_KEY,
    queryFn: ({ signal }) => apiFetch<WorkspaceTree>("/api/files/editor", { signal }),
  });
  const [file, setFile] = useState<OpenFile | undefined>();
  const [dirty, setDirty] = useState(false);
  const [cursor, setCursor] = useState(0);
  const [opening, setOpening] = useState<string | undefined>();
  const [openError, setOpenError] = useState<string | undefined>();
  const [saving, setSaving] = useState(false);
  const [save, setSave] = useState<SaveState>({ kind: "idle" });
  /** A file switch waiting for the user to discard unsaved changes. */
  const [pendingSwitch, setPendingSwitch] = useState<(() => void) | undefined>();
  const [renaming, setRenaming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [preparing, setPreparing] = useState(false);
  const [runError, setRunError] = useState<string | undefined>();
  const [askParameters, setAskParameters] = useState<Workflow | undefined>();
  const [apiErrors, setApiErrors] = useState<FieldErrors>({});
  const [run, setRun] = useState<Run | undefined>();
  /** F2 on a symbol: where, and its current name. */
  const [renameSymbol, setRenameSymbol] = useState<{ pos: number; name: string } | undefined>();
  const { sources, complete } = useWorkspaceSources(tree.data?.files);
  const typescript = useTypeScript(sources, complete, file?.path);
  const [creating, setCreating] = useState(searchParams.get("new") === "workflow");
  const [namingFile, setNamingFile] = useState(false);
  /** Several definitions and the cursor in none: which one to run. */
  const [choosing, setChoosing] = useState<Definition[] | undefined>();
  const [draftOffer, setDraftOffer] = useState<(Draft & { path: string }) | undefined>();
  const userId = useAuth().user?.id;
  // `?new=workflow` (the empty states' link) opens the dialog, `?file=path` (a workflow's page) the
  // file: once, not again on a reload.
  const linkedFile = useRef(searchParams.get("file"));
  useEffect(() => {
    if (searchParams.has("new") || searchParams.has("file")) setSearchParams({}, { replace: true });
  }, [searchParams, setSearchParams]);
  const content = useRef("");
  const openPath = useRef<string | undefined>(undefined);
  const editor = useRef<CodeEditorHandle | null>(null);
  /** Counts the files shown: an answer for an earlier one (open, save) must not touch the current. */
  const shown = useRef(0);
  /** The open request in flight: a newer click (or a new file) aborts it. */
  const opening$ = useRef<AbortController | undefined>(undefined);

  const show = useCallback(
    (next: Omit<OpenFile, "version">, options: { restoredDraft?: boolean } = {}) => {
      shown.current += 1;
      content.current = next.initial;
      openPath.current = next.path;
      setFile((current) => ({ ...next, version: (current?.version ?? 0) + 1 }));
      setDirty(options.restoredDraft === true);
      setCursor(0);
      setSave({ kind: "idle" });
      setRunError(undefined);
      // Changes to this file this browser kept and never saved: offered back (not for a restored one).
      const draft = !options.restoredDraft && userId ? readDraft(userId, next.path) : undefined;
      setDraftOffer(draft && draft.content !== next.initial ? { path: next.path, ...draft } : undefined);
    },
    [userId],
  );

  /** Forgets an open request still in flight (its answer, if any, is ignored). */
  const abandonOpening = useCallback(() => {
    opening$.current?.abort();
    opening$.current = undefined;
    setOpening(undefined);
  }, []);

  const load = useCallback(
    async (path: string, at?: Where) => {
      opening$.current?.abort();
      const request = new AbortController();
      opening$.current = request;
      setOpening(path);
      setOpenError(undefined);
      try {
        const loaded = await apiFetch<WorkspaceFile>(
          `/api/files/editor/content?path=${encodeURIComponent(path)}`,
          { signal: request.signal },
        );
        if (opening$.current !== request) return;
        show({ path: loaded.path, hash: loaded.hash, initial: loaded.content, ...(at ? { at } : {}) });
      } catch (error) {
        if (opening$.current === request) setOpenError(errorMessage(error));
      } finally {
        if (opening$.current === request) {
          opening$.current = undefined;
          setOpening(undefined);
        }
      }
    },
    [show],
  );

  useEffect(() => {
    const path = linkedFile.current;
    linkedFile.current = null;
    if (path) void load(path);
  }, [load]);

  /** Switching away from unsaved changes asks first. */
  const guarded = (action: () => void) => {
    if (dirty) setPendingSwitch(() => action);
    else action();
  };

  /** A definition or a search result: the file opened (after asking, when edits are unsaved) at the line. */
  const openAt = useCallback(
    (path: string, at: Where) => {
      if (file?.path === path) editor.current?.jumpTo(at.line, at.column);
      else if (dirty) setPendingSwitch(() => () => void load(path, at));
      else void load(path, at);
    },
    [file?.path, dirty, load],
  );
  const editorTypeScript = useEditorTypeScript(typescript.service, file?.path, openAt, (pos) => {
    const name = editor.current?.wordAt(pos);
    if (name) setRenameSymbol({ pos, name });
  });

  const newFile = () => guarded(() => setNamingFile(true));
  const createFile = (path: string) => {
    setNamingFile(false);
    abandonOpening();
    setOpenError(undefined);
    show({ path, hash: undefined, initial: "" });
  };

  const doSave = useCallback(async (): Promise<boolean> => {
    if (!file || saving) return false;
    setSaving(true);
    // Another file opened while this one saves keeps its own state: the answer only refreshes lists.
    const generation = shown.current;
    const { path } = file;
    try {
      const saved = content.current;
      const result = await apiFetch<WriteWorkspaceFileResult>("/api/files/editor/content", {
        method: "PUT",
        body: { path, content: saved, ...(file.hash ? { expectedHash: file.hash } : {}) },
      });
      void queryClient.invalidateQueries({ queryKey: TREE_KEY });
      void queryClient.invalidateQueries({ queryKey: ["workflows"] });
      if (shown.current !== generation) return false;
      setFile((current) => (current?.path === path ? { ...current, hash: result.hash } : current));
      setDirty(content.current !== saved);
      if (content.current === saved && userId) dropDraft(userId, path);
      setSave({ kind: "saved", result });
      return true;
    } catch (error) {
      if (shown.current !== generation) return false;
      if (error instanceof ApiError && error.status === 409 && !file.hash) {
        setSave({ kind: "error", message: error.message });
      } else if (error instanceof ApiError && error.status === 409) setSave({ kind: "conflict" });
      else if (error instanceof ApiError && error.status === 422) {
        const diagnostics = diagnosticsOf(error);
        setSave(
          diagnostics.length ? { kind: "invalid", diagnostics } : { kind: "error", message: error.message },
        );
        const first = diagnostics[0];
        if (first) editor.current?.jumpTo(first.line, first.column);
      } else setSave({ kind: "error", message: errorMessage(error) });
      return false;
    } finally {
      setSaving(false);
    }
  }, [file, saving, queryClient, userId]);

  const execute = useMutation({
    mutationFn: (body: ExecuteRequest) =>
      apiFetch<{ executionId: string; status: ExecutionStatus }>("/api/workflows/execute", {
        method: "POST",
        body,
      }),
  });

  const start = (workflow: Workflow, inputData: Record<string, unknown>) => {
    setApiErrors({});
    execute.mutate(
      { workflowId: workflow.id, inputData, sync: false },
      {
        onSuccess: (answer) => {
          setAskParameters(undefined);
          setRun({ executionId: answer.executionId, name: workflow.name });
        },
        onError: (error) => {
          if (error instanceof ApiError && error.status === 422)
            setApiErrors(fieldErrorsFromApi(error.details, "body.inputData.").fields);
        },
      },
    );
  };

  /** Runs the definition under the cursor: saved first when it has changes, parameters asked when it has some. */
  /** Runs the definition under the cursor; outside one, the file's only one, else asks which. */
  const runAtCursor = () => {
    if (!file || preparing) return;
    setRunError(undefined);
    execute.reset();
    const definition = definitionAt(content.current, editor.current?.cursor() ?? cursor);
    if (definition) return void runDefinition(definition.exportName);
    const all = definitionsIn(content.current);
    if (all.length === 1 && all[0]) return void runDefinition(all[0].exportName);
    if (all.length > 1) return setChoosing(all);
    setRunError("This file defines no workflow(…), tool(…) or dataProvider(…) to run.");
  };

  /** Saved first when it has changes; its parameters asked when it has some. */
  const runDefinition = async (exportName: string) => {
    if (!file) return;
    setChoosing(undefined);
    setPreparing(true);
    try {
      if ((dirty || !file.hash) && !(await saveRef.current())) {
        setRunError("Not run: the file could not be saved.");
        return;
      }
      const workflow = await findWorkflow(file.path, exportName);
      if (!workflow) {
        setRunError(`${exportName} is not a registered definition of ${file.path} — save the file first.`);
        return;
      }
      if (hasParameters(workflow)) setAskParameters(workflow);
      else start(workflow, {});
    } catch (error) {
      setRunError(errorMessage(error));
    } finally {
      setPreparing(false);
    }
  };

  const saveRef = useRef(doSave);
  const runRef = useRef(runAtCursor);
  useEffect(() => {
    saveRef.current = doSave;
    runRef.current = runAtCursor;
  });
  const onSave = useCallback(() => void saveRef.current(), []);
  const onRun = useCallback(() => void runRef.current(), []);
  const onChange = useCallback(
    (next: string) => {
      content.current = next;
      setDirty(true);
      if (userId && openPath.current) writeDraft(userId, openPath.current, next);
    },
    [userId],
  );
  const forgetDraft = (path: string | undefined) => {
    if (userId && path) dropDraft(userId, path);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    // The code editor handles its own Ctrl/Cmd+Enter (and prevents the default); a dialog's keys
    // bubble here through its portal but are the dialog's own.
    if (event.target instanceof Element && event.target.closest('[role="dialog"]')) return;
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter" && !event.defaultPrevented) {
      event.preventDefault();
      onRun();
    }
  };

  const definition = file ? definitionAt(content.current, cursor) : undefined;
  const existingPaths = new Set(tree.data?.files.map((f) => f.path));
  return (
    <section className="ed-page" onKeyDown={onKeyDown}>
      <h1>Editor</h1>
      <EditorGuide />
      <div className="ed-layout">
        <EditorSidebar
          tree={tree}
          openPath={file?.path}
          opening={opening}
          sources={sources}
          onNewWorkflow={() => guarded(() => setCreating(true))}
          onNewFile={newFile}
          onOpen={(path) => guarded(() => void load(path))}
          onOpenAt={(path, at) => openAt(path, at)}
        />
        <div className="ed-main">
          {openError && <ErrorState error={new Error(openError)} title="Could not open the file" />}
          {!file ? (
            <EmptyState title="Open a file or create a new one" />
          ) : (
            <>
              <EditorToolbar
                path={file.path}
                dirty={dirty}
                saved={file.hash !== undefined}
                saving={saving}
                running={preparing || (execute.isPending && !askParameters)}
                runLabel={definition ? `Run ${definition.exportName}` : "Run…"}
                onSave={onSave}
                onRun={onRun}
                onRename={() => setRenaming(true)}
                onDelete={() => setDeleting(true)}
              />
              {draftOffer?.path === file.path && (
                <DraftOffer
                  draft={draftOffer}
                  onRestore={() => show({ ...file, initial: draftOffer.content }, { restoredDraft: true })}
                  onDiscard={() => {
                    forgetDraft(file.path);
                    setDraftOffer(undefined);
                  }}
                />
              )}
              <Suspense fallback={<Spinner />}>
                <CodeEditor
                  key={file.version}
                  initial={file.initial}
                  at={file.at}
                  dark={theme === "dark"}
                  onChange={onChange}
                  onSave={onSave}
                  onRun={onRun}
                  onCursor={setCursor}
                  handleRef={editor}
                  typescript={editorTypeScript}
                />
              </Suspense>
              {typescript.error && (
                <p className="ed-muted">Type checking is not available: {typescript.error}</p>
              )}
              {runError && (
                <p className="ui-field__error" role="alert">
                  {runError}
                </p>
              )}
              {!askParameters && <ActionError error={execute.error} />}
              <SaveStatus
                save={save}
                path={file.path}
                onReload={() => void load(file.path)}
                onJump={editor}
              />
              {run && (
                <RunPanel
                  key={run.executionId}
                  executionId={run.executionId}
                  name={run.name}
                  onClose={() => setRun(undefined)}
                  onOpenSource={(place) => openAt(place.path, place)}
                />
              )}
            </>
          )}
        </div>
      </div>
      {askParameters && (
        <RunDialog
          key={askParameters.id}
          workflow={askParameters}
          busy={execute.isPending}
          apiErrors={apiErrors}
          apiMessage={execute.error ? errorMessage(execute.error) : undefined}
          onRun={(inputData) => start(askParameters, inputData)}
          onClose={() => setAskParameters(undefined)}
        />
      )}
      <DiscardDialog
        open={pendingSwitch !== undefined}
        path={file?.path}
        onKeep={() => setPendingSwitch(undefined)}
        onDiscard={() => {
          // The switch itself (a file shown) clears `dirty`; a cancelled one keeps the edits.
          forgetDraft(file?.path);
          const action = pendingSwitch;
          setPendingSwitch(undefined);
          action?.();
        }}
      />
      {file?.hash && renaming && (
        <RenameDialog
          path={file.path}
          onClose={() => setRenaming(false)}
          onRenamed={(result) => {
            setRenaming(false);
            setFile((current) =>
              current?.path === file.path ? { ...current, path: result.path, hash: result.hash } : current,
            );
            setSave({ kind: "saved", result });
            void queryClient.invalidateQueries({ queryKey: TREE_KEY });
            void queryClient.invalidateQueries({ queryKey: ["workflows"] });
          }}
        />
      )}
      <LeaveGuard dirty={dirty} path={file?.path} onDiscard={() => forgetDraft(file?.path)} />
      {creating && (
        <NewWorkflowDialog
          existing={existingPaths}
          onClose={() => setCreating(false)}
          onCreated={(created) => {
            setCreating(false);
            abandonOpening();
            show({ path: created.path, hash: created.hash, initial: created.content });
            void queryClient.invalidateQueries({ queryKey: TREE_KEY });
            void queryClient.invalidateQueries({ queryKey: ["workflows"] });
          }}
        />
      )}
      {namingFile && (
        <NewFileDialog existing={existingPaths} onCreate={createFile} onClose={() => setNamingFile(false)} />
      )}
      {choosing && (
        <ChooseDefinitionDialog
          definitions={choosing}
          onRun={(exportName) => void runDefinition(exportName)}
          onClose={() => setChoosing(undefined)}
        />
      )}
      {file && typescript.service && renameSymbol && (
        <RenameSymbolDialog
          service={typescript.service}
          path={file.path}
          pos={renameSymbol.pos}
          name={renameSymbol.name}
          sources={sources}
          hashes={new Map(tree.data?.files.map((f) => [f.path, f.hash]))}
          editOpenFile={(edits, text) => editor.current?.replaceRanges(edits, text)}
          onClose={() => setRenameSymbol(undefined)}
          onSaved={() => void queryClient.invalidateQueries({ queryKey: TREE_KEY })}
        />
      )}
      {file?.hash && deleting && (
        <DeleteDialog
          path={file.path}
          onClose={() => setDeleting(false)}
          onDeleted={() => {
            setDeleting(false);
            shown.current += 1;
            setFile(undefined);
            setDirty(false);
            setSave({ kind: "idle" });
            void queryClient.invalidateQueries({ queryKey: TREE_KEY });
            void queryClient.invalidateQueries({ queryKey: ["workflows"] });
          }}
        />
      )}
    </section>
  );
}
