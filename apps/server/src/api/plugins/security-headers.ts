import type { FastifyInstance } from "fastify";

/**
 * The policy of an API answer opened as a page (JSON, the OAuth callback's small page, an error):
 * it loads nothing and may not be framed. The docs at /api/docs set their own (openapi.ts).
 */
const API_POLICY = "default-src 'none'; frame-ancestors 'none'";

/** One year: what browsers' preload lists ask for; HSTS is sent only when the public URL is https. */
const HSTS = "max-age=31536000";

/**
 * The policy of the web client's pages and files. Scripts come only from this origin's built files:
 * no inline script, no `eval`, no other origin, so an injected `<script>` or `onerror=` does nothing.
 * Styles may be inline: Radix's dialogs and CodeMirror add `<style>` elements at run time, and an
 * HTML result in its sandboxed `srcdoc` frame (which inherits this policy) keeps its own style sheet;
 * with images, fonts and connections held to this origin, injected CSS can read nothing out. Images
 * may be `data:` (the MFA enrolment's QR code). The client's requests may also go to the public
 * URL's origin, where the API signs upload URLs when it is set.
 */
export function webClientPolicy(publicUrl: string | undefined): string {
  const publicOrigin = originOf(publicUrl);
  const connect = ["'self'", ...(publicOrigin ? [publicOrigin] : [])];
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src ${connect.join(" ")}`,
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const origin = new URL(url).origin;
    return origin === "null" ? undefined : origin;
  } catch {
    return undefined;
  }
}

/**
 * Headers of every answer, errors and the web client included: never framed (clickjacking), never
 * content-sniffed into something runnable, no referrer sent to other origins (invitation and reset
 * tokens travel in page URLs), and HSTS once the platform is public over https. Answers that set
 * their own Content-Security-Policy (the web client, the docs) keep it; any other gets API_POLICY.
 */
export function registerSecurityHeaders(
  app: FastifyInstance,
  options: { publicUrl: string | undefined },
): void {
  const hsts = options.publicUrl?.startsWith("https:") ?? false;
  app.addHook("onSend", async (_request, reply) => {
    reply.header("x-content-type-options", "nosniff");
    reply.header("referrer-policy", "same-origin");
    // For browsers without frame-ancestors; the CSP directive wins where both are understood.
    reply.header("x-frame-options", "DENY");
    if (hsts) reply.header("strict-transport-security", HSTS);
    if (!reply.hasHeader("content-security-policy")) reply.header("content-security-policy", API_POLICY);
  });
}
