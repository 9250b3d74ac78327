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
    message = `${cutToBytes(message, maxBytes)} … [line cut: ${bytes} bytes, the limit is ${maxBytes}]`;
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
