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
