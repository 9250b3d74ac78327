/** The editor page's dialogs (rename, delete) and its save status and diagnostics list. */
import type { Diagnostic, WriteWorkspaceFileResult } from "@bifrost/contracts";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { apiFetch } from "../../api/client.js";
import { ActionError, Button, ConfirmDialog, Dialog, Field, Input } from "../../components/ui/index.js";
import type { CodeEditorHandle } from "./CodeEditor.js";
import "./editor.css";

/** Where the last save of the open file got. */
export type SaveState =
  | { kind: "idle" }
  | { kind: "saved"; result: WriteWorkspaceFileResult }
  | { kind: "conflict" }
  | { kind: "invalid"; diagnostics: Diagnostic[] }
  | { kind: "error"; message: string };

export function RenameDialog({
  path,
  onClose,
  onRenamed,
}: {
  path: string;
  onClose: () => void;
  onRenamed: (result: WriteWorkspaceFileResult) => void;
}) {
  const rename = useMutation({
    mutationFn: (to: string) =>
      apiFetch<WriteWorkspaceFileResult>("/api/files/editor/rename", {
        method: "POST",
        body: { from: path, to },
      }),
    onSuccess: onRenamed,
  });
  return (
    <RenameForm
      title={`Rename ${path}`}
      description="Its workflows are registered again under the new path."
      label="New path"
      current={path}
      busy={rename.isPending}
      error={rename.error}
      onRename={(to) => rename.mutate(to)}
      onClose={onClose}
    />
  );
}

/** A dialog asking for a new name (a file's path, a symbol's name): Rename once it differs. */
export function RenameForm({
  title,
  description,
  label,
  current,
  busy,
  error,
  onRename,
  onClose,
}: {
  title: string;
  description: string;
  label: string;
  current: string;
  busy: boolean;
  error: unknown;
  onRename: (to: string) => void;
  onClose: () => void;
}) {
  const [to, setTo] = useState(current);
  return (
    <Dialog open onOpenChange={(open) => !open && onClose()} title={title} description={description}>
      <form
        className="ed-dialog-form"
        onSubmit={(event) => {
          event.preventDefault();
          onRename(to.trim());
        }}
      >
        <Field label={label}>
          {(ids) => <Input {...ids} value={to} onChange={(e) => setTo(e.target.value)} required autoFocus />}
        </Field>
        <ActionError error={error} />
        <div className="ui-dialog__footer">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={busy} disabled={!to.trim() || to.trim() === current}>
            Rename
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

export function EditorToolbar({
  path,
  dirty,
  saved,
  saving,
  running,
  runLabel,
  onSave,
  onRun,
  onRename,
  onDelete,
}: {
  path: string;
  dirty: boolean;
  /** The file exists on the platform (a new one cannot be renamed or deleted yet). */
  saved: boolean;
  saving: boolean;
  running: boolean;
  runLabel: string;
  onSave: () => void;
  onRun: () => void;
  onRename: () => void;
  onDelete: () => void;
}) {
  return (
    <div className="ed-toolbar">
      <span className="ed-path">
        {path}
        {dirty && (
          <span className="ed-muted" title="Unsaved changes">
            {" "}
            (unsaved)
          </span>
        )}
      </span>
      <div className="ed-actions">
        <Button variant="primary" busy={saving} onClick={onSave}>
          Save
        </Button>
        <Button
          onClick={onRun}
          busy={running}
          title="Ctrl/Cmd+Enter"
          aria-keyshortcuts="Control+Enter Meta+Enter"
        >
          {runLabel}
        </Button>
        <Button onClick={onRename} disabled={!saved}>
          Rename
        </Button>
        <Button variant="danger" onClick={onDelete} disabled={!saved}>
          Delete
        </Button>
      </div>
    </div>
  );
}

/** Switching away from unsaved changes: keep editing, or discard them and go on. */
export function DiscardDialog({
  open,
  path,
  onKeep,
  onDiscard,
}: {
  open: boolean;
  path: string | undefined;
  onKeep: () => void;
  onDiscard: () => void;
}) {
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => !next && onKeep()}
      title="Discard unsaved changes?"
      description={`${path ?? "The file"} has changes that are not saved.`}
      footer={
        <>
          <Button onClick={onKeep}>Keep editing</Button>
          <Button variant="danger" onClick={onDiscard}>
            Discard changes
          </Button>
        </>
      }
    />
  );
}

export function DeleteDialog({
  path,
  onClose,
  onDeleted,
}: {
  path: string;
  onClose: () => void;
  onDeleted: () => void;
}) {
  const remove = useMutation({
    mutationFn: () =>
      apiFetch<unknown>(`/api/files/editor?path=${encodeURIComponent(path)}`, { method: "DELETE" }),
    onSuccess: onDeleted,
  });
  return (
    <ConfirmDialog
      open
      title={`Delete ${path}?`}
      description="The file is removed from the workspace and its workflows become inactive."
      confirmLabel="Delete file"
      busy={remove.isPending}
      error={remove.error}
      onConfirm={() => remove.mutate()}
      onCancel={onClose}
    />
  );
}

export function SaveStatus({
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
                    <span className="ed-muted">({w.type})</span>
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
