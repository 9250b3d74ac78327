/**
 * Where to go after signing in: the page asked for, only if it is a path of this site. `next` comes
 * from a link anyone can send, so a value that a browser, or a later decoding, could read as another
 * origin is an open redirect: browsers take a backslash for a slash and drop tabs and newlines (so
 * "/\evil.example" and "/<tab>/evil.example" mean "//evil.example"), and "%5C" or "%2F" turn into
 * those once decoded. Every decoded layer must be a plain path; anything else goes home.
 */
export function safeNext(next: string | null | undefined): string {
  return next && isPathOfThisSite(next) ? next : "/";
}

const PLACEHOLDER_ORIGIN = "https://bifrost.invalid";
const MAX_ENCODINGS = 5;

function isPathOfThisSite(next: string): boolean {
  let layer = next;
  for (let round = 0; round <= MAX_ENCODINGS; round++) {
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
    if (!layer.startsWith("/") || layer.startsWith("//") || /[\\\u0000-\u001f\u007f]/.test(layer))
      return false;
    let decoded: string;
    try {
      decoded = decodeURIComponent(layer);
    } catch {
      return false;
    }
    if (decoded === layer) return new URL(next, PLACEHOLDER_ORIGIN).origin === PLACEHOLDER_ORIGIN;
    layer = decoded;
  }
  return false;
}
