import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * A small OAuth 2.0 authorization server for tests: authorize (redirects with a code), token
 * (authorization_code with PKCE S256, refresh_token with rotation, client_credentials), a
 * protected `/me`, revocation of every refresh token and counters of the grants it served.
 */
export type OAuthServer = {
  url: string;
  clientId: string;
  clientSecret: string;
  calls: { refresh: number; clientCredentials: number; code: number };
  /** Lifetime of the access tokens it issues, in seconds. */
  expiresIn: number;
  /** Delay of the token endpoint (widens races). */
  delayMs: number;
  revokeRefreshTokens(): void;
  isValid(accessToken: string): boolean;
  close(): Promise<void>;
};

type PendingCode = { challenge: string; redirectUri: string };

export async function startOAuthServer(): Promise<OAuthServer> {
  const codes = new Map<string, PendingCode>();
  const refreshTokens = new Set<string>();
  const accessTokens = new Set<string>();
  let counter = 0;
  const issue = (withRefresh: boolean): Record<string, unknown> => {
    const access = `at-${++counter}-${Math.random().toString(36).slice(2)}`;
    accessTokens.add(access);
    const body: Record<string, unknown> = {
      access_token: access,
      token_type: "Bearer",
      expires_in: server.expiresIn,
      scope: "read write",
    };
    if (withRefresh) {
      const refresh = `rt-${counter}-${Math.random().toString(36).slice(2)}`;
      refreshTokens.add(refresh);
      body.refresh_token = refresh;
    }
    return body;
  };
  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  };
  const readBody = async (req: IncomingMessage): Promise<URLSearchParams> => {
    let text = "";
    for await (const chunk of req) text += String(chunk);
    return new URLSearchParams(text);
  };

  async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = await readBody(req);
    await sleep(server.delayMs);
    if (form.get("client_id") !== server.clientId || form.get("client_secret") !== server.clientSecret) {
      return json(res, 401, { error: "invalid_client" });
    }
    switch (form.get("grant_type")) {
      case "authorization_code": {
        const pending = codes.get(form.get("code") ?? "");
        codes.delete(form.get("code") ?? "");
        const challenge = createHash("sha256")
          .update(form.get("code_verifier") ?? "")
          .digest("base64url");
        if (!pending || pending.challenge !== challenge || pending.redirectUri !== form.get("redirect_uri")) {
          return json(res, 400, {
            error: "invalid_grant",
            error_description: "bad code, verifier or redirect",
          });
        }
        server.calls.code += 1;
        return json(res, 200, issue(true));
      }
      case "refresh_token": {
        server.calls.refresh += 1;
        const given = form.get("refresh_token") ?? "";
        if (!refreshTokens.delete(given)) {
          return json(res, 400, { error: "invalid_grant", error_description: "refresh token revoked" });
        }
        return json(res, 200, issue(true));
      }
      case "client_credentials":
        server.calls.clientCredentials += 1;
        return json(res, 200, issue(false));
      default:
        return json(res, 400, { error: "unsupported_grant_type" });
    }
  }

  const http = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === "/authorize") {
      const code = `code-${++counter}`;
      if (url.searchParams.get("code_challenge_method") !== "S256") return json(res, 400, { error: "pkce" });
      const redirectUri = url.searchParams.get("redirect_uri") ?? "";
      codes.set(code, { challenge: url.searchParams.get("code_challenge") ?? "", redirectUri });
      const target = new URL(redirectUri);
      target.searchParams.set("code", code);
      target.searchParams.set("state", url.searchParams.get("state") ?? "");
      res.writeHead(302, { location: target.toString() }).end();
      return;
    }
    if (url.pathname === "/token" && req.method === "POST") {
      void token(req, res);
      return;
    }
    if (url.pathname === "/me") {
      const given = (req.headers.authorization ?? "").replace(/^Bearer /, "");
      return json(res, accessTokens.has(given) ? 200 : 401, { ok: accessTokens.has(given) });
    }
    json(res, 404, { error: "not_found" });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  const server: OAuthServer = {
    url: `http://127.0.0.1:${port}`,
    clientId: "bifrost-client",
    clientSecret: "client-secret-s3cr3t-value",
    calls: { refresh: 0, clientCredentials: 0, code: 0 },
    expiresIn: 3600,
    delayMs: 0,
    revokeRefreshTokens: () => refreshTokens.clear(),
    isValid: (accessToken) => accessTokens.has(accessToken),
    close: () => new Promise<void>((resolve) => http.close(() => resolve())),
  };
  return server;
}

/** The body of `POST /api/oauth/connections` for an authorization-code connection to `server`. */
export function oauthConnectionBody(
  server: OAuthServer,
  name: string,
  scopes: string[],
): Record<string, unknown> {
  return {
    name,
    flow: "authorization_code",
    clientId: server.clientId,
    clientSecret: server.clientSecret,
    authorizeUrl: `${server.url}/authorize`,
    tokenUrl: `${server.url}/token`,
    scopes,
  };
}
