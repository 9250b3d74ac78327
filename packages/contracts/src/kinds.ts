/**
 * The enumerations every layer shares — the API, the database schema, the queue, the child runtime's
 * channel and the web client — declared once. Plain tuples (no zod): the database schema and the
 * child runtime import them too.
 */

export const executionStatuses = [
  "Scheduled",
  "Pending",
  "Running",
  "Success",
  "Failed",
  "CompletedWithErrors",
  "Timeout",
  "Cancelling",
  "Cancelled",
] as const;
export type ExecutionStatus = (typeof executionStatuses)[number];

/** The statuses a run ends in. */
export const finalStatuses = ["Success", "Failed", "CompletedWithErrors", "Timeout", "Cancelled"] as const;
export type FinalStatus = (typeof finalStatuses)[number];

/** What started a run. */
export const triggerKinds = ["user", "form", "schedule", "webhook", "endpoint", "workflow"] as const;
export type TriggerKind = (typeof triggerKinds)[number];

export const logLevels = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof logLevels)[number];
