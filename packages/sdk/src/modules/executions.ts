import type { ExecuteAccepted, ExecutionDetail, ExecuteSyncResult } from "@bifrost/contracts";
import { callApi, onFirstUse } from "../client.js";
import { NotFoundError } from "../errors.js";

export type { ExecutionStatus } from "@bifrost/contracts";

/** An execution as `GET /api/executions/{id}` answers it. */
export type Execution = ExecutionDetail;

/**
 * What `workflows.execute` answers: the new execution's id and status; with `sync`, also its result,
 * error and duration once it ended (a run still going when the API stops waiting answers without them).
 */
export type ExecuteResult = ExecuteAccepted & Partial<Omit<ExecuteSyncResult, "executionId" | "status">>;

const answers = onFirstUse(async () => {
  const contract = await import("@bifrost/contracts/executions");
  return {
    detail: contract.executionDetailSchema,
    // A sync call answers 200 with the outcome, or 202 like an async one when the run outlasts the wait.
    execute: contract.executeSyncResultSchema.or(contract.executeAcceptedSchema),
  };
});

export const executions = {
  /** An execution of the run's organization, or null when there is none with this id in reach. */
  async get(id: string): Promise<Execution | null> {
    try {
      return await callApi("GET", `/api/executions/${encodeURIComponent(id)}`, undefined, {
        answer: (await answers()).detail,
      });
    } catch (error) {
      if (error instanceof NotFoundError) return null;
      throw error;
    }
  },
};

export const workflows = {
  /** Runs another workflow in the run's organization; `sync` waits for its result. */
  async execute(
    nameOrId: string,
    input: Record<string, unknown> = {},
    options: { sync?: boolean } = {},
  ): Promise<ExecuteResult> {
    const isId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(nameOrId);
    return await callApi(
      "POST",
      "/api/workflows/execute",
      {
        ...(isId ? { workflowId: nameOrId } : { workflowName: nameOrId }),
        inputData: input,
        sync: options.sync ?? false,
      },
      { answer: (await answers()).execute },
    );
  },
};
