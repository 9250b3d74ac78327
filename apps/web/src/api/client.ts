import type { ErrorBody } from "@bifrost/contracts";

/** An answer of the API that is not a 2xx: the API's error body (API.md "Conventions"). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly kind: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

const CSRF_COOKIE = "csrf_token";
const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

function csrfToken(): string | undefined {
  const match = new RegExp(`(?:^|; )${CSRF_COOKIE}=([^;]*)`).exec(document.cookie);
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}

/** One refresh at a time, whoever asks (single flight): concurrent 401s share it. */
let refreshing: Promise<boolean> | undefined;

export function refreshSession(): Promise<boolean> {
  refreshing ??= fetch("/auth/refresh", {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json", ...(csrfToken() ? { "x-csrf-token": csrfToken() } : {}) },
    body: "{}",
  })
    .then((r) => r.ok)
    .catch(() => false)
    .finally(() => {
      refreshing = undefined;
    });
  return refreshing;
}

export type RequestOptions = { method?: string; body?: unknown; signal?: AbortSignal; retryOn401?: boolean };

/**
 * Calls the API with the session cookies (HttpOnly access token + double-submit CSRF header on
 * unsafe methods). A 401 refreshes the session once and retries; an error answer throws ApiError.
 */
export async function apiFetch<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? "GET";
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const csrf = csrfToken();
  if (!SAFE.has(method) && csrf) headers["x-csrf-token"] = csrf;
  const response = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: options.body === undefined ? null : JSON.stringify(options.body),
    signal: options.signal ?? null,
  });
  if (response.status === 401 && options.retryOn401 !== false && !path.startsWith("/auth/")) {
    if (await refreshSession()) return apiFetch<T>(path, { ...options, retryOn401: false });
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const error = (parsed ?? {}) as Partial<ErrorBody>;
    throw new ApiError(
      response.status,
      error.error ?? "error",
      error.message ?? `HTTP ${response.status}`,
      error.details,
    );
  }
  return parsed as T;
}
