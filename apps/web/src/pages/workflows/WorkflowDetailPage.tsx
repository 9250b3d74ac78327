import { Link, useParams } from "react-router";
import { useMe } from "../../shell/auth.js";
import { JsonView } from "../../components/json-view/JsonView.js";
import { Badge, Card, Spinner } from "../../components/ui/index.js";
import { useWorkflow } from "./queries.js";
import { WorkflowSettings } from "./WorkflowSettings.js";
import "./workflows.css";
import { PageLoadError } from "../../shell/PageLoadError.js";

export function WorkflowDetailPage() {
  const { id = "" } = useParams();
  const workflow = useWorkflow(id);
  const me = useMe();
  if (workflow.isPending) return <Spinner label="Loading the workflow…" />;
  if (workflow.isError) {
    return (
      <PageLoadError
        className="wf-page"
        heading="Workflow"
        what="the workflow"
        error={workflow.error}
        onRetry={() => void workflow.refetch()}
      />
    );
  }
  const w = workflow.data;
  const properties = Object.keys(
    (w.parametersSchema.properties as Record<string, unknown> | undefined) ?? {},
  );
  return (
    <section className="wf-page">
      <nav aria-label="Breadcrumb" className="wf-breadcrumb">
        <Link to="/workflows">Workflows</Link>
      </nav>
      <div className="wf-title">
        <h1>{w.name}</h1>
        {w.isActive && (
          <Link to={`/workflows/${w.id}/run`} className="ui-button ui-button--primary">
            Run
          </Link>
        )}
      </div>
      <p className="wf-description">{w.description ?? "No description."}</p>
      <Card>
        <dl className="wf-facts">
          <dt>Type</dt>
          <dd>{w.type.replace("_", " ")}</dd>
          <dt>Category</dt>
          <dd>{w.category ?? "—"}</dd>
          <dt>Source</dt>
          <dd>
            <code>
              {w.path} · {w.exportName}
            </code>
          </dd>
          <dt>Scope</dt>
          <dd>{w.organizationId ? "Organization" : "Global"}</dd>
          <dt>Status</dt>
          <dd>
            {w.isActive ? (
              <Badge tone="success">Active</Badge>
            ) : (
              <Badge tone="danger">Inactive (its export is gone)</Badge>
            )}
          </dd>
        </dl>
      </Card>
      <Card title="Parameters">
        {properties.length === 0 ? (
          <p>No parameters.</p>
        ) : (
          <JsonView value={w.parametersSchema} label="Parameters schema" />
        )}
      </Card>
      {me.data?.isSuperuser && <WorkflowSettings workflow={w} />}
    </section>
  );
}
