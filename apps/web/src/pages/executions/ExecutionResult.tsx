import { isFinalStatus, type ExecutionDetail } from "@bifrost/contracts";
import { JsonView } from "../../components/json-view/JsonView.js";

/** A result: JSON as a tree, HTML in a sandboxed frame (no scripts, no same origin), else text. */
export function ExecutionResult({ execution }: { execution: ExecutionDetail }) {
  const { result, resultSize } = execution;
  if (resultSize !== null) {
    return (
      <p>
        The result is large ({Math.round(resultSize / 1024)} KB).{" "}
        <a href={`/api/executions/${execution.id}/result`} target="_blank" rel="noreferrer">
          Open the result
        </a>
      </p>
    );
  }
  if (result === null || result === undefined) {
    return <p className="ex-muted">{isFinalStatus(execution.status) ? "No result." : "Not finished yet."}</p>;
  }
  if (typeof result === "string") {
    if (result.trimStart().startsWith("<")) {
      return <iframe className="ex-html" title="Result (HTML)" sandbox="" srcDoc={result} />;
    }
    return <pre className="ex-text">{result}</pre>;
  }
  return <JsonView value={result} label="Result" />;
}
