import type { OutboundClient } from "../../infra/net/outbound.js";

/** What a provider's token endpoint answered. */
export type TokenGrant = {
  accessToken: string;
  refreshToken: string | null;
  expiresAt: Date | null;
  scopes: string[] | null;
  /** OpenID Connect: the ID token, when the provider sent one. */
  idToken: string | null;
};

/** The token endpoint refused the grant (RFC 6749 §5.2): `code` is the OAuth error code. */
export class OAuthGrantError extends Error {
  override readonly name = "OAuthGrantError";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const TIMEOUT_MS = 15_000;
/** A token answer is a few kilobytes; anything past this is not one. */
const MAX_ANSWER_BYTES = 256 * 1024;

/**
 * One POST to a token endpoint, form-encoded, the client authenticating in the body
 * (client_secret_post), through the platform's outbound client: the token URL is a platform admin's
 * (it may be on a private network), but a redirect goes only where workflows could go, and the
 * answer is size-capped. A transport failure, a refusal or a non-OAuth answer becomes an
 * OAuthGrantError with code `request_failed`; the message never holds a token or the secret.
 */
export async function requestToken(
  outbound: OutboundClient,
  tokenUrl: string,
  params: Record<string, string>,
  now: number,
): Promise<TokenGrant> {
  let response: { status: number; body: Buffer };
  try {
    response = await outbound.request(tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams(params).toString(),
      trust: "admin",
      maxBodyBytes: MAX_ANSWER_BYTES,
      timeoutMs: TIMEOUT_MS,
    });
  } catch (error) {
    throw new OAuthGrantError(
      "request_failed",
      `The token endpoint did not answer: ${(error as Error).message}`,
    );
  }
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(response.body.toString("utf8")) as Record<string, unknown>;
  } catch {
    // Not JSON: the status says enough.
  }
  const ok = response.status >= 200 && response.status < 300;
  if (!ok || typeof body.access_token !== "string") {
    const code = typeof body.error === "string" ? body.error : "request_failed";
    const description = typeof body.error_description === "string" ? `: ${body.error_description}` : "";
    throw new OAuthGrantError(code, `The token endpoint answered ${response.status} ${code}${description}`);
  }
  const expiresIn = Number(body.expires_in);
  return {
    accessToken: body.access_token,
    refreshToken: typeof body.refresh_token === "string" ? body.refresh_token : null,
    expiresAt: Number.isFinite(expiresIn) && expiresIn > 0 ? new Date(now + expiresIn * 1000) : null,
    scopes: typeof body.scope === "string" ? body.scope.split(" ").filter(Boolean) : null,
    idToken: typeof body.id_token === "string" ? body.id_token : null,
  };
}
