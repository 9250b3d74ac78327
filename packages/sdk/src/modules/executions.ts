import { callApi } from "../client.js";
import { NotFoundError } from "../errors.js";

export type ExecutionStatus =
  | "Scheduled"
  | "Pending"
  | "Running"
  | "Success"
  | "Failed"
  | "CompletedWithErrors"
  | "Timeout"
  | "Cancelling"
  | "Cancelled";

export type Execution = {
  id: string;
  workflowId: string;
  workflowName: string;
  status: ExecutionStatus;
  organizationId: string;
  inputData: Record<string, unknown>;
  result: unknown;
  error: string | null;
  errorType: string | null;
  durationMs: number | null;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
};

export type ExecuteResult = {
  executionId: string;
  status: ExecutionStatus;
  result?: unknown;
  error?: string | null;
  durationMs?: number | null;
};

export const executions = {
  /** An execution of the run's organization, or null when there is none with this id in reach. */
  async get(id: string): Promise<Execution | null> {
    try {
      return await callApi<Execution>("GET", `/api/executions/${encodeURIComponent(id)}`);
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
    return await callApi<ExecuteResult>("POST", "/api/workflows/execute", {
      ...(isId ? { workflowId: nameOrId } : { workflowName: nameOrId }),
      inputData: input,
      sync: options.sync ?? false,
    });
  },
};
