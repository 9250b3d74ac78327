import type { Workflow } from "@bifrost/contracts";
import { useMemo, useState } from "react";
import { Link } from "react-router";
import {
  Badge,
  Card,
  Field,
  Input,
  LoadMore,
  EmptyState,
  Options,
  QueryView,
  Select,
} from "../../components/ui/index.js";
import { useAuth } from "../../shell/auth.js";
import { useWorkflows } from "./queries.js";
import "./workflows.css";

const TYPES: { value: Workflow["type"] | ""; label: string }[] = [
  { value: "", label: "All types" },
  { value: "workflow", label: "Workflows" },
  { value: "tool", label: "Tools" },
  { value: "data_provider", label: "Data providers" },
];

export function WorkflowListPage() {
  const workflows = useWorkflows();
  const { isPlatformAdmin } = useAuth();
  const [search, setSearch] = useState("");
  const [type, setType] = useState<Workflow["type"] | "">("");
  const [category, setCategory] = useState("");
  const items = useMemo(() => workflows.data?.pages.flatMap((page) => page.items) ?? [], [workflows.data]);
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
        <Field label="Search workflows">
          {(ids) => (
            <Input
              {...ids}
              type="search"
              className="wf-search"
              placeholder="Search by name, description or tag"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
            />
          )}
        </Field>
        <Field label="Type">
          {(ids) => (
            <Select {...ids} value={type} onChange={(e) => setType(e.target.value as Workflow["type"] | "")}>
              {TYPES.map((t) => (
                <option key={t.value} value={t.value}>
                  {t.label}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field label="Category">
          {(ids) => (
            <Select {...ids} value={category} onChange={(e) => setCategory(e.target.value)}>
              <option value="">All categories</option>
              <Options values={categories} />
            </Select>
          )}
        </Field>
      </div>
      <QueryView
        query={workflows}
        what="the workflows"
        isEmpty={() => items.length === 0}
        empty="No workflows yet."
        emptyHint={
          isPlatformAdmin ? (
            <p>
              <Link to="/editor?new=workflow">Create your first workflow</Link> from a template in the editor.
            </p>
          ) : (
            <p>Your administrators have not shared any with you yet.</p>
          )
        }
      >
        {() =>
          shown.length === 0 ? (
            <EmptyState title="No workflow matches." />
          ) : (
            <ul className="wf-list">
              {shown.map((w) => (
                <li key={w.id}>
                  <Card
                    className="wf-card"
                    title={
                      <Link to={`/workflows/${w.id}`} className="wf-name">
                        {w.name}
                      </Link>
                    }
                    actions={
                      w.isActive && (
                        <Link
                          to={`/workflows/${w.id}/run`}
                          className="ui-button ui-button--primary"
                          aria-label={`Run ${w.name}`}
                        >
                          Run
                        </Link>
                      )
                    }
                  >
                    <div className="wf-badges">
                      <Badge>{w.type.replace("_", " ")}</Badge>
                      {w.category && <Badge tone="info">{w.category}</Badge>}
                      {!w.isActive && <Badge tone="danger">inactive</Badge>}
                    </div>
                    {w.description && <p className="wf-description">{w.description}</p>}
                  </Card>
                </li>
              ))}
            </ul>
          )
        }
      </QueryView>
      <LoadMore query={workflows} />
    </section>
  );
}
