/**
 * PostgreSQL text and jsonb cannot hold the NUL character: a run that returns or logs one must not
 * keep its row from being stored. NUL becomes U+FFFD (the replacement character) in strings and keys.
 */
export function withoutNul<T>(value: T): T {
  if (typeof value === "string")
    return (value.includes("\u0000") ? value.replaceAll("\u0000", "\uFFFD") : value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => withoutNul(item)) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, item]) => [
        withoutNul(key),
        withoutNul(item),
      ]),
    ) as T;
  }
  return value;
}

/** Whether a JSON value holds a NUL anywhere (input from the API is refused rather than changed). */
export const containsNul = (value: unknown): boolean => JSON.stringify(value)?.includes("\\u0000") ?? false;
