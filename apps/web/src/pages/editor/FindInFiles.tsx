import { useDeferredValue, useMemo, useState } from "react";
import { Field, Input } from "../../components/ui/index.js";

/** At most this many matches are listed; the count says when there are more. */
const MAX_MATCHES = 200;

export type Match = { path: string; line: number; column: number; text: string };

/**
 * Every line matching `query` in the files, in path order: a piece of text (case-insensitive), or a
 * regular expression (JavaScript's syntax, case-sensitive).
 */
function findMatches(
  sources: ReadonlyMap<string, string>,
  query: string,
  regex: boolean,
): { matches: Match[]; total: number } | { error: string } {
  if (!query) return { matches: [], total: 0 };
  let pattern: RegExp;
  try {
    pattern = regex ? new RegExp(query) : new RegExp(query.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "i");
  } catch (error) {
    return { error: `Not a regular expression: ${(error as Error).message}` };
  }
  const matches: Match[] = [];
  let total = 0;
  for (const path of [...sources.keys()].sort()) {
    const lines = (sources.get(path) ?? "").split("\n");
    lines.forEach((text, index) => {
      const found = pattern.exec(text);
      if (!found) return;
      total += 1;
      if (matches.length < MAX_MATCHES)
        matches.push({ path, line: index + 1, column: found.index + 1, text: text.trim().slice(0, 200) });
    });
  }
  return { matches, total };
}

/** Find in files: text or a regular expression over the saved workspace; a result opens its line. */
export function FindInFiles({
  sources,
  onOpen,
}: {
  sources: ReadonlyMap<string, string>;
  onOpen: (match: Match) => void;
}) {
  const [query, setQuery] = useState("");
  const [regex, setRegex] = useState(false);
  const deferred = useDeferredValue(query);
  const found = useMemo(() => findMatches(sources, deferred, regex), [sources, deferred, regex]);
  return (
    <section className="ed-find" aria-label="Find in files">
      <Field label="Find in files">
        {(ids) => (
          <Input {...ids} type="search" value={query} onChange={(event) => setQuery(event.target.value)} />
        )}
      </Field>
      <label className="ed-find__option">
        <input type="checkbox" checked={regex} onChange={(event) => setRegex(event.target.checked)} /> Regular
        expression
      </label>
      {"error" in found ? (
        <p className="ui-field__error" role="alert">
          {found.error}
        </p>
      ) : (
        deferred && (
          <>
            <p className="ed-muted" role="status">
              {found.total === 0
                ? "No matches"
                : found.total > found.matches.length
                  ? `${found.total} matches (first ${found.matches.length} shown)`
                  : `${found.total} ${found.total === 1 ? "match" : "matches"}`}
            </p>
            <ul className="ed-find__results">
              {found.matches.map((match) => (
                <li key={`${match.path}:${match.line}`}>
                  <button type="button" className="ed-find__match" onClick={() => onOpen(match)}>
                    <span className="ed-find__where">
                      {match.path}:{match.line}
                    </span>
                    <code>{match.text}</code>
                  </button>
                </li>
              ))}
            </ul>
          </>
        )
      )}
    </section>
  );
}
