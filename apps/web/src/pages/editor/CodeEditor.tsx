import { javascript } from "@codemirror/lang-javascript";
import { basicSetup, EditorView } from "codemirror";
import { useEffect, useRef } from "react";
import { accessibleDark } from "./dark-theme.js";

/** What the page can do with the editor once it is mounted. */
export type CodeEditorHandle = {
  jumpTo: (line: number, column: number) => void;
  /** The cursor's offset in the document. */
  cursor: () => number;
};

type Props = {
  /** The document when the editor mounts (a new file remounts it: give it a `key`). */
  initial: string;
  dark: boolean;
  onChange: (content: string) => void;
  onSave: () => void;
  /** Ctrl/Cmd+Enter: run the definition under the cursor. */
  onRun: () => void;
  /** The cursor moved (or the text changed): its offset. */
  onCursor: (offset: number) => void;
  handleRef: { current: CodeEditorHandle | null };
};

/** CodeMirror 6 with TypeScript highlighting; loaded on demand (not in the initial bundle). */
export function CodeEditor({ initial, dark, onChange, onSave, onRun, onCursor, handleRef }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const callbacks = useRef({ onChange, onSave, onRun, onCursor });
  useEffect(() => {
    callbacks.current = { onChange, onSave, onRun, onCursor };
  }, [onChange, onSave, onRun, onCursor]);
  const doc = useRef(initial);

  useEffect(() => {
    if (!host.current) return;
    const view = new EditorView({
      parent: host.current,
      doc: doc.current,
      extensions: [
        // Before basicSetup: its keymap binds Mod-Enter (insert a blank line) and would win.
        EditorView.domEventHandlers({
          keydown(event) {
            if (!(event.ctrlKey || event.metaKey)) return false;
            const key = event.key.toLowerCase();
            if (key === "s") {
              event.preventDefault();
              callbacks.current.onSave();
              return true;
            }
            if (key === "enter") {
              event.preventDefault();
              callbacks.current.onRun();
              return true;
            }
            return false;
          },
        }),
        basicSetup,
        javascript({ typescript: true }),
        ...(dark ? accessibleDark : []),
        // tabindex: axe counts the editable content as the scroller's keyboard access (it is focusable anyway).
        EditorView.contentAttributes.of({ "aria-label": "File content", tabindex: "0" }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) {
            doc.current = update.state.doc.toString();
            callbacks.current.onChange(doc.current);
          }
          if (update.docChanged || update.selectionSet) {
            callbacks.current.onCursor(update.state.selection.main.head);
          }
        }),
      ],
    });
    handleRef.current = {
      jumpTo(line, column) {
        const lines = view.state.doc.lines;
        const target = view.state.doc.line(Math.min(Math.max(line, 1), lines));
        const anchor = Math.min(target.from + Math.max(column - 1, 0), target.to);
        view.dispatch({ selection: { anchor }, scrollIntoView: true });
        view.focus();
      },
      cursor: () => view.state.selection.main.head,
    };
    return () => {
      handleRef.current = null;
      view.destroy();
    };
  }, [dark, handleRef]);

  return <div className="ed-code" ref={host} />;
}
