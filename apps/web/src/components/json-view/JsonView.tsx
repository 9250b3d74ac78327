import { useState } from "react";
import "./json-view.css";

const PAGE = 100;

/**
 * A collapsible JSON tree. Children render only when their node is open, and long arrays or
 * objects show 100 entries at a time, so a large result costs only what is on screen.
 */
export function JsonView({ value, label = "JSON" }: { value: unknown; label?: string }) {
  return (
    <div className="json-view" role="tree" aria-label={label}>
      <JsonNode name={null} value={value} depth={0} />
    </div>
  );
}

function JsonNode({ name, value, depth }: { name: string | null; value: unknown; depth: number }) {
  const [open, setOpen] = useState(depth < 2);
  const [shown, setShown] = useState(PAGE);
  const key = name === null ? null : <span className="json-key">{name}: </span>;
  if (value === null || typeof value !== "object") {
    return (
      <div className="json-leaf" role="treeitem" aria-selected={false}>
        {key}
        <Scalar value={value} />
      </div>
    );
  }
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : Object.entries(value as Record<string, unknown>);
  const brackets = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  return (
    <div className="json-branch" role="treeitem" aria-expanded={open} aria-selected={false}>
      <button type="button" className="json-toggle" onClick={() => setOpen(!open)}>
        <span aria-hidden="true">{open ? "▾" : "▸"}</span> {key}
        {brackets[0]}
        {!open && `… ${entries.length} ${entries.length === 1 ? "entry" : "entries"}${brackets[1]}`}
      </button>
      {open && (
        <div className="json-children" role="group">
          {entries.slice(0, shown).map(([k, v]) => (
            <JsonNode key={k} name={k} value={v} depth={depth + 1} />
          ))}
          {entries.length > shown && (
            <button type="button" className="json-more" onClick={() => setShown(shown + PAGE * 10)}>
              Show more ({entries.length - shown} left)
            </button>
          )}
          <span>{brackets[1]}</span>
        </div>
      )}
    </div>
  );
}

function Scalar({ value }: { value: unknown }) {
  if (typeof value === "string") return <span className="json-string">{JSON.stringify(value)}</span>;
  if (typeof value === "number") return <span className="json-number">{value}</span>;
  if (typeof value === "boolean") return <span className="json-boolean">{String(value)}</span>;
  return <span className="json-null">null</span>;
}
