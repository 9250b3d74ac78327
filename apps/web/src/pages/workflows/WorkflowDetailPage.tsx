import type { Workflow } from "@bifrost/contracts";
import { Link, useParams } from "react-router";
import { Badge, Card, Spinner } from "../../components/ui/index.js";
import { useAuth } from "../../shell/auth.js";
import { PageLoadError } from "../../shell/PageLoadError.js";
import { useWorkflow } from "./queries.js";
import { WorkflowForms } from "./WorkflowForms.js";
import { WorkflowParameters } from "./WorkflowParameters.js";
import { WorkflowRecentRuns } from "./WorkflowRecentRuns.js";
import { WorkflowSettings } from "./WorkflowSettings.js";
import "./workflows.css";

/**
 * A workflow's page. Everyone sees what it does, how to run it and their recent runs; only platform
 * admins see how it is built (its file, parameters, settings): to an organization user a source path
 * or a JSON Schema is noise at best and a look at the platform's insides at worst.
 */
export function WorkflowDetailPage() {
  const { id = "" } = useParams();
  const workflow = useWorkflow(id);
  const { isPlatformAdmin } = useAuth();
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
      {!w.isActive && <Badge tone="danger">Not available at the moment</Badge>}
      {isPlatformAdmin && <WorkflowFacts workflow={w} />}
      <WorkflowForms workflowId={w.id} />
      <WorkflowRecentRuns workflowName={w.name} mine={!isPlatformAdmin} />
      {isPlatformAdmin && (
        <>
          <WorkflowParameters schema={w.parametersSchema} />
          <WorkflowSettings workflow={w} />
        </>
      )}
    </section>
  );
}

/** Platform admins: what the workflow is and where its code lives. */
function WorkflowFacts({ workflow: w }: { workflow: Workflow }) {
  return (
    <Card title="Details">
      <dl className="wf-facts">
        <dt>Type</dt>
        <dd>{w.type.replace("_", " ")}</dd>
        <dt>Category</dt>
        <dd>{w.category ?? "—"}</dd>
        <dt>File</dt>
        <dd>
          <code>{w.path}</code> (export <code>{w.exportName}</code>) ·{" "}
          <Link to={`/editor?file=${encodeURIComponent(w.path)}`}>Open in the editor</Link>
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
  );
}
