/**
 * Unsaved editor changes kept in this browser (issue 26: "a local draft per file that survives a
 * reload or a crash, offered back on open"): per signed-in user and file, written a moment after
 * each change, dropped when the file is saved or its changes are discarded.
 */
export type Draft = { content: string; savedAt: number };

const PREFIX = "bifrost.editor.draft:";
const WRITE_AFTER_MS = 300;
const keyOf = (userId: string, path: string): string => `${PREFIX}${userId}:${path}`;
const pending = new Map<string, ReturnType<typeof setTimeout>>();

export function writeDraft(userId: string, path: string, content: string): void {
  const key = keyOf(userId, path);
  clearTimeout(pending.get(key));
  pending.set(
    key,
    setTimeout(() => {
      pending.delete(key);
      try {
        localStorage.setItem(key, JSON.stringify({ content, savedAt: Date.now() } satisfies Draft));
      } catch {
        // Storage full or refused: the page's own guards still ask before leaving.
      }
    }, WRITE_AFTER_MS),
  );
}

export function readDraft(userId: string, path: string): Draft | undefined {
  try {
    const raw = localStorage.getItem(keyOf(userId, path));
    const draft = raw ? (JSON.parse(raw) as Partial<Draft>) : undefined;
    return typeof draft?.content === "string" && typeof draft.savedAt === "number"
      ? { content: draft.content, savedAt: draft.savedAt }
      : undefined;
  } catch {
    return undefined;
  }
}

export function dropDraft(userId: string, path: string): void {
  const key = keyOf(userId, path);
  clearTimeout(pending.get(key));
  pending.delete(key);
  localStorage.removeItem(key);
}
