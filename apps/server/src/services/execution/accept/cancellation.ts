import type { Bus } from "../../../infra/bus/bus.js";
import type { ExecutionRow, ExecutionsRepository } from "../../../repositories/executions.js";
import { workerCancelChannel, type ExecutionEvents } from "../channels.js";
import type { ExecutionTokens } from "../execution-token.js";

type CancellationDeps = { executions: ExecutionsRepository; bus: Bus; events: ExecutionEvents };

/**
 * `Scheduled | Pending → Cancelled` at once, `Running → Cancelling` with a word to its worker (which
 * aborts, SIGTERMs and then kills the child); status subscribers hear of it. Undefined: no such run.
 */
export async function requestCancellation(
  deps: CancellationDeps,
  id: string,
): Promise<{ row: ExecutionRow; changed: boolean } | undefined> {
  const outcome = await deps.executions.requestCancel(id);
  if (!outcome?.changed) return outcome;
  const { row } = outcome;
  if (row.status === "Cancelling" && row.workerId) {
    await deps.bus.publish(workerCancelChannel(row.workerId), row.id);
  }
  void deps.events.statusChanged(row);
  return outcome;
}

/**
 * Runs act as their caller inside their organization: when the caller is deactivated or the
 * organization deactivated or deleted, their runs must not go on acting for them (security review,
 * issue 17.9). Every run not yet ended is cancelled and its execution token revoked at once, so the
 * SDK calls of a run still stopping are refused too.
 */
export class RunRevocation {
  constructor(private readonly deps: CancellationDeps & { tokens: ExecutionTokens }) {}

  /** Cancels the unfinished runs of a user (as their caller) or of an organization; answers how many. */
  async cancelRunsOf(target: { userId: string } | { organizationId: string }): Promise<number> {
    const ids = await this.deps.executions.unfinishedIdsOf(target);
    for (const id of ids) {
      await this.deps.tokens.revoke(id);
      await requestCancellation(this.deps, id);
    }
    return ids.length;
  }
}
