import { EmptyState, ErrorState, Spinner, Table } from "../../components/ui/index.js";
import "./admin.css";
import { useAudit } from "./queries.js";

export function AuditPage() {
  const audit = useAudit();
  const items = audit.data?.items ?? [];
  return (
    <section className="admin-page">
      <h1>Audit log</h1>
      {audit.isPending ? (
        <Spinner />
      ) : audit.isError ? (
        <ErrorState
          title="Could not load the audit log"
          error={audit.error}
          onRetry={() => void audit.refetch()}
        />
      ) : items.length === 0 ? (
        <EmptyState title="Nothing has been recorded yet." />
      ) : (
        <Table
          caption="Audit log"
          rows={items}
          rowKey={(e) => e.id}
          columns={[
            { header: "When", cell: (e) => new Date(e.createdAt).toLocaleString() },
            { header: "Who", cell: (e) => e.actorEmail ?? "system" },
            { header: "Action", cell: (e) => e.action },
            { header: "Resource", cell: (e) => `${e.resourceType}${e.resourceId ? ` ${e.resourceId}` : ""}` },
            { header: "IP", cell: (e) => e.ipAddress ?? "—" },
          ]}
        />
      )}
    </section>
  );
}
