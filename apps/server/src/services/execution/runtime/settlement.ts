import { resultTooLargeError } from "../pool/output-limits.js";
import { inspect } from "node:util";
import type { ChildMessage } from "@bifrost/contracts/ipc";
import type { RunLog } from "./run-log.js";
import { firstWorkspaceFrame } from "./source-paths.js";

type RunStatus = Extract<ChildMessage, { type: "result" }>["status"];

/** How a run ended, before redaction and resource figures are added. */
export type Settlement = {
  status: RunStatus;
  /** JSON; undefined when the workflow returned nothing. */
  result: unknown;
  error: string | null;
  errorType: string | null;
};

/**
 * A returned value becomes the result through a JSON round trip (it is stored and sent as JSON, so
 * `undefined` fields vanish as they would later anyway). `{ success: false, … }` is the documented
 * way for a workflow to report a partial failure.
 */
export function settleValue(value: unknown, maxBytes = Number.POSITIVE_INFINITY): Settlement {
  let result: unknown;
  try {
    const text = JSON.stringify(value);
    const bytes = text === undefined ? 0 : Buffer.byteLength(text, "utf8");
    // Refused here, not sent: the pool would refuse it too, and the channel has a size limit.
    if (bytes > maxBytes)
      return {
        status: "Failed",
        result: undefined,
        error: resultTooLargeError(bytes, maxBytes),
        errorType: "ResultTooLarge",
      };
    result = text === undefined ? undefined : (JSON.parse(text) as unknown);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      status: "Failed",
      result: undefined,
      error: `The workflow's result is not JSON-serializable: ${reason}`,
      errorType: "SerializationError",
    };
  }
  const partial =
    result !== null &&
    typeof result === "object" &&
    !Array.isArray(result) &&
    (result as { success?: unknown }).success === false;
  return { status: partial ? "CompletedWithErrors" : "Success", result, error: null, errorType: null };
}

/**
 * A thrown value becomes a failure. A `UserError` is a message for the person who ran the workflow:
 * no stack. Anything else is a bug in the workflow: its stack goes to the run's log, where the author
 * looks, not into the error shown to everybody.
 */
export function settleError(
  thrown: unknown,
  log: RunLog,
  runtimeUrl: string,
  toWorkspacePaths: (text: string) => string = (text) => text,
): Settlement {
  const { name, message, stack } = describe(thrown);
  if (name === "UserError") return { status: "Failed", result: undefined, error: message, errorType: name };
  if (!stack) return { status: "Failed", result: undefined, error: message, errorType: name };
  const frames = toWorkspacePaths(workflowFrames(stack, runtimeUrl));
  log.write("error", frames);
  // Where it broke, in the author's file and lines (`flows/a.ts:8:31`), with the error itself.
  const where = firstWorkspaceFrame(frames);
  return {
    status: "Failed",
    result: undefined,
    error: where ? `${message} (at ${where})` : message,
    errorType: name,
  };
}

function describe(thrown: unknown): { name: string; message: string; stack: string | null } {
  try {
    if (thrown !== null && typeof thrown === "object") {
      const { name, message, stack } = thrown as { name?: unknown; message?: unknown; stack?: unknown };
      return {
        name: typeof name === "string" && name !== "" ? name : "Error",
        // A thrown plain object: show its content rather than "[object Object]".
        message: typeof message === "string" ? message : inspect(thrown, { depth: 2, breakLength: Infinity }),
        stack: typeof stack === "string" ? stack : null,
      };
    }
    return { name: "Error", message: String(thrown), stack: null };
  } catch {
    // A thrown Proxy or an object whose getters throw.
    return { name: "Error", message: "The workflow threw a value that cannot be described", stack: null };
  }
}

/** The stack without the runtime's own frames: they say nothing to the author and name server paths. */
function workflowFrames(stack: string, runtimeUrl: string): string {
  return stack
    .split("\n")
    .filter(
      (line) =>
        !(
          line.trimStart().startsWith("at ") &&
          (line.includes(runtimeUrl) || line.includes("node:internal"))
        ),
    )
    .join("\n");
}
