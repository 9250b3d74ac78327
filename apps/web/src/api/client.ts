import type { ErrorBody, TokenPair } from "@bifrost/contracts";

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

/** The API's 404: the record does not exist or is out of the caller's reach (they look the same). */
export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}

const CSRF_COOKIE = "csrf_token";
const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);
/** Their 401 means wrong credentials or code, not an expired session: never refresh and retry. */
const SIGN_IN_ROUTES = /^\/auth\/(setup|login|refresh|mfa\/(setup|verify|login))$/;

function csrfToken(): string | undefined {
  const match = new RegExp(`(?:^|; )${CSRF_COOKIE}=([^;]*)`).exec(document.cookie);
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}

/**
 * When the access token expires (epoch ms), kept in localStorage so a reload still refreshes before
 * expiry; the tokens themselves stay in HttpOnly cookies. Not a secret: only a time.
 */
const EXPIRY_KEY = "bifrost.sessionExpiresAt";

export function sessionExpiresAt(): number | undefined {
  const value = Number(localStorage.getItem(EXPIRY_KEY));
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

/** Remembers the expiry of a fresh token pair (login, MFA, refresh). */
export function rememberSession(pair: Pick<TokenPair, "expiresIn">): void {
  localStorage.setItem(EXPIRY_KEY, String(Date.now() + pair.expiresIn * 1000));
}

export function forgetSession(): void {
  localStorage.removeItem(EXPIRY_KEY);
}

/** One refresh at a time, whoever asks (single flight): concurrent 401s and the timer share it. */
let refreshing: Promise<boolean> | undefined;

export function refreshSession(): Promise<boolean> {
  const csrf = csrfToken();
  refreshing ??= fetch("/auth/refresh", {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json", ...(csrf ? { "x-csrf-token": csrf } : {}) },
    body: "{}",
  })
    .then(async (r) => {
      if (!r.ok) return false;
      rememberSession((await r.json()) as TokenPair);
      return true;
    })
    .catch(() => false)
    .finally(() => {
      refreshing = undefined;
    });
  return refreshing;
}

export type RequestOptions = {
  method?: string;
  body?: unknown;
  signal?: AbortSignal;
  retryOn401?: boolean;
  /** Extra headers, e.g. the MFA token as a bearer token during enrolment. */
  headers?: Record<string, string>;
};

/**
 * Calls the API with the session cookies (HttpOnly access token + double-submit CSRF header on
 * unsafe methods). A 401 refreshes the session once and retries; an error answer throws ApiError.
 */
export async function apiFetch<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? "GET";
  const headers: Record<string, string> = { ...options.headers };
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
  if (response.status === 401 && options.retryOn401 !== false && !SIGN_IN_ROUTES.test(path)) {
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
