import { Link } from "react-router";
import { LogView } from "../../components/log-view/LogView.js";
import { Button, Card, ErrorState, QueryView } from "../../components/ui/index.js";
import { ExecutionResult } from "../executions/ExecutionResult.js";
import { formatDuration, StatusBadge } from "../executions/StatusBadge.js";
import { useLiveExecution } from "../executions/useLiveExecution.js";
import { SourceLinks, type SourcePlace } from "./SourceLinks.js";

/** The run started from the editor: live status, result, error and log, under the code. */
export function RunPanel({
  executionId,
  name,
  onClose,
  onOpenSource,
}: {
  executionId: string;
  name: string;
  onClose: () => void;
  /** A `file.ts:line:column` of the error or the log was clicked. */
  onOpenSource: (place: SourcePlace) => void;
}) {
  const { execution, logs } = useLiveExecution(executionId);
  return (
    <Card
      className="ed-run"
      data-testid="run-panel"
      title={`Run of ${name}`}
      actions={
        <>
          <Link to={`/executions/${executionId}`}>Open the execution</Link>
          <Button variant="ghost" onClick={onClose}>
            Close the run
          </Button>
        </>
      }
    >
      <QueryView query={execution} what="the execution">
        {(e) => (
          <div className="ed-run__body">
            <p className="ed-run__status">
              <span role="status" aria-live="polite" aria-atomic="true">
                <span className="visually-hidden">Status: </span>
                <StatusBadge status={e.status} />
              </span>
              <span className="ed-muted">{formatDuration(e.durationMs)}</span>
            </p>
            {e.error && (
              <pre className="ed-run__error" role="alert">
                {e.errorType ? `${e.errorType}: ` : ""}
                <SourceLinks text={e.error} onOpen={onOpenSource} />
              </pre>
            )}
            <h3 className="ed-run__heading">Result</h3>
            <ExecutionResult execution={e} />
          </div>
        )}
      </QueryView>
      <h3 className="ed-run__heading">Log</h3>
      {logs.error && (
        <ErrorState title="Could not read the log" error={new Error(logs.error)} onRetry={logs.catchUp} />
      )}
      <LogView
        lines={logs.lines}
        label="Run log"
        renderMessage={(message) => <SourceLinks text={message} onOpen={onOpenSource} />}
      />
    </Card>
  );
}
