import path from "node:path";
import type { FinalStatus, LogLine, NetworkUsage, RunContext } from "@bifrost/contracts";
import { childMemoryLimitBytes, type ChildExit } from "./child-process.js";

/**
 * What a child is bound to. A child serves only runs of the same key: user code of one run can
 * read the child's channel and would see the next run's input and execution token, so the
 * next run must be one the same person could start with the same rights anyway.
 */
export type PoolKey = {
  organizationId: string;
  workspaceVersion: string;
  privileged: boolean;
  callerId: string;
};

export type PoolRunRequest = {
  key: PoolKey;
  executionId: string;
  /** Absolute path of the compiled module, inside `<compiledRoot>/<key.workspaceVersion>/`. */
  modulePath: string;
  exportName: string;
  input: Record<string, unknown>;
  context: RunContext;
  /** How the SDK reaches the API: URL and the run's execution token. */
  api: { url: string; token: string };
  /** 0 = no timeout. */
  timeoutMs: number;
  /** Called with each batch of log lines, in order, until the outcome settles. */
  onLogs(lines: LogLine[]): void;
};

/** A run's outcome in the pool: one of the statuses a run ends in. */
type PoolRunStatus = FinalStatus;

export type PoolRunOutcome = {
  status: PoolRunStatus;
  /** JSON, null when the workflow returned nothing or did not finish. */
  result: unknown;
  error: string | null;
  errorType: string | null;
  durationMs: number;
  peakMemoryBytes: number | null;
  cpuMs: number | null;
  /** What the run's connections moved through the egress proxy; unset when the pool has none. */
  network?: NetworkUsage;
};

/** A run still waiting for its outcome, or its child. */
export type Job = {
  readonly request: PoolRunRequest;
  readonly keyId: string;
  readonly resolve: (outcome: PoolRunOutcome) => void;
  readonly reject: (error: Error) => void;
  /** When `run` was sent to the child; null while waiting for a slot or for the child to start. */
  startedAt: number | null;
  timer: NodeJS.Timeout | null;
  /** Set when the pool stops the run; the outcome then comes from here once the child has exited. */
  ending: { status: "Timeout" | "Cancelled"; error: string } | { status: "Closed" } | null;
  logLines: number;
  /** Log bytes forwarded so far, and whether the byte bound has cut the log. */
  logBytes: number;
  logCut: boolean;
};

/** `run()` and waiting runs reject with this once `close()` has been called. */
export class PoolClosedError extends Error {
  override readonly name = "PoolClosedError";
  constructor() {
    super("The process pool is closed");
  }
}

export const keyIdOf = (key: PoolKey): string =>
  JSON.stringify([key.organizationId, key.workspaceVersion, key.privileged, key.callerId]);

/**
 * A child is bound to one workspace version: a module outside that version's directory (or a version
 * that is not a single directory name) is a caller bug, never something to load.
 */
export function checkModulePath(compiledRoot: string, request: PoolRunRequest): void {
  const version = request.key.workspaceVersion;
  const versionDir = path.join(path.resolve(compiledRoot), version);
  if (
    version === "" ||
    version === "." ||
    version === ".." ||
    /[\\/]/.test(version) ||
    !path.isAbsolute(request.modulePath) ||
    !path.resolve(request.modulePath).startsWith(versionDir + path.sep)
  ) {
    throw new TypeError(`modulePath ${request.modulePath} is not inside workspace version ${version}`);
  }
}

export function stoppedOutcome(
  ending: { status: "Timeout" | "Cancelled"; error: string },
  durationMs: number,
): PoolRunOutcome {
  return {
    status: ending.status,
    result: null,
    error: ending.error,
    errorType: ending.status,
    durationMs,
    peakMemoryBytes: null,
    cpuMs: null,
  };
}

/** The child died under the run: a crash, whatever the workflow was doing. */
export function crashedOutcome(
  exit: ChildExit,
  details: { durationMs: number; memoryLimitMb: number; invalidMessage: boolean },
): PoolRunOutcome {
  let error: string;
  if (exit.outputLimitExceeded)
    error =
      "The workflow's process sent more at once than the platform accepts (a message over its size limit) " +
      "and was stopped";
  else if (details.invalidMessage) error = "The workflow's process sent an invalid message and was stopped";
  else if (exit.outOfMemory)
    error =
      `The workflow's process ran out of memory: the kernel stopped it at its limit ` +
      `(${details.memoryLimitMb} MB of heap, ${childMemoryLimitBytes(details.memoryLimitMb) / 1024 / 1024} MB in all)`;
  else if (/Reached heap limit|heap out of memory/i.test(exit.stderrTail))
    error = `The workflow's process ran out of memory (limit ${details.memoryLimitMb} MB)`;
  else {
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    error = `The workflow's process ${how} ${exit.wasReady ? "during the run" : "before it was ready"}`;
  }
  return {
    status: "Failed",
    result: null,
    error,
    errorType: exit.outputLimitExceeded ? "OutputLimitExceeded" : "ProcessCrashed",
    durationMs: details.durationMs,
    peakMemoryBytes: null,
    cpuMs: null,
  };
}
