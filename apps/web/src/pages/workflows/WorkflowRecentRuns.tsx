import { Link } from "react-router";
import { Card, QueryView, Table } from "../../components/ui/index.js";
import { formatDuration, formatTime, startedHow, StatusBadge } from "../executions/StatusBadge.js";
import { useRecentRuns } from "./queries.js";

/**
 * The latest runs of a workflow, each linking to its page; an organization user sees their own
 * (the API's rule), a platform admin everyone's. Not live: a reload shows new ones.
 */
export function WorkflowRecentRuns({ workflowName, mine }: { workflowName: string; mine: boolean }) {
  const runs = useRecentRuns(workflowName);
  return (
    <Card title={mine ? "Your recent runs" : "Recent runs"}>
      <QueryView
        query={runs}
        what="the recent runs"
        isEmpty={(items) => items.length === 0}
        empty="No runs yet."
      >
        {(items) => (
          <Table
            caption={mine ? "Your recent runs" : "Recent runs"}
            rows={items}
            rowKey={(e) => e.id}
            rowAttributes={(e) => ({ "data-execution-id": e.id })}
            columns={[
              {
                header: "Started",
                cell: (e) => <Link to={`/executions/${e.id}`}>{formatTime(e.createdAt)}</Link>,
              },
              { header: "Status", cell: (e) => <StatusBadge status={e.status} /> },
              {
                header: "By",
                cell: (e) => (
                  <>
                    {e.executedByName} <span className="wf-hint">({startedHow(e)})</span>
                  </>
                ),
              },
              { header: "Duration", cell: (e) => formatDuration(e.durationMs) },
            ]}
          />
        )}
      </QueryView>
    </Card>
  );
}
