import {
  executionMessageCodec,
  wsChannels,
  type ExecutionStatus,
  type WsServerMessage,
} from "@bifrost/contracts";
import type { Bus } from "../../infra/bus/bus.js";
import type { Logger } from "../../infra/logger.js";
import type { WorkQueue } from "../../infra/queue/work-queue.js";
import type { StatusSnapshot } from "../../repositories/executions.js";

/** Bus channels of the engine besides the WebSocket ones (`wsChannels`, contracts). */
/** Where the worker answers the API process waiting for a sync run. */
export const syncReplyChannel = (instanceId: string): string => `execution-results:${instanceId}`;
/** Where cancel requests reach the worker that holds the run. */
export const workerCancelChannel = (workerId: string): string => `worker-cancel:${workerId}`;
export const EXECUTION_QUEUE = "workflow-executions";
/** Redeliveries before dead-lettering: only a message whose handler keeps failing gets there. */
export const executionQueueDeclaration = { name: EXECUTION_QUEUE, deliveryLimit: 20 };

/** Puts a run on the execution queue (accepting it, promoting a deferred one, the sweeper's re-publish). */
export const publishRun = (queue: WorkQueue, executionId: string): Promise<void> =>
  queue.publish(EXECUTION_QUEUE, executionMessageCodec.encode({ executionId }));

/** A batch of log lines on `execution:{id}`; the WebSocket hub sends them one message per line. */
export type LogBatchMessage = {
  type: "execution_logs";
  executionId: string;
  lines: Array<{
    sequence: number;
    level: "debug" | "info" | "warn" | "error";
    message: string;
    timestamp: string;
  }>;
};

export type ExecutionBusMessage = WsServerMessage | LogBatchMessage;

/** The sync answer (API.md `POST /api/workflows/execute`, sync). */
export type SyncAnswer = {
  executionId: string;
  status: ExecutionStatus;
  result: unknown;
  error: string | null;
  durationMs: number | null;
};

export const syncAnswerOf = (row: StatusSnapshot): SyncAnswer => ({
  executionId: row.id,
  status: row.status,
  result: row.result ?? null,
  error: row.error,
  durationMs: row.durationMs,
});

/**
 * Publishes status changes of a run: `execution_update` to its watchers, `history_update` to its
 * caller's history and the global one. Best effort: the database already holds the state, a lost
 * message only delays a screen.
 */
export class ExecutionEvents {
  constructor(
    private readonly bus: Bus,
    private readonly logger: Logger,
  ) {}

  async statusChanged(row: StatusSnapshot): Promise<void> {
    const final = row.completedAt !== null;
    const update: WsServerMessage = {
      type: "execution_update",
      executionId: row.id,
      status: row.status,
      ...(final ? { result: row.result ?? null, error: row.error, durationMs: row.durationMs } : {}),
    };
    const history: WsServerMessage = {
      type: "history_update",
      executionId: row.id,
      status: row.status,
      workflowName: row.workflowName,
      organizationId: row.organizationId,
      executedBy: row.executedBy,
      durationMs: row.durationMs,
    };
    const sends = [
      this.bus.publish(wsChannels.execution(row.id), JSON.stringify(update)),
      this.bus.publish(wsChannels.historyGlobal, JSON.stringify(history)),
    ];
    if (row.executedBy)
      sends.push(this.bus.publish(wsChannels.historyOfUser(row.executedBy), JSON.stringify(history)));
    if (final && row.replyTo) {
      sends.push(this.bus.publish(syncReplyChannel(row.replyTo), JSON.stringify(syncAnswerOf(row))));
    }
    const results = await Promise.allSettled(sends);
    for (const r of results) {
      if (r.status === "rejected")
        this.logger.warn({ err: r.reason, executionId: row.id }, "status publish failed");
    }
  }
}
