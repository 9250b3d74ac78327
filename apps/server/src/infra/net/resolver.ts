import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import type { EgressPolicy } from "./egress-policy.js";

/** Every address a name resolves to, in the resolver's order. */
export type Resolver = (host: string) => Promise<string[]>;

export const systemResolver: Resolver = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

export type PickedAddress = { address: string } | { refused: string };

/**
 * The first address of `host` that every policy accepts (an IP literal is its own only address):
 * the caller connects to that very address, so what was checked is what is reached. A name that does
 * not resolve throws (the resolver's error).
 */
export async function pickAllowedAddress(
  host: string,
  port: number,
  policies: readonly EgressPolicy[],
  resolve: Resolver,
): Promise<PickedAddress> {
  const bare = host.replace(/^\[|\]$/g, "");
  const addresses = isIP(bare) ? [bare] : await resolve(bare);
  let refusal: string | undefined;
  for (const address of addresses) {
    const refused = policies
      .map((policy) => policy.check({ host: bare, address, port }))
      .find((d) => !d.allowed);
    if (!refused) return { address };
    refusal ??= refused.allowed ? undefined : refused.reason;
  }
  return { refused: refusal ?? `${bare} has no address` };
}
