/** The media type of a Content-Type value, lower-cased, without parameters (`Text/Plain; x` → `text/plain`). */
export const mediaTypeOf = (contentType: string): string =>
  contentType.split(";")[0]?.trim().toLowerCase() ?? "";

/** Whether a Content-Type is one of `allowed`: exact media types, or `family/*` for a whole family. */
export function contentTypeAllowed(contentType: string, allowed: readonly string[]): boolean {
  const type = mediaTypeOf(contentType);
  if (type === "") return false;
  return allowed.some((pattern) => {
    const p = pattern.toLowerCase();
    return p.endsWith("/*") ? type.startsWith(p.slice(0, -1)) : type === p;
  });
}
