import { javascript } from "@codemirror/lang-javascript";
import { oneDark } from "@codemirror/theme-one-dark";
import { basicSetup, EditorView } from "codemirror";
import { useEffect, useRef } from "react";

/** What the page can do with the editor once it is mounted. */
export type CodeEditorHandle = { jumpTo: (line: number, column: number) => void };

type Props = {
  /** The document when the editor mounts (a new file remounts it: give it a `key`). */
  initial: string;
  dark: boolean;
  onChange: (content: string) => void;
  onSave: () => void;
  handleRef: { current: CodeEditorHandle | null };
};

/** CodeMirror 6 with TypeScript highlighting; loaded on demand (not in the initial bundle). */
export function CodeEditor({ initial, dark, onChange, onSave, handleRef }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const callbacks = useRef({ onChange, onSave });
  useEffect(() => {
    callbacks.current = { onChange, onSave };
  }, [onChange, onSave]);
  const doc = useRef(initial);

  useEffect(() => {
    if (!host.current) return;
    const view = new EditorView({
      parent: host.current,
      doc: doc.current,
      extensions: [
        basicSetup,
        javascript({ typescript: true }),
        ...(dark ? [oneDark] : []),
        EditorView.contentAttributes.of({ "aria-label": "File content" }),
        EditorView.updateListener.of((update) => {
          if (!update.docChanged) return;
          doc.current = update.state.doc.toString();
          callbacks.current.onChange(doc.current);
        }),
        EditorView.domEventHandlers({
          keydown(event) {
            if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") {
              event.preventDefault();
              callbacks.current.onSave();
              return true;
            }
            return false;
          },
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
    };
    return () => {
      handleRef.current = null;
      view.destroy();
    };
  }, [dark, handleRef]);

  return <div className="ed-code" ref={host} />;
}
