import type { Workflow } from "@bifrost/contracts";
import { useMemo, useState } from "react";
import { Link } from "react-router";
import { messageOf, useWorkflows } from "./queries.js";
import "./workflows.css";

const TYPES: { value: Workflow["type"] | ""; label: string }[] = [
  { value: "", label: "All types" },
  { value: "workflow", label: "Workflows" },
  { value: "tool", label: "Tools" },
  { value: "data_provider", label: "Data providers" },
];

export function WorkflowListPage() {
  const workflows = useWorkflows();
  const [search, setSearch] = useState("");
  const [type, setType] = useState<Workflow["type"] | "">("");
  const [category, setCategory] = useState("");
  const items = useMemo(() => workflows.data?.items ?? [], [workflows.data]);
  const categories = useMemo(
    () => [...new Set(items.map((w) => w.category).filter((c): c is string => !!c))].sort(),
    [items],
  );
  const needle = search.trim().toLowerCase();
  const shown = items.filter(
    (w) =>
      (!type || w.type === type) &&
      (!category || w.category === category) &&
      (!needle ||
        w.name.toLowerCase().includes(needle) ||
        (w.description ?? "").toLowerCase().includes(needle) ||
        w.tags.some((t) => t.toLowerCase().includes(needle))),
  );

  return (
    <section className="wf-page">
      <h1>Workflows</h1>
      <div className="wf-filters" role="search">
        <label>
          <span className="visually-hidden">Search workflows</span>
          <input
            type="search"
            placeholder="Search by name, description or tag"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        </label>
        <label>
          <span className="visually-hidden">Type</span>
          <select value={type} onChange={(e) => setType(e.target.value as Workflow["type"] | "")}>
            {TYPES.map((t) => (
              <option key={t.value} value={t.value}>
                {t.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span className="visually-hidden">Category</span>
          <select value={category} onChange={(e) => setCategory(e.target.value)}>
            <option value="">All categories</option>
            {categories.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
      </div>
      {workflows.isPending ? (
        <p className="wf-state" role="status">
          Loading workflows…
        </p>
      ) : workflows.isError ? (
        <p className="wf-state wf-error" role="alert">
          Could not load the workflows: {messageOf(workflows.error)}
        </p>
      ) : shown.length === 0 ? (
        <p className="wf-state">
          {items.length === 0 ? "No workflows yet. Write one in the workspace." : "No workflow matches."}
        </p>
      ) : (
        <ul className="wf-list">
          {shown.map((w) => (
            <li key={w.id} className="wf-card">
              <div className="wf-card-head">
                <Link to={`/workflows/${w.id}`} className="wf-name">
                  {w.name}
                </Link>
                <span className="wf-tag">{w.type.replace("_", " ")}</span>
                {w.category && <span className="wf-tag">{w.category}</span>}
                {!w.isActive && <span className="wf-tag wf-inactive">inactive</span>}
              </div>
              {w.description && <p className="wf-description">{w.description}</p>}
              {w.isActive && (
                <Link to={`/workflows/${w.id}/run`} className="wf-run-link" aria-label={`Run ${w.name}`}>
                  Run
                </Link>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
