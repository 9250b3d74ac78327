import type { LogLine } from "@bifrost/contracts";

/**
 * What one run may emit, enforced by the pool (the parent): user code can send IPC messages by hand,
 * so the child's own caps are a courtesy, these are the bounds.
 */
export type OutputLimits = {
  /** A log line's message (and, apart, its data) longer than this is cut with a marker. */
  lineBytes: number;
  /** Log bytes stored per attempt; past them one truncation line, then nothing. */
  logBytesPerAttempt: number;
  /** A result larger than this (as JSON) fails the run with `ResultTooLarge`. */
  resultBytes: number;
};

export const DEFAULT_OUTPUT_LIMITS: OutputLimits = {
  lineBytes: 64 * 1024,
  logBytesPerAttempt: 16 * 1024 * 1024,
  resultBytes: 10 * 1024 * 1024,
};

/**
 * The largest message a child may send: a result at its cap, with room for the envelope and for a log
 * batch (the child runtime sends at most ~1 MiB of lines at a time). A child whose message grows past
 * it is killed before the pool holds more (`OutputLimitExceeded`).
 */
export function maxMessageBytes(limits: OutputLimits): number {
  return limits.resultBytes + 8 * 1024 * 1024;
}

/** Why a result was refused, in the same words wherever it is measured. */
export function resultTooLargeError(bytes: number, limit: number): string {
  return `The result is ${bytes} bytes; the limit is ${limit} (BIFROST_MAX_RESULT_BYTES)`;
}

/** Cuts a string to at most `maxBytes` UTF-8 bytes (never in the middle of a character). */
function cutToBytes(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, "utf8").subarray(0, maxBytes);
  return bytes.toString("utf8").replace(/\uFFFD$/, "");
}

/** The line within the per-line bound, and the bytes it counts for. */
export function boundLine(line: LogLine, maxBytes: number): { line: LogLine; bytes: number } {
  let { message } = line;
  let bytes = Buffer.byteLength(message, "utf8");
  if (bytes > maxBytes) {
    // The marker counts within the bound: a line cut once is never cut again (the child runtime cuts
    // first, the pool after it).
    const marker = ` … [line cut: ${bytes} bytes, the limit is ${maxBytes}]`;
    message = `${cutToBytes(message, Math.max(0, maxBytes - Buffer.byteLength(marker, "utf8")))}${marker}`;
    bytes = Buffer.byteLength(message, "utf8");
  }
  let data = line.data;
  if (data !== undefined) {
    const dataBytes = Buffer.byteLength(JSON.stringify(data), "utf8");
    if (dataBytes > maxBytes) data = { cut: `the data was ${dataBytes} bytes; the limit is ${maxBytes}` };
    bytes += Math.min(dataBytes, maxBytes);
  }
  const bounded: LogLine = { ...line, message };
  if (data !== undefined) bounded.data = data;
  else delete bounded.data;
  return { line: bounded, bytes };
}

/** Size of a result as it is stored (JSON, UTF-8); 0 for none. */
export function resultBytes(result: unknown): number {
  if (result === undefined || result === null) return 0;
  return Buffer.byteLength(JSON.stringify(result), "utf8");
}
