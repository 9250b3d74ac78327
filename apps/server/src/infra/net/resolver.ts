import { lookup, Resolver as DnsResolver } from "node:dns/promises";
import { isIP } from "node:net";
import type { EgressPolicy } from "./egress-policy.js";

/** Every address a name resolves to, in the resolver's order. */
export type Resolver = (host: string) => Promise<string[]>;

export const systemResolver: Resolver = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

/**
 * A resolver that asks one DNS server (`address:port`, `[v6]:port`) for A and AAAA records, IPv4
 * first: `BIFROST_EGRESS_RESOLVER`, for deployments whose workflows must resolve through a DNS server
 * of their own, and for tests that name their own hosts. Null: the system's resolver.
 */
export function resolverFor(server: string | null): Resolver {
  if (server === null) return systemResolver;
  const dns = new DnsResolver({ timeout: 2_000, tries: 2 });
  dns.setServers([server]);
  return async (host) => {
    // RFC 6761: localhost is loopback, not a question for the server (the API's own URL may use it).
    if (/^(.+\.)?localhost\.?$/i.test(host)) return ["127.0.0.1", "::1"];
    const answers = await Promise.allSettled([dns.resolve4(host), dns.resolve6(host)]);
    const addresses = answers.flatMap((answer) => (answer.status === "fulfilled" ? answer.value : []));
    if (addresses.length > 0) return addresses;
    const failure = answers.find((answer) => answer.status === "rejected");
    throw failure?.reason instanceof Error ? failure.reason : new Error(`${host} has no address`);
  };
}

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
