import type { ErrorKind, FieldError } from "@bifrost/contracts";

/**
 * The platform's error hierarchy. Services and routes throw these; one handler
 * (api/plugins/error-handler.ts) maps them to HTTP. A failure of user code is a result, not one of these.
 */
export abstract class AppError extends Error {
  abstract readonly kind: ErrorKind;
  readonly details: unknown;
  constructor(message: string, details?: unknown) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}

export class BadRequestError extends AppError {
  readonly kind = "bad_request";
}
export class UnauthorizedError extends AppError {
  readonly kind = "unauthorized";
}
export class ForbiddenError extends AppError {
  readonly kind = "forbidden";
}
export class NotFoundError extends AppError {
  readonly kind = "not_found";
}
export class ConflictError extends AppError {
  readonly kind = "conflict";
}
export class PayloadTooLargeError extends AppError {
  readonly kind = "payload_too_large";
}
export class UnsupportedMediaTypeError extends AppError {
  readonly kind = "unsupported_media_type";
}
export class TimeoutError extends AppError {
  readonly kind = "timeout";
}

export class MethodNotAllowedError extends AppError {
  readonly kind = "method_not_allowed";
  constructor(
    message: string,
    readonly allowed: string[],
  ) {
    super(message);
  }
}

export class ValidationError extends AppError {
  readonly kind = "validation_error";
  constructor(message: string, fields: FieldError[], extra?: Record<string, unknown>) {
    super(message, { ...extra, fields });
  }
}

export class RateLimitedError extends AppError {
  readonly kind = "rate_limited";
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** A backing service (database, queue, bus, file store) does not answer. */
export class UnavailableError extends AppError {
  readonly kind = "unavailable";
  constructor(
    readonly component: string,
    message = `${component} is unavailable`,
    options?: { cause?: unknown },
  ) {
    super(message);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "EPIPE",
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now
  "53300", // too_many_connections
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
]);

/** The chain of `cause`s (and an AggregateError's first error), outermost first, bounded. */
function causeChain(error: unknown): Error[] {
  const chain: Error[] = [];
  for (let current = error; current instanceof Error && chain.length < 6;) {
    chain.push(current);
    current =
      current instanceof AggregateError && current.errors[0] !== undefined
        ? current.errors[0]
        : current.cause;
  }
  return chain;
}

/** Errors that only the database path throws: drizzle's query wrapper and pg's server error. */
const DATABASE_ERROR_NAMES = new Set(["DrizzleQueryError", "DatabaseError"]);

/**
 * Maps what a database query throws to the hierarchy, looking through drizzle's wrapper. Only errors
 * that came through the database path are mapped, so a network error of another client is never
 * reported as "database unavailable". Never copies SQL or driver text into the message.
 */
export function fromDriverError(error: unknown): AppError | undefined {
  const chain = causeChain(error);
  // drizzle's error keeps `name` "Error"; the class name is what tells it apart.
  if (!chain.some((e) => DATABASE_ERROR_NAMES.has(e.constructor.name))) return undefined;
  for (const current of chain) {
    // Thrown by the adapter itself (the embedded database's wait and transaction bounds).
    if (current instanceof AppError) return current;
    const code = (current as { code?: unknown }).code;
    if (code === "23505") return new ConflictError("A record with the same unique value already exists");
    if (code === "23503")
      return new ConflictError("The record is referenced by, or refers to, another record");
    if (typeof code === "string" && UNAVAILABLE_CODES.has(code)) {
      return new UnavailableError("database", "The database is unavailable");
    }
    if (
      /Connection terminated|connection timeout|Client has encountered a connection error/i.test(
        current.message,
      )
    ) {
      return new UnavailableError("database", "The database is unavailable");
    }
  }
  return undefined;
}
