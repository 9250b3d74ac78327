import type { ExecutionStatus } from "@bifrost/contracts";

const LABELS: Partial<Record<ExecutionStatus, string>> = { CompletedWithErrors: "Completed with errors" };

export function StatusBadge({ status }: { status: ExecutionStatus }) {
  return (
    <span className={`ex-status ex-status-${status.toLowerCase()}`} data-status={status}>
      {LABELS[status] ?? status}
    </span>
  );
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function formatTime(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : "—";
}
