import { isFinalStatus, type ExecutionDetail, type WsServerMessage } from "@bifrost/contracts";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "../../api/client.js";
import { useExecutionLogs } from "./useExecutionLogs.js";

export const executionKey = (id: string) => ["executions", "detail", id] as const;

/**
 * One execution kept current without reloading: the stored run, its status, result and error from
 * `execution_update` messages, and its live log (`useExecutionLogs`). Used by the execution page and
 * the editor's run panel.
 */
export function useLiveExecution(id: string) {
  const queryClient = useQueryClient();
  const key = executionKey(id);
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
  return { execution, logs };
}
