import type { LogLevel, TriggerKind } from "@bifrost/contracts";

export type { LogLevel };

export type WorkflowLogger = {
  [L in LogLevel]: (message: string, data?: Record<string, unknown>) => void;
};

export type TriggeredBy = TriggerKind;

/** The second argument of every `run`. */
export type WorkflowContext = {
  readonly executionId: string;
  /** The organization the run belongs to (always set). */
  readonly organization: { readonly id: string; readonly name: string };
  /** Who started the run; `system@bifrost.local` for schedules, webhooks and endpoints. */
  readonly caller: { readonly id: string; readonly email: string; readonly name: string };
  readonly triggeredBy: TriggeredBy;
  /**
   * Which attempt of the run this is: 1, then one more for each retry of the workflow's retry policy
   * and each re-queue after a lost worker.
   */
  readonly attempt: number;
  readonly log: WorkflowLogger;
  /** Aborted when the run is cancelled or times out: pass it to fetch() and long waits. */
  readonly signal: AbortSignal;
};

/**
 * What the platform's child runtime installs on `globalThis` for the run in progress: how the SDK
 * modules reach the API, and where secret values are registered for redaction.
 */
export const RUNTIME = Symbol.for("bifrost.runtime");

export type RuntimeHooks = {
  readonly apiUrl: string;
  readonly token: string;
  readonly signal: AbortSignal;
  registerSecret(value: string): void;
};

export function currentRuntime(): RuntimeHooks {
  const hooks = (globalThis as { [RUNTIME]?: RuntimeHooks })[RUNTIME];
  if (!hooks) throw new Error("This SDK call only works inside a Bifrost run");
  return hooks;
}
