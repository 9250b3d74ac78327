import http, { type IncomingHttpHeaders } from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { EgressPolicy, type EgressRule } from "./egress-policy.js";
import { pickAllowedAddress, systemResolver, type Resolver } from "./resolver.js";

/**
 * The platform's own outgoing calls (OAuth token URLs; later OIDC, SMTP, LLM providers, webhooks,
 * Git remotes, the npm registry) go through this one client, never a bare `fetch`:
 * - `trust: "admin"`: a destination a platform admin configured may be private or loopback (an
 *   internal relay, a local gateway, the test suite's servers); `BIFROST_OUTBOUND_DENY` still applies;
 * - `trust: "untrusted"`: a URL someone else can influence gets the workflows' egress policy;
 * - redirects: to the same origin as an admin destination, followed; anywhere else, only where the
 *   workflows' policy allows it (a token URL cannot bounce the platform into the metadata service);
 * - the address checked is the address connected to (the lookup hands over the checked one);
 * - answers are size-capped, and a timeout bounds the whole call.
 */

type OutboundTrust = "admin" | "untrusted";

export type OutboundRequest = {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  trust: OutboundTrust;
  /** Default 1 MiB; a larger answer fails the call. */
  maxBodyBytes?: number;
  /** Default 15 s, redirects included. */
  timeoutMs?: number;
};

export type OutboundResponse = { status: number; headers: IncomingHttpHeaders; body: Buffer; url: string };

/** A call refused by the policy, or that went wrong: the message names the URL's origin, never more. */
export class OutboundError extends Error {
  override readonly name = "OutboundError";
}

const MAX_REDIRECTS = 5;
const DEFAULT_MAX_BODY = 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 15_000;

export class OutboundClient {
  private readonly workflowPolicy: EgressPolicy;
  /** BIFROST_OUTBOUND_DENY alone: what even an admin destination may not be. */
  private readonly adminPolicy: EgressPolicy;
  private readonly resolve: Resolver;

  constructor(
    options: {
      /** The workflows' policy (its allow and deny lists and protected services). */
      workflowPolicy?: EgressPolicy;
      /** `BIFROST_OUTBOUND_DENY`. */
      deny?: readonly EgressRule[];
      resolver?: Resolver;
    } = {},
  ) {
    this.workflowPolicy = options.workflowPolicy ?? new EgressPolicy();
    this.adminPolicy = new EgressPolicy({
      deny: options.deny ?? [],
      defaultDeny: false,
      denyLabel: "BIFROST_OUTBOUND_DENY",
    });
    this.resolve = options.resolver ?? systemResolver;
  }

  async request(url: string, request: OutboundRequest): Promise<OutboundResponse> {
    const deadline = Date.now() + (request.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const first = parseUrl(url);
    let current = first;
    let method = request.method ?? "GET";
    let body = request.body;
    for (let redirects = 0; ; redirects++) {
      // BIFROST_OUTBOUND_DENY always; the workflows' policy too, but for an admin's own origin.
      const adminOrigin = request.trust === "admin" && current.origin === first.origin;
      const policies = adminOrigin ? [this.adminPolicy] : [this.adminPolicy, this.workflowPolicy];
      const address = await this.checkedAddress(current, policies);
      const response = await send(current, address, { ...request, method, body }, deadline);
      const location = response.headers.location;
      if (response.status < 300 || response.status > 399 || location === undefined) return response;
      if (redirects >= MAX_REDIRECTS)
        throw new OutboundError(`${first.origin}: more than ${MAX_REDIRECTS} redirects`);
      current = parseUrl(new URL(location, current).href);
      // 303 (and 301/302 after a POST, as browsers do) continue as a GET without a body.
      if (
        response.status === 303 ||
        ((response.status === 301 || response.status === 302) && method === "POST")
      ) {
        method = "GET";
        body = undefined;
      }
    }
  }

  /**
   * For a protocol other than HTTP (SMTP): the address of an admin-configured `host` to connect to,
   * checked against `BIFROST_OUTBOUND_DENY` like an admin HTTP destination. Connect to this address
   * (with `host` as the TLS server name), not to the name.
   */
  async addressFor(host: string, port: number): Promise<string> {
    let picked;
    try {
      picked = await pickAllowedAddress(host, port, [this.adminPolicy], this.resolve);
    } catch (error) {
      throw new OutboundError(`${host}:${port}: the name did not resolve (${(error as Error).message})`);
    }
    if ("refused" in picked) throw new OutboundError(`${host}:${port}: refused, ${picked.refused}`);
    return picked.address;
  }

  /** The address to connect to, once every policy accepted it (the first acceptable one). */
  private async checkedAddress(url: URL, policies: readonly EgressPolicy[]): Promise<string> {
    const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
    let picked;
    try {
      picked = await pickAllowedAddress(url.hostname, port, policies, this.resolve);
    } catch (error) {
      throw new OutboundError(`${url.origin}: the name did not resolve (${(error as Error).message})`);
    }
    if ("refused" in picked) throw new OutboundError(`${url.origin}: refused, ${picked.refused}`);
    return picked.address;
  }
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new OutboundError("not a valid URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new OutboundError(`${url.protocol} URLs are not supported`);
  return url;
}

/** One request to `url`, connected to `address` (already checked), the answer read up to the cap. */
function send(
  url: URL,
  address: string,
  request: OutboundRequest & { method: string },
  deadline: number,
): Promise<OutboundResponse> {
  const maxBodyBytes = request.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const remaining = deadline - Date.now();
  if (remaining <= 0) return Promise.reject(new OutboundError(`${url.origin}: timed out`));
  // Whatever the name resolves to now, the connection goes to the address that was checked.
  const lookup: LookupFunction = (_host, options, callback) => {
    const family = isIP(address);
    if ((options as { all?: boolean }).all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
  return new Promise<OutboundResponse>((resolve, reject) => {
    const client = url.protocol === "https:" ? https : http;
    const outgoing = client.request(
      url,
      {
        method: request.method,
        headers: {
          ...request.headers,
          ...(request.body !== undefined
            ? { "content-length": String(Buffer.byteLength(request.body)) }
            : {}),
        },
        lookup,
        signal: AbortSignal.timeout(remaining),
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBodyBytes) {
            response.destroy();
            reject(new OutboundError(`${url.origin}: the answer is larger than ${maxBodyBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
            url: url.href,
          }),
        );
        response.on("error", (error) => reject(new OutboundError(`${url.origin}: ${error.message}`)));
      },
    );
    outgoing.on("error", (error) => reject(new OutboundError(`${url.origin}: ${error.message}`)));
    outgoing.end(request.body);
  });
}
