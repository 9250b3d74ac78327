import { LoadMore, QueryView, Table } from "../../components/ui/index.js";
import "./admin.css";
import { useAudit } from "./queries.js";

export function AuditPage() {
  const audit = useAudit();
  return (
    <section className="admin-page">
      <h1>Audit log</h1>
      <QueryView
        query={audit}
        what="the audit log"
        isEmpty={(data) => data.pages.every((page) => page.items.length === 0)}
        empty="Nothing has been recorded yet."
      >
        {({ pages }) => (
          <>
            <Table
              caption="Audit log"
              rows={pages.flatMap((page) => page.items)}
              rowKey={(e) => e.id}
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
            <LoadMore query={audit} />
          </>
        )}
      </QueryView>
    </section>
  );
}
