import "./admin.css";
import { AdminTable } from "./collection.js";
import { useAudit } from "./queries.js";

export function AuditPage() {
  const audit = useAudit();
  return (
    <section className="admin-page">
      <h1>Audit log</h1>
      <AdminTable
        query={audit}
        what="the audit log"
        caption="Audit log"
        empty="Nothing has been recorded yet."
        columns={[
          { header: "When", cell: (e) => new Date(e.createdAt).toLocaleString() },
          { header: "Who", cell: (e) => e.actorEmail ?? "system" },
          { header: "Action", cell: (e) => e.action },
          {
            header: "Resource",
            cell: (e) => `${e.resourceType}${e.resourceId ? ` ${e.resourceId}` : ""}`,
          },
          { header: "IP", cell: (e) => e.ipAddress ?? "—" },
        ]}
      />
    </section>
  );
}
