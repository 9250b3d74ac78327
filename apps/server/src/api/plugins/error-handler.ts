import { errorStatusByKind, type ErrorBody, type ErrorKind, type FieldError } from "@bifrost/contracts";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AppError, fromDriverError, MethodNotAllowedError, RateLimitedError } from "../../errors.js";

type HttpError = { kind: ErrorKind; message: string; details?: unknown; headers?: Record<string, string> };

const kindByStatus = new Map<number, ErrorKind>(
  Object.entries(errorStatusByKind).map(([kind, status]) => [status, kind as ErrorKind]),
);

/** Errors Fastify raises itself, before a handler runs. Their text is safe to show. */
const fastifyCodes: Record<string, { kind: ErrorKind; message?: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    kind: "unsupported_media_type",
    message: "Unsupported content type: send application/json",
  },
  FST_ERR_CTP_BODY_TOO_LARGE: { kind: "payload_too_large", message: "The request body is too large" },
  FST_ERR_CTP_EMPTY_JSON_BODY: { kind: "bad_request", message: "The JSON body is empty" },
  FST_ERR_CTP_INVALID_JSON_BODY: { kind: "bad_request", message: "The body is not valid JSON" },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    kind: "bad_request",
    message: "Content-Length does not match the body",
  },
};

function validationFields(error: FastifyError): FieldError[] {
  const context = error.validationContext ?? "body";
  return (error.validation ?? []).map((issue) => {
    const pointer = issue.instancePath.replace(/^\//, "").replaceAll("/", ".");
    return { path: pointer ? `${context}.${pointer}` : context, message: issue.message ?? "is invalid" };
  });
}

/** The one mapping from anything thrown to the API's error body. */
export function toHttpError(error: unknown): HttpError {
  const known = error instanceof AppError ? error : fromDriverError(error);
  if (known) {
    const headers: Record<string, string> = {};
    if (known instanceof RateLimitedError) headers["retry-after"] = String(known.retryAfterSeconds);
    if (known instanceof MethodNotAllowedError) headers["allow"] = known.allowed.join(", ");
    return { kind: known.kind, message: known.message, details: known.details, headers };
  }
  const fastifyError = error as Partial<FastifyError>;
  if (Array.isArray(fastifyError.validation)) {
    return {
      kind: "validation_error",
      message: "The request is invalid",
      details: { fields: validationFields(fastifyError as FastifyError) },
    };
  }
  const byCode = fastifyError.code ? fastifyCodes[fastifyError.code] : undefined;
  if (byCode) return { kind: byCode.kind, message: byCode.message ?? "Bad request" };
  if (error instanceof SyntaxError && fastifyError.statusCode === 400) {
    return { kind: "bad_request", message: "The body is not valid JSON" };
  }
  const status = fastifyError.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500 && fastifyError.code?.startsWith("FST_")) {
    return {
      kind: kindByStatus.get(status) ?? "bad_request",
      message: fastifyError.message ?? "Bad request",
    };
  }
  return { kind: "internal_error", message: "Internal server error" };
}

export function sendError(reply: FastifyReply, request: FastifyRequest, error: HttpError): FastifyReply {
  const body: ErrorBody = {
    error: error.kind,
    message: error.message,
    ...(error.details === undefined ? {} : { details: error.details }),
    requestId: request.id,
  };
  return reply
    .code(errorStatusByKind[error.kind])
    .headers(error.headers ?? {})
    .type("application/json; charset=utf-8")
    .serializer(JSON.stringify)
    .send(body);
}

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const mapped = toHttpError(error);
    const status = errorStatusByKind[mapped.kind];
    if (status >= 500) request.log.error({ err: error }, "request failed");
    else request.log.info({ kind: mapped.kind, reason: mapped.message }, "request rejected");
    return sendError(reply, request, mapped);
  });
}
