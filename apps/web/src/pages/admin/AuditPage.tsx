import type { AuditEntry } from "@bifrost/contracts";
import { useState, type FormEvent } from "react";
import { useSearchParams } from "react-router";
import { Button, Field, Input } from "../../components/ui/index.js";
import "./admin.css";
import { filtersFromUrl, filtersToUrl, useFilteredAudit, type AuditFilters } from "./audit-filters.js";
import { AdminTable } from "./collection.js";

/** The kinds of resource the API names (`resourceName`); others show their id. */
function resource(entry: AuditEntry) {
  const label = entry.resourceName ?? entry.resourceId;
  return (
    <span title={entry.resourceId ?? undefined}>
      {entry.resourceType}
      {label ? ` ${label}` : ""}
    </span>
  );
}

function actor(entry: AuditEntry) {
  if (!entry.actorId && !entry.actorEmail) return "system";
  const title = [entry.actorEmail, entry.actorId].filter(Boolean).join(" · ");
  return <span title={title}>{entry.actorName ?? entry.actorEmail ?? entry.actorId}</span>;
}

function organization(entry: AuditEntry) {
  if (!entry.organizationId) return "—";
  return <span title={entry.organizationId}>{entry.organizationName ?? entry.organizationId}</span>;
}

function FilterForm({ applied, onApply }: { applied: AuditFilters; onApply: (f: AuditFilters) => void }) {
  const [draft, setDraft] = useState(applied);
  const set = (name: keyof AuditFilters) => (event: { target: { value: string } }) =>
    setDraft((current) => ({ ...current, [name]: event.target.value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply(draft);
  };
  const empty: AuditFilters = { actor: "", action: "", from: "", to: "" };
  return (
    <form className="admin-actions" role="search" aria-label="Filter the audit log" onSubmit={submit}>
      <Field label="Actor" hint="E-mail or user id">
        {(props) => <Input {...props} value={draft.actor} onChange={set("actor")} autoComplete="off" />}
      </Field>
      <Field label="Action" hint="Exact, or a prefix ending in “.” (execution.)">
        {(props) => <Input {...props} value={draft.action} onChange={set("action")} autoComplete="off" />}
      </Field>
      <Field label="From">
        {(props) => <Input {...props} type="date" value={draft.from} onChange={set("from")} />}
      </Field>
      <Field label="To">
        {(props) => <Input {...props} type="date" value={draft.to} onChange={set("to")} />}
      </Field>
      <div className="admin-actions">
        <Button type="submit" variant="primary">
          Filter
        </Button>
        <Button
          type="button"
          variant="secondary"
          onClick={() => {
            setDraft(empty);
            onApply(empty);
          }}
        >
          Clear
        </Button>
      </div>
    </form>
  );
}

export function AuditPage() {
  const [params, setParams] = useSearchParams();
  const filters = filtersFromUrl(params);
  const audit = useFilteredAudit(filters);
  const filtered = Object.values(filters).some(Boolean);
  return (
    <section className="admin-page">
      <h1>Audit log</h1>
      <FilterForm
        key={params.toString()}
        applied={filters}
        onApply={(next) => setParams(filtersToUrl(next))}
      />
      <AdminTable
        query={audit}
        what="the audit log"
        caption={filtered ? "Audit log, filtered" : "Audit log"}
        empty={filtered ? "Nothing matches these filters." : "Nothing has been recorded yet."}
        columns={[
          { header: "When", cell: (e) => new Date(e.createdAt).toLocaleString() },
          { header: "Who", cell: actor },
          { header: "Organization", cell: organization },
          { header: "Action", cell: (e) => e.action },
          { header: "Resource", cell: resource },
          { header: "IP", cell: (e) => e.ipAddress ?? "—" },
        ]}
      />
    </section>
  );
}
