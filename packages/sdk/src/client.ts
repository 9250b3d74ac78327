import type { z } from "zod";
import { currentRuntime } from "./context.js";
import { BifrostApiError, NotFoundError } from "./errors.js";

const RETRYABLE_STATUS = new Set([502, 503, 504]);
const BACKOFF_MS = [200, 500, 1000, 2000, 4000];
const REQUEST_TIMEOUT_MS = 30_000;

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
type ErrorBody = { error?: string; message?: string; details?: unknown };

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      },
      { once: true },
    );
  });

type CallOptions = { idempotent?: boolean };

/**
 * `load` once, on first use (a failed load is tried again next time). The SDK's modules load their
 * response schemas this way: building a module of the contracts' schemas takes ~10 ms of CPU, which
 * every workflow child would otherwise pay at start whether or not its runs call that module.
 */
export function onFirstUse<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));
}

/** The API's answer checked against its schema from the contracts; a mismatch is an error, not a cast. */
function checked<S extends z.ZodType>(answer: S, parsed: unknown, status: number, call: string): z.output<S> {
  const result = answer.safeParse(parsed);
  if (result.success) return result.data;
  const issues = result.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join(".") || "(body)"}: ${issue.message}`)
    .join("; ");
  throw new BifrostApiError(
    status,
    "unexpected_answer",
    `The API answered ${call} with an unexpected body (${issues})`,
  );
}

/**
 * Calls the Bifrost API with the run's execution token. Idempotent calls are retried on connection
 * errors and 502/503/504 with backoff, so a rolling restart of the API does not fail runs. With
 * `answer`, the body of a successful answer is checked against that schema (the contracts' response
 * schema of the route) and returned parsed; without it, the call answers nothing.
 */
export async function callApi<S extends z.ZodType>(
  method: Method,
  path: string,
  body: unknown,
  options: CallOptions & { answer: S },
): Promise<z.output<S>>;
export async function callApi(
  method: Method,
  path: string,
  body?: unknown,
  options?: CallOptions,
): Promise<void>;
export async function callApi(
  method: Method,
  path: string,
  body?: unknown,
  options: CallOptions & { answer?: z.ZodType } = {},
): Promise<unknown> {
  const runtime = currentRuntime();
  const idempotent = options.idempotent ?? (method === "GET" || method === "PUT" || method === "DELETE");
  for (let attempt = 0; ; attempt++) {
    let response: Response;
    try {
      response = await fetch(new URL(path, runtime.apiUrl), {
        method,
        headers: {
          authorization: `Bearer ${runtime.token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? null : JSON.stringify(body),
        signal: AbortSignal.any([runtime.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
      });
    } catch (error) {
      if (runtime.signal.aborted || !idempotent || attempt >= BACKOFF_MS.length) throw error;
      await sleep(BACKOFF_MS[attempt] ?? 4000, runtime.signal);
      continue;
    }
    if (idempotent && RETRYABLE_STATUS.has(response.status) && attempt < BACKOFF_MS.length) {
      await response.body?.cancel();
      await sleep(BACKOFF_MS[attempt] ?? 4000, runtime.signal);
      continue;
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // A proxy's HTML error page, say: the status still tells what happened.
      parsed = undefined;
    }
    if (response.ok) {
      if (!options.answer) return undefined;
      return checked(options.answer, parsed, response.status, `${method} ${path.split("?")[0] ?? path}`);
    }
    const error = (parsed ?? {}) as ErrorBody;
    const ErrorClass = response.status === 404 ? NotFoundError : BifrostApiError;
    throw new ErrorClass(
      response.status,
      error.error ?? "error",
      error.message ?? `HTTP ${response.status}`,
      error.details,
    );
  }
}
