import { isFinalStatus, type ExecutionDetail, type WsServerMessage } from "@bifrost/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { apiFetch } from "../../api/client.js";
import { JsonView } from "../../components/json-view/JsonView.js";
import { LogView } from "../../components/log-view/LogView.js";
import { messageOf } from "../workflows/queries.js";
import { ExecutionResult } from "./ExecutionResult.js";
import { formatDuration, formatTime, StatusBadge } from "./StatusBadge.js";
import { useExecutionLogs } from "./useExecutionLogs.js";
import "./executions.css";

export function ExecutionDetailPage() {
  const { id = "" } = useParams();
  const queryClient = useQueryClient();
  const key = ["executions", "detail", id];
  const execution = useQuery({
    queryKey: key,
    queryFn: () => apiFetch<ExecutionDetail>(`/api/executions/${encodeURIComponent(id)}`),
  });

  const onMessage = (message: WsServerMessage) => {
    if (message.type !== "execution_update" || message.executionId !== id) return;
    queryClient.setQueryData<ExecutionDetail>(key, (old) =>
      old
        ? {
            ...old,
            status: message.status,
            ...(message.result !== undefined ? { result: message.result } : {}),
            ...(message.error !== undefined ? { error: message.error } : {}),
            ...(message.durationMs !== undefined ? { durationMs: message.durationMs } : {}),
          }
        : old,
    );
    // A final status: the stored run has its end time, error type and every log line.
    if (isFinalStatus(message.status)) {
      void queryClient.invalidateQueries({ queryKey: key });
      logs.catchUp();
    }
  };
  const logs = useExecutionLogs(id, onMessage);

  const cancel = useMutation({
    mutationFn: () => apiFetch<unknown>(`/api/executions/${id}/cancel`, { method: "POST" }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: key }),
  });

  if (execution.isPending) {
    return (
      <p className="ex-state" role="status">
        Loading the execution…
      </p>
    );
  }
  if (execution.isError) {
    return (
      <section className="ex-page">
        <h1>Execution</h1>
        <p className="ex-state ex-error" role="alert">
          {messageOf(execution.error)}
        </p>
      </section>
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
        <StatusBadge status={e.status} />
        {cancellable && (
          <button
            type="button"
            className="ex-button ex-danger"
            onClick={() => cancel.mutate()}
            disabled={cancel.isPending}
          >
            {cancel.isPending ? "Cancelling…" : "Cancel"}
          </button>
        )}
      </div>
      {cancel.isError && (
        <p className="ex-error" role="alert">
          {messageOf(cancel.error)}
        </p>
      )}
      <dl className="ex-facts">
        <dt>Execution</dt>
        <dd>
          <code>{e.id}</code>
        </dd>
        <dt>Started by</dt>
        <dd>
          {e.executedByName} ({e.triggeredBy})
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
      </dl>
      {e.error && (
        <div className="ex-error-box" role="alert">
          <h2>Error{e.errorType ? `: ${e.errorType}` : ""}</h2>
          <pre>{e.error}</pre>
        </div>
      )}
      <h2>Input</h2>
      <JsonView value={e.inputData} label="Input" />
      <h2>Result</h2>
      <ExecutionResult execution={e} />
      <h2>Logs</h2>
      {logs.error && (
        <p className="ex-error" role="alert">
          {logs.error}
        </p>
      )}
      <LogView lines={logs.lines} label="Execution logs" />
    </section>
  );
}
