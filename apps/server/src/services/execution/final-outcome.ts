import type { FileStore } from "../../infra/files/file-store.js";
import type { FinalOutcome } from "../../repositories/executions.js";
import type { PoolRunOutcome } from "./pool/pool-run.js";
import { withoutNul } from "./postgres-text.js";

/** A result above this many bytes of JSON goes to the file store (API.md: over 1 MB). */
const INLINE_RESULT_LIMIT = 1024 * 1024;

const resultKeyOf = (executionId: string): string => `executions/${executionId}/result.json`;

/**
 * How an attempt's outcome is stored, whoever ran it (a worker's pool, or the CLI for a local run):
 * NUL characters replaced, times rounded, a large result put in the file store with its size and key
 * kept on the row.
 */
export async function finalOutcome(
  files: FileStore,
  executionId: string,
  raw: PoolRunOutcome,
  logCount: number,
): Promise<FinalOutcome> {
  const outcome = withoutNul(raw);
  const base = {
    status: outcome.status,
    error: outcome.error,
    errorType: outcome.errorType,
    durationMs: Math.round(outcome.durationMs),
    peakMemoryBytes: outcome.peakMemoryBytes,
    cpuMs: outcome.cpuMs === null ? null : Math.round(outcome.cpuMs),
    network: outcome.network ?? null,
    logCount,
  };
  const json = outcome.result === undefined ? "null" : JSON.stringify(outcome.result);
  const size = Buffer.byteLength(json);
  if (size <= INLINE_RESULT_LIMIT)
    return { ...base, result: outcome.result ?? null, resultSize: null, resultKey: null };
  const key = resultKeyOf(executionId);
  await files.put(key, json, { contentType: "application/json" });
  return { ...base, result: null, resultSize: size, resultKey: key };
}
