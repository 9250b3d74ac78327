import { useState } from "react";
import { Button, Card, Dialog, Field, Input } from "../../components/ui/index.js";
import type { Definition } from "./definitions.js";
import type { Draft } from "./drafts.js";

/** Run with the cursor outside every definition of a file that has several: which one. */
export function ChooseDefinitionDialog({
  definitions,
  onRun,
  onClose,
}: {
  definitions: readonly Definition[];
  onRun: (exportName: string) => void;
  onClose: () => void;
}) {
  return (
    <Dialog
      open
      onOpenChange={(open) => !open && onClose()}
      title="Which one to run?"
      description="The cursor is in none of this file's definitions (Ctrl/Cmd+Enter inside one runs it)."
    >
      <ul className="ed-choose">
        {definitions.map((definition) => (
          <li key={definition.exportName}>
            <Button onClick={() => onRun(definition.exportName)}>Run {definition.exportName}</Button>
          </li>
        ))}
      </ul>
    </Dialog>
  );
}

/** Changes of the file this browser kept but never saved (drafts.ts): restore them or drop them. */
export function DraftOffer({
  draft,
  onRestore,
  onDiscard,
}: {
  draft: Draft & { path: string };
  onRestore: () => void;
  onDiscard: () => void;
}) {
  return (
    <div className="ed-draft" role="status">
      <p>
        Unsaved changes to {draft.path} from {new Date(draft.savedAt).toLocaleString()} were kept in this
        browser.
      </p>
      <Button variant="primary" onClick={onRestore}>
        Restore the draft
      </Button>
      <Button onClick={onDiscard}>Discard it</Button>
    </div>
  );
}

/** "New file": its path in the workspace (a `.ts` file is compiled and registered when saved). */
export function NewFileDialog({
  existing,
  onCreate,
  onClose,
}: {
  existing: ReadonlySet<string>;
  onCreate: (path: string) => void;
  onClose: () => void;
}) {
  const [path, setPath] = useState("");
  const trimmed = path.trim().replace(/^\/+/, "");
  const problem = !trimmed
    ? undefined
    : existing.has(trimmed)
      ? `${trimmed} already exists: open it from the list`
      : trimmed.split("/").some((part) => part === "" || part === "." || part === "..")
        ? "A path inside the workspace, like workflows/hello.ts"
        : undefined;
  return (
    <Dialog
      open
      onOpenChange={(open) => !open && onClose()}
      title="New file"
      description="An empty file; a .ts file's workflows are registered when you save it."
    >
      <form
        className="ed-dialog-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (trimmed && !problem) onCreate(trimmed);
        }}
      >
        <Field label="Path" error={problem}>
          {(ids) => (
            <Input
              {...ids}
              value={path}
              onChange={(event) => setPath(event.target.value)}
              placeholder="workflows/hello.ts"
              required
              autoFocus
            />
          )}
        </Field>
        <div className="ui-dialog__footer">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={!trimmed || !!problem}>
            Create
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

const GUIDE_KEY = "bifrost.editor.guide";

/** A short guide on the editor's first open in this browser, until it is dismissed. */
export function EditorGuide() {
  const [shown, setShown] = useState(() => localStorage.getItem(GUIDE_KEY) !== "dismissed");
  if (!shown) return null;
  return (
    <Card
      className="ed-guide"
      title="Getting started"
      actions={
        <Button
          variant="ghost"
          onClick={() => {
            localStorage.setItem(GUIDE_KEY, "dismissed");
            setShown(false);
          }}
        >
          Got it
        </Button>
      }
    >
      <ol>
        <li>
          <strong>New workflow</strong> starts from a template; it is saved and registered at once.
        </li>
        <li>
          <strong>Save</strong> (Ctrl/Cmd+S) compiles the file; errors show where they are.
        </li>
        <li>
          <strong>Run</strong> (Ctrl/Cmd+Enter) runs the workflow under the cursor; its log shows live below.
        </li>
        <li>
          Type <code>ctx.</code> for completions; hover for documentation; F12 goes to a definition, F2
          renames.
        </li>
      </ol>
    </Card>
  );
}
