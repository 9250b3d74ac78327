import type { ExecutionAttempt, ExecutionLog } from "@bifrost/contracts";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { apiFetch } from "../../api/client.js";
import { LogView } from "../../components/log-view/LogView.js";
import { Button, Card, ErrorState, Spinner, Table, type Column } from "../../components/ui/index.js";
import { formatTime, StatusBadge } from "./StatusBadge.js";

const REASONS: Record<ExecutionAttempt["reason"], string> = {
  first: "First",
  retry: "Retry (retry policy)",
  worker_lost: "Re-queued (worker lost)",
};

/** One attempt's own log lines (`GET /api/executions/{id}/logs?attempt=N`), read when asked. */
function AttemptLogs({ executionId, attempt }: { executionId: string; attempt: number }) {
  const logs = useQuery({
    queryKey: ["execution", executionId, "logs", attempt],
    queryFn: () =>
      apiFetch<{ items: ExecutionLog[] }>(`/api/executions/${executionId}/logs?attempt=${attempt}`),
  });
  if (logs.isPending) return <Spinner label={`Loading the logs of attempt ${attempt}…`} />;
  if (logs.isError)
    return (
      <ErrorState title="Could not read the logs" error={logs.error} onRetry={() => void logs.refetch()} />
    );
  return <LogView lines={logs.data.items} label={`Logs of attempt ${attempt}`} />;
}

/**
 * Every attempt of a run — its status, error and timing, and why it started — with its own logs.
 * Shown once a run has more than one attempt, or waits for its next one (`scheduledAt`).
 */
export function AttemptsCard({
  executionId,
  attempts,
  nextAttemptAt,
}: {
  executionId: string;
  attempts: readonly ExecutionAttempt[];
  nextAttemptAt: string | null;
}) {
  const [open, setOpen] = useState<number | null>(null);
  if (attempts.length < 2 && !(nextAttemptAt && attempts.length > 0)) return null;
  const columns: Column<ExecutionAttempt>[] = [
    { header: "Attempt", cell: (a) => a.attempt },
    { header: "Why", cell: (a) => REASONS[a.reason] },
    { header: "Status", cell: (a) => <StatusBadge status={a.status} /> },
    { header: "Started", cell: (a) => formatTime(a.startedAt) },
    { header: "Ended", cell: (a) => formatTime(a.completedAt) },
    {
      header: "Error",
      cell: (a) =>
        a.error ? (
          <span className="ex-attempt-error">
            {a.errorType ? `${a.errorType}: ` : ""}
            {a.error}
          </span>
        ) : (
          "—"
        ),
    },
    {
      header: "Logs",
      cell: (a) => (
        <Button
          variant="ghost"
          aria-expanded={open === a.attempt}
          onClick={() => setOpen(open === a.attempt ? null : a.attempt)}
        >
          {open === a.attempt ? "Hide" : "Show"} logs
        </Button>
      ),
    },
  ];
  return (
    <Card title="Attempts">
      {nextAttemptAt && <p className="ex-muted">Next attempt at {formatTime(nextAttemptAt)}.</p>}
      <Table
        caption="Attempts of this execution"
        columns={columns}
        rows={attempts}
        rowKey={(a) => String(a.attempt)}
        rowAttributes={(a) => ({ "data-attempt": String(a.attempt) })}
      />
      {open !== null && <AttemptLogs executionId={executionId} attempt={open} />}
    </Card>
  );
}
