import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "react-router";
import { apiFetch } from "../../api/client.js";
import { JsonView } from "../../components/json-view/JsonView.js";
import { LogView } from "../../components/log-view/LogView.js";
import { ActionError, Button, Card, ErrorState, Spinner } from "../../components/ui/index.js";
import { AttemptsCard } from "./AttemptsCard.js";
import { ExecutionResult } from "./ExecutionResult.js";
import { formatDuration, formatTime, startedHow, StatusBadge } from "./StatusBadge.js";
import { executionKey, useLiveExecution } from "./useLiveExecution.js";
import "./executions.css";
import { PageLoadError } from "../../shell/PageLoadError.js";

export function ExecutionDetailPage() {
  const { id = "" } = useParams();
  const queryClient = useQueryClient();
  const { execution, logs } = useLiveExecution(id);

  const navigate = useNavigate();
  const rerun = useMutation({
    mutationFn: () => apiFetch<{ executionId: string }>(`/api/executions/${id}/rerun`, { method: "POST" }),
    onSuccess: (answer) => void navigate(`/executions/${answer.executionId}`),
  });
  const cancel = useMutation({
    mutationFn: () => apiFetch<unknown>(`/api/executions/${id}/cancel`, { method: "POST" }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: executionKey(id) }),
  });

  if (execution.isPending) return <Spinner label="Loading the execution…" />;
  if (execution.isError) {
    return (
      <PageLoadError
        className="ex-page"
        heading="Execution"
        what="the execution"
        error={execution.error}
        onRetry={() => void execution.refetch()}
      />
    );
  }
  const e = execution.data;
  const cancellable = e.status === "Pending" || e.status === "Running" || e.status === "Scheduled";
  return (
    <section className="ex-page">
      <nav aria-label="Breadcrumb" className="ex-breadcrumb">
        <Link to="/executions">Executions</Link>
      </nav>
      <div className="ex-title">
        <h1>{e.workflowName}</h1>
        <span role="status" aria-live="polite" aria-atomic="true">
          <span className="visually-hidden">Status: </span>
          <StatusBadge status={e.status} />
        </span>
        {cancellable && (
          <Button variant="danger" onClick={() => cancel.mutate()} busy={cancel.isPending}>
            Cancel
          </Button>
        )}
        {e.completedAt && (
          <Button onClick={() => rerun.mutate()} busy={rerun.isPending}>
            Re-run
          </Button>
        )}
      </div>
      <ActionError error={cancel.error} />
      <ActionError error={rerun.error} />
      <Card>
        <dl className="ex-facts">
          <dt>Execution</dt>
          <dd>
            <code>{e.id}</code>
          </dd>
          <dt>Started by</dt>
          <dd>
            {e.executedByName} ({startedHow(e)})
          </dd>
          <dt>Created</dt>
          <dd>{formatTime(e.createdAt)}</dd>
          <dt>Started</dt>
          <dd>{formatTime(e.startedAt)}</dd>
          <dt>Completed</dt>
          <dd>{formatTime(e.completedAt)}</dd>
          <dt>Duration</dt>
          <dd data-testid="duration">{formatDuration(e.durationMs)}</dd>
          <dt>Attempt</dt>
          <dd>{e.attempt}</dd>
          {e.status === "Scheduled" && e.scheduledAt && (
            <>
              <dt>Starts</dt>
              <dd>{formatTime(e.scheduledAt)}</dd>
            </>
          )}
          {e.rerunOf && (
            <>
              <dt>Re-run of</dt>
              <dd>
                <Link to={`/executions/${e.rerunOf}`}>
                  <code>{e.rerunOf}</code>
                </Link>
              </dd>
            </>
          )}
        </dl>
      </Card>
      {e.error && (
        <Card className="ex-error-card" role="alert" title={`Error${e.errorType ? `: ${e.errorType}` : ""}`}>
          <pre className="ex-text">{e.error}</pre>
        </Card>
      )}
      <AttemptsCard executionId={e.id} attempts={e.attempts} nextAttemptAt={e.scheduledAt} />
      <Card title="Input">
        <JsonView value={e.inputData} label="Input" />
      </Card>
      <Card title="Result">
        <ExecutionResult execution={e} />
      </Card>
      <Card title="Logs">
        {logs.error && (
          <ErrorState title="Could not read the logs" error={new Error(logs.error)} onRetry={logs.catchUp} />
        )}
        <LogView lines={logs.lines} label="Execution logs" />
      </Card>
    </section>
  );
}
