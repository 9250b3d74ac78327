import type { ExecutionStatus } from "@bifrost/contracts";
import { Badge, type BadgeTone } from "../../components/ui/index.js";

const LABELS: Partial<Record<ExecutionStatus, string>> = { CompletedWithErrors: "Completed with errors" };

const TONES: Record<ExecutionStatus, BadgeTone> = {
  Scheduled: "info",
  Pending: "info",
  Running: "info",
  Success: "success",
  Failed: "danger",
  Timeout: "danger",
  CompletedWithErrors: "warning",
  Cancelling: "warning",
  Cancelled: "warning",
};

/** An execution's status as a kit badge; `data-status` carries the raw status for tests and styling. */
export function StatusBadge({ status }: { status: ExecutionStatus }) {
  return (
    <Badge tone={TONES[status]} data-status={status}>
      {LABELS[status] ?? status}
    </Badge>
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

/** How a run was started, as the history shows it: `user`, `schedule`…, and `local run` for `bifrost run --local`. */
export const startedHow = (e: { triggeredBy: string; local: boolean }): string =>
  e.local ? `${e.triggeredBy}, local run` : e.triggeredBy;
