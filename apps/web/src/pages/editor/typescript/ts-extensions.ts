import { autocompletion } from "@codemirror/autocomplete";
import { linter } from "@codemirror/lint";
import { StateEffect, StateField, type Extension } from "@codemirror/state";
import { EditorView, keymap, showTooltip, type Tooltip } from "@codemirror/view";
import {
  tsAutocompleteWorker,
  tsFacetWorker,
  tsHoverWorker,
  tsSyncWorker,
  type HoverInfo,
} from "@valtown/codemirror-ts";
import type { Location } from "./ts-worker.js";
import { toEnvPath } from "./paths.js";
import type { TypeScriptService } from "./ts-client.js";

/** What the page does for the editor: open another file at a place, ask for a new name. */
export type TypeScriptHandlers = {
  /** A definition in another workspace file (one in the open file moves the cursor itself). */
  openLocation: (location: Location) => void;
  /** F2 on a symbol: the page asks for the new name and applies the edits. */
  rename: (pos: number) => void;
};

const setSignature = StateEffect.define<Tooltip | null>();

/** The signature of the call the cursor is in, above the cursor, while it is there. */
const signatureField = StateField.define<Tooltip | null>({
  create: () => null,
  update(value, transaction) {
    for (const effect of transaction.effects) if (effect.is(setSignature)) return effect.value;
    // Typing moves the tooltip with the text until the next answer replaces it.
    return value && transaction.docChanged ? { ...value, pos: transaction.changes.mapPos(value.pos) } : value;
  },
  provide: (field) => showTooltip.from(field),
});

function signatureHelp(service: TypeScriptService, path: string): Extension {
  let asked = 0;
  return [
    signatureField,
    EditorView.updateListener.of((update) => {
      if (!update.docChanged && !update.selectionSet) return;
      const pos = update.state.selection.main.head;
      const question = ++asked;
      // After the document change reached the worker (tsSyncWorker sends it in this same update).
      void service.signatureHelp({ path, pos }).then((help) => {
        if (question !== asked) return;
        const tooltip: Tooltip | null = help && {
          pos,
          above: true,
          create: () => {
            const dom = document.createElement("div");
            dom.className = "ts-signature";
            const code = dom.appendChild(document.createElement("code"));
            const { text, active } = help;
            code.append(text.slice(0, active?.from ?? text.length));
            if (active) {
              const strong = code.appendChild(document.createElement("strong"));
              strong.textContent = text.slice(active.from, active.to);
              code.append(text.slice(active.to));
            }
            if (help.documentation)
              dom.appendChild(document.createElement("p")).textContent = help.documentation;
            return { dom };
          },
        };
        update.view.dispatch({ effects: setSignature.of(tooltip) });
      });
    }),
    keymap.of([
      {
        key: "Escape",
        run: (view) => {
          if (!view.state.field(signatureField)) return false;
          view.dispatch({ effects: setSignature.of(null) });
          return true;
        },
      },
    ]),
  ];
}

/** Hover: the type as TypeScript writes it, then the documentation (JSDoc) under it. */
function renderHover(info: HoverInfo) {
  const dom = document.createElement("div");
  dom.className = "ts-hover";
  const parts = info.quickInfo;
  const text = (list: Array<{ text: string }> | undefined) => (list ?? []).map((part) => part.text).join("");
  dom.appendChild(document.createElement("code")).textContent = text(parts?.displayParts);
  const documentation = text(parts?.documentation);
  if (documentation) dom.appendChild(document.createElement("p")).textContent = documentation;
  for (const tag of parts?.tags ?? []) {
    const line = dom.appendChild(document.createElement("p"));
    line.className = "ts-hover__tag";
    line.textContent = `@${tag.name} ${text(tag.text)}`;
  }
  return { dom };
}

async function goToDefinition(
  view: EditorView,
  service: TypeScriptService,
  path: string,
  pos: number,
  handlers: TypeScriptHandlers,
): Promise<void> {
  const location = await service.definition({ path, pos });
  if (!location) return;
  if (location.path !== path) return handlers.openLocation(location);
  view.dispatch({ selection: { anchor: location.offset }, scrollIntoView: true });
  view.focus();
}

/**
 * TypeScript in the editor for the workspace file `path`: its changes synced to the worker, type
 * errors underlined as warnings (saving still works: the platform compiles with esbuild),
 * completions, hover documentation, signature help, go to definition (F12 or Ctrl/Cmd+click) and
 * rename (F2).
 */
export function typescriptExtensions(
  service: TypeScriptService,
  path: string,
  handlers: TypeScriptHandlers,
): Extension[] {
  const envPath = toEnvPath(path);
  return [
    tsFacetWorker.of({ worker: service, path: envPath }),
    tsSyncWorker(),
    linter(
      async () =>
        (await service.getLints({ path: envPath, diagnosticCodesToIgnore: [] })).map((diagnostic) => ({
          ...diagnostic,
          severity: diagnostic.severity === "error" ? "warning" : diagnostic.severity,
        })),
      { delay: 300 },
    ),
    autocompletion({ override: [tsAutocompleteWorker()] }),
    tsHoverWorker({ renderTooltip: renderHover }),
    signatureHelp(service, path),
    keymap.of([
      {
        key: "F12",
        run: (view) => {
          void goToDefinition(view, service, path, view.state.selection.main.head, handlers);
          return true;
        },
      },
      {
        key: "F2",
        run: (view) => {
          handlers.rename(view.state.selection.main.head);
          return true;
        },
      },
    ]),
    EditorView.domEventHandlers({
      mousedown(event, view) {
        if (!(event.ctrlKey || event.metaKey) || event.button !== 0) return false;
        const pos = view.posAtCoords({ x: event.clientX, y: event.clientY });
        if (pos === null) return false;
        event.preventDefault();
        void goToDefinition(view, service, path, pos, handlers);
        return true;
      },
    }),
  ];
}
