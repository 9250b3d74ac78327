import { Button, Dialog } from "../../components/ui/index.js";
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
