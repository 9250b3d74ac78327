import { javascript } from "@codemirror/lang-javascript";
import { Compartment } from "@codemirror/state";
import { basicSetup, EditorView } from "codemirror";
import { useEffect, useRef } from "react";
import { accessibleDark } from "./dark-theme.js";
import type { TypeScriptService } from "./typescript/ts-client.js";
import { typescriptExtensions, type TypeScriptHandlers } from "./typescript/ts-extensions.js";

/** What the page can do with the editor once it is mounted. */
export type CodeEditorHandle = {
  jumpTo: (line: number, column: number) => void;
  /** The cursor's offset in the document. */
  cursor: () => number;
  /** The identifier at `pos`, if any. */
  wordAt: (pos: number) => string | undefined;
  /** Replaces each range by `text` in one change (a rename), undone as one. */
  replaceRanges: (ranges: ReadonlyArray<{ from: number; to: number }>, text: string) => void;
};

/** The language service for the open file, once it is ready (issue 25). */
export type EditorTypeScript = { service: TypeScriptService; path: string; handlers: TypeScriptHandlers };

type Props = {
  /** The document when the editor mounts (a new file remounts it: give it a `key`). */
  initial: string;
  /** Where the cursor starts (a definition or a search result opened the file there). */
  at?: { line: number; column: number } | undefined;
  dark: boolean;
  onChange: (content: string) => void;
  onSave: () => void;
  /** Ctrl/Cmd+Enter: run the definition under the cursor. */
  onRun: () => void;
  /** The cursor moved (or the text changed): its offset. */
  onCursor: (offset: number) => void;
  handleRef: { current: CodeEditorHandle | null };
  typescript: EditorTypeScript | null;
};

/** CodeMirror 6 with TypeScript highlighting; loaded on demand (not in the initial bundle). */
export function CodeEditor({
  initial,
  at,
  dark,
  onChange,
  onSave,
  onRun,
  onCursor,
  handleRef,
  typescript,
}: Props) {
  const host = useRef<HTMLDivElement>(null);
  const view$ = useRef<EditorView | null>(null);
  const language = useRef(new Compartment());
  const callbacks = useRef({ onChange, onSave, onRun, onCursor });
  useEffect(() => {
    callbacks.current = { onChange, onSave, onRun, onCursor };
  }, [onChange, onSave, onRun, onCursor]);
  const doc = useRef(initial);
  const startAt = useRef(at);

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
        language.current.of([]),
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
      wordAt(pos) {
        const word = view.state.wordAt(pos);
        return word ? view.state.sliceDoc(word.from, word.to) : undefined;
      },
      replaceRanges(ranges, text) {
        view.dispatch({ changes: ranges.map((range) => ({ ...range, insert: text })) });
      },
    };
    view$.current = view;
    if (startAt.current) {
      handleRef.current.jumpTo(startAt.current.line, startAt.current.column);
      startAt.current = undefined;
    }
    return () => {
      handleRef.current = null;
      view$.current = null;
      view.destroy();
    };
  }, [dark, handleRef]);

  // The language service joins when it is ready (and the view is not rebuilt for it).
  useEffect(() => {
    const view = view$.current;
    if (!view) return;
    view.dispatch({
      effects: language.current.reconfigure(
        typescript ? typescriptExtensions(typescript.service, typescript.path, typescript.handlers) : [],
      ),
    });
  }, [typescript, dark]);

  return <div className="ed-code" ref={host} />;
}
