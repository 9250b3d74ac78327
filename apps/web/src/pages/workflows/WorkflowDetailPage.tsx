import { Link, useParams } from "react-router";
import { JsonView } from "../../components/json-view/JsonView.js";
import { messageOf, useMe, useWorkflow } from "./queries.js";
import { WorkflowSettings } from "./WorkflowSettings.js";
import "./workflows.css";

export function WorkflowDetailPage() {
  const { id = "" } = useParams();
  const workflow = useWorkflow(id);
  const me = useMe();
  if (workflow.isPending) {
    return (
      <p className="wf-state" role="status">
        Loading the workflow…
      </p>
    );
  }
  if (workflow.isError) {
    return (
      <section className="wf-page">
        <h1>Workflow</h1>
        <p className="wf-state wf-error" role="alert">
          {messageOf(workflow.error)}
        </p>
      </section>
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
          <Link to={`/workflows/${w.id}/run`} className="wf-button wf-primary">
            Run
          </Link>
        )}
      </div>
      <p className="wf-description">{w.description ?? "No description."}</p>
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
        <dd>{w.isActive ? "Active" : "Inactive (its export is gone)"}</dd>
      </dl>
      <h2>Parameters</h2>
      {properties.length === 0 ? (
        <p>No parameters.</p>
      ) : (
        <JsonView value={w.parametersSchema} label="Parameters schema" />
      )}
      {me.data?.isSuperuser && <WorkflowSettings workflow={w} />}
    </section>
  );
}
