import { isIP } from "node:net";
import { BadRequestError } from "../../errors.js";

/** Who the browser is talking to, as WebAuthn sees it: a passkey is bound to `id` for good. */
export type RelyingParty = {
  /** A host name, never an IP address: the relying-party id every passkey is made for. */
  id: string;
  /** The origin the browser's signed client data must name (scheme, host, port). */
  origin: string;
};

const OPENED_BY_IP =
  "Passkeys need a host name, and this page was opened by IP address, which WebAuthn refuses: " +
  "open Bifrost at http://localhost:<port> on this machine, or set BIFROST_PUBLIC_URL to its host name";
const PUBLIC_URL_IS_IP =
  "Passkeys need a host name, and BIFROST_PUBLIC_URL is an IP address, which WebAuthn refuses: " +
  "set it to the platform's host name";

/**
 * The relying party of a request. With BIFROST_PUBLIC_URL, its host name and origin, whatever the
 * request says (behind a proxy the request's own scheme and host are not the browser's). Without it,
 * the host the browser used (its `Host`, port dropped) and the request's origin — fine on
 * `localhost`, and on a single host name. Passkeys made under one host name never work under another,
 * so a platform that moves needs its users to add new ones.
 */
export function relyingPartyFor(publicUrl: string | undefined, requestOrigin: string): RelyingParty {
  let url: URL;
  try {
    url = new URL(publicUrl ?? requestOrigin);
  } catch {
    throw new BadRequestError("The request names no host: passkeys need one");
  }
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (!host) throw new BadRequestError("The request names no host: passkeys need one");
  if (isIP(host) !== 0) throw new BadRequestError(publicUrl ? PUBLIC_URL_IS_IP : OPENED_BY_IP);
  return { id: host, origin: url.origin };
}
