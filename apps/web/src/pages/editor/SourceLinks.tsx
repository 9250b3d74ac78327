/** A workspace place in a run's error or log: `flows/a.ts:8:31` (what the source-mapped stack says). */
const PLACE = /([\w./-]+\.ts):(\d+):(\d+)/g;

export type SourcePlace = { path: string; line: number; column: number };

/**
 * `text` with every `file.ts:line:column` of it as a button that opens the file at that place in the
 * editor (issue 26: the line shown matches the editor's, and clicking it moves the cursor there).
 */
export function SourceLinks({ text, onOpen }: { text: string; onOpen: (place: SourcePlace) => void }) {
  const parts: Array<string | (SourcePlace & { label: string })> = [];
  let last = 0;
  for (const match of text.matchAll(PLACE)) {
    parts.push(text.slice(last, match.index));
    parts.push({ path: match[1] ?? "", line: Number(match[2]), column: Number(match[3]), label: match[0] });
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return (
    <>
      {parts.map((part, index) =>
        typeof part === "string" ? (
          part
        ) : (
          <button
            key={index}
            type="button"
            className="ed-source-link"
            title={`Open ${part.path} at line ${part.line}`}
            onClick={() => onOpen(part)}
          >
            {part.label}
          </button>
        ),
      )}
    </>
  );
}
