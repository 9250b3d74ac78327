import { pino, type DestinationStream, type Logger } from "pino";

export type { Logger };

/** Paths never written to logs, whatever a caller passes in. */
const REDACTED_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["x-bifrost-key"]',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  "password",
  "*.password",
  "secret",
  "*.secret",
  "secretKey",
  "*.secretKey",
  "token",
  "*.token",
];

/** Driver fields that are safe to log: they name what failed, never the values involved. */
const SAFE_ERROR_FIELDS = [
  "code",
  "errno",
  "syscall",
  "severity",
  "routine",
  "constraint",
  "table",
  "column",
];

/**
 * Errors as log objects, minus what could carry user data: Drizzle puts the SQL and every bound
 * parameter (password hashes, e-mails) in its message, and PostgreSQL puts the conflicting values in
 * `detail` ("Key (email)=(…) already exists"). Redact paths cannot reach text inside a message.
 */
function serializeError(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error)) return error;
  const withheld = error.message.startsWith("Failed query:");
  const message = withheld ? "Failed query (SQL and parameters withheld)" : error.message;
  const out: Record<string, unknown> = {
    type: error.name,
    message,
    stack: withheld ? error.stack?.replace(error.message, message) : error.stack,
  };
  for (const field of SAFE_ERROR_FIELDS) {
    const value = (error as unknown as Record<string, unknown>)[field];
    if (typeof value === "string" || typeof value === "number") out[field] = value;
  }
  if (error instanceof AggregateError && depth < 4)
    out.errors = error.errors.map((e) => serializeError(e, depth + 1));
  if (error.cause !== undefined && depth < 4) out.cause = serializeError(error.cause, depth + 1);
  return out;
}

export function createLogger(options: {
  level: string;
  role: string;
  destination?: DestinationStream;
}): Logger {
  return pino(
    {
      level: options.level,
      base: { role: options.role, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: "[REDACTED]" },
      serializers: { err: serializeError },
    },
    options.destination,
  );
}
