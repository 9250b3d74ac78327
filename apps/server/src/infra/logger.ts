import { pino, type Logger } from "pino";

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

export function createLogger(options: { level: string; role: string }): Logger {
  return pino({
    level: options.level,
    base: { role: options.role, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: "[REDACTED]" },
  });
}
