/**
 * Where a workflow's code runs from — `<compiledRoot>/<version>/flows/a.mjs`, mapped back by its
 * source map to `<compiledRoot>/<version>/flows/a.ts` — is the worker's business: the author knows
 * `flows/a.ts`. This rewrites those paths (plain or as `file://` URLs) in a stack or a message to the
 * workspace path, so an error says `flows/a.ts:8:31` with the editor's line and column.
 */
export function workspacePaths(compiledRoot: string | undefined): (text: string) => string {
  if (!compiledRoot) return (text) => text;
  const root = compiledRoot.replace(/\/+$/, "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = new RegExp(`(?:file://)?${root}/[^/\\s:()]+/`, "g");
  return (text) => text.replace(pattern, "");
}

/** The first `path.ts:line:column` of a workspace file in a (rewritten) stack, if any. */
export function firstWorkspaceFrame(stack: string): string | undefined {
  for (const line of stack.split("\n")) {
    if (!line.trimStart().startsWith("at ")) continue;
    const found = /\(?([^\s()]+\.ts):(\d+):(\d+)\)?\s*$/.exec(line);
    if (found && !found[1]?.startsWith("/") && !found[1]?.includes("://"))
      return `${found[1]}:${found[2]}:${found[3]}`;
  }
  return undefined;
}
