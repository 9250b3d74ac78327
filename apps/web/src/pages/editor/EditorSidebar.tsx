import type { WorkspaceTree } from "@bifrost/contracts";
import type { UseQueryResult } from "@tanstack/react-query";
import { Button, QueryView } from "../../components/ui/index.js";
import { FindInFiles } from "./FindInFiles.js";

/** The editor's side: new workflow or file, the workspace's files, find in files. */
export function EditorSidebar({
  tree,
  openPath,
  opening,
  sources,
  onNewWorkflow,
  onNewFile,
  onOpen,
  onOpenAt,
}: {
  tree: UseQueryResult<WorkspaceTree>;
  openPath: string | undefined;
  /** The file being opened (its button waits). */
  opening: string | undefined;
  sources: ReadonlyMap<string, string>;
  onNewWorkflow: () => void;
  onNewFile: () => void;
  /** Another file clicked (the page asks first when the open one has unsaved changes). */
  onOpen: (path: string) => void;
  onOpenAt: (path: string, at: { line: number; column: number }) => void;
}) {
  return (
    <nav className="ed-tree" aria-label="Workspace files">
      <div className="ed-tree__actions">
        <Button variant="primary" onClick={onNewWorkflow}>
          New workflow
        </Button>
        <Button onClick={onNewFile}>New file</Button>
      </div>
      <QueryView
        query={tree}
        what="the workspace files"
        isEmpty={(data) => data.files.length === 0}
        empty="No files yet"
        emptyHint={<p>Start with New workflow: pick a template, it is ready to run.</p>}
      >
        {(data) => (
          <ul>
            {data.files.map((entry) => (
              <li key={entry.path}>
                <button
                  type="button"
                  className="ed-tree__file"
                  aria-current={openPath === entry.path ? "true" : undefined}
                  onClick={() => {
                    if (openPath !== entry.path) onOpen(entry.path);
                  }}
                  disabled={opening === entry.path}
                >
                  {entry.path}
                </button>
              </li>
            ))}
          </ul>
        )}
      </QueryView>
      <FindInFiles sources={sources} onOpen={(match) => onOpenAt(match.path, match)} />
    </nav>
  );
}
