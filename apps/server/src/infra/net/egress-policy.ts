import { BlockList, isIP, SocketAddress } from "node:net";

/**
 * Which destinations a workflow may connect to (sandbox v2 part 2, DESIGN.md §5): the internet, never
 * the machine's loopback, the private networks behind it, link-local addresses (cloud metadata), or the
 * platform's own services. Decided on the address a name resolved to (the caller connects to that
 * very address afterwards: no DNS rebinding between the check and the connection).
 *
 * Order: the platform's own services are refused whatever the lists say; then `BIFROST_EGRESS_DENY`;
 * then `BIFROST_EGRESS_ALLOW` (private destinations a deployment needs: an on-premises PSA, a test
 * host); then the ranges below, refused by default; anything else is the internet, allowed.
 */

type Family = "ipv4" | "ipv6";

/** Ranges refused by default, by what they are (the reason a refusal gives). */
const DEFAULT_DENIED: ReadonlyArray<readonly [what: string, cidrs: readonly string[]]> = [
  ["a loopback address", ["127.0.0.0/8", "::1/128"]],
  ["an unspecified address", ["0.0.0.0/8", "::/128"]],
  ["a private address", ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "fec0::/10"]],
  ["a shared (CGNAT) address", ["100.64.0.0/10"]],
  ["a link-local address", ["169.254.0.0/16", "fe80::/10"]],
  ["a multicast address", ["224.0.0.0/4", "ff00::/8"]],
  ["a reserved or broadcast address", ["240.0.0.0/4", "192.0.0.0/24", "198.18.0.0/15", "100::/64"]],
  // IPv6 forms that carry an IPv4 address or route to one: refused rather than decoded. (IPv4-mapped
  // addresses, ::ffff:a.b.c.d, are checked as the IPv4 address they are.)
  ["an IPv6 address embedding an IPv4 one", ["::/96", "64:ff9b:1::/48", "2002::/16", "2001::/32"]],
];

export type EgressRule =
  | { kind: "cidr"; text: string; network: string; prefix: number; family: Family }
  | { kind: "host"; text: string; host: string; port: number | undefined };

export type EgressTarget = {
  /** The name the workflow asked for (or the address, if it gave one). */
  host: string;
  /** The address it resolved to, the one that will be connected to. */
  address: string;
  port: number;
};

export type EgressDecision = { allowed: true } | { allowed: false; reason: string };

export class EgressRuleError extends Error {
  override readonly name = "EgressRuleError";
}

function familyOf(address: string): Family | undefined {
  const version = isIP(address);
  return version === 4 ? "ipv4" : version === 6 ? "ipv6" : undefined;
}

/** `::ffff:7f00:1` and `::ffff:127.0.0.1` alike become `::ffff:127.0.0.1`; anything else as given. */
function normalize(address: string): string {
  const bare = address.replace(/^\[|\]$/g, "");
  if (familyOf(bare) !== "ipv6") return bare;
  return SocketAddress.parse(`[${bare}]:0`)?.address ?? bare;
}

const hostKey = (host: string): string =>
  host
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "")
    .toLowerCase();

/**
 * One list of `BIFROST_EGRESS_ALLOW` / `BIFROST_EGRESS_DENY`: comma-separated CIDRs (`10.1.0.0/16`,
 * `fd00::/8`), addresses (`10.1.2.3`, `[fd00::1]`) or `host[:port]` (`psa.internal:8443`).
 */
export function parseEgressRules(text: string, variable: string): EgressRule[] {
  const rules: EgressRule[] = [];
  for (const raw of text.split(",")) {
    const entry = raw.trim();
    if (entry === "") continue;
    const fail = (why: string): never => {
      throw new EgressRuleError(`${variable}: "${entry}" ${why}`);
    };
    const cidr = /^\[?([0-9a-fA-F:.]+)\]?\/(\d{1,3})$/.exec(entry);
    if (cidr) {
      const network = normalize(cidr[1]!);
      const family = familyOf(network) ?? fail("is not a valid CIDR");
      const prefix = Number(cidr[2]);
      if (prefix > (family === "ipv4" ? 32 : 128)) fail("has a prefix longer than its address");
      rules.push({ kind: "cidr", text: entry, network, prefix, family });
      continue;
    }
    const address = normalize(entry);
    const family = familyOf(address);
    if (family) {
      rules.push({
        kind: "cidr",
        text: entry,
        network: address,
        prefix: family === "ipv4" ? 32 : 128,
        family,
      });
      continue;
    }
    const hostPort =
      /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?\.?)(?::(\d{1,5}))?$/.exec(entry);
    if (!hostPort) fail("is neither a CIDR, an address nor host[:port]");
    const port = hostPort![2] === undefined ? undefined : Number(hostPort![2]);
    if (port !== undefined && (port < 1 || port > 65_535)) fail("has a port outside 1-65535");
    rules.push({ kind: "host", text: entry, host: hostKey(hostPort![1]!), port });
  }
  return rules;
}

class RuleSet {
  private readonly hosts: Array<{ host: string; port: number | undefined; text: string }> = [];
  private readonly ranges: Array<{ text: string; blocks: BlockList }> = [];

  constructor(rules: readonly EgressRule[]) {
    for (const rule of rules) {
      if (rule.kind === "host") this.hosts.push(rule);
      else {
        const blocks = new BlockList();
        blocks.addSubnet(rule.network, rule.prefix, rule.family);
        this.ranges.push({ text: rule.text, blocks });
      }
    }
  }

  /** The text of the rule that matches: by name (and port, if the rule has one) or by address. */
  match(target: EgressTarget, address: string, family: Family): string | undefined {
    const names = [hostKey(target.host), hostKey(address)];
    const byName = this.hosts.find(
      (rule) => names.includes(rule.host) && (rule.port ?? target.port) === target.port,
    );
    return byName?.text ?? this.ranges.find(({ blocks }) => blocks.check(address, family))?.text;
  }
}

export type EgressPolicyOptions = {
  /** `BIFROST_EGRESS_ALLOW`. */
  allow?: readonly EgressRule[];
  /** `BIFROST_EGRESS_DENY`. */
  deny?: readonly EgressRule[];
  /**
   * The platform's own services (the hosts of DATABASE_URL, REDIS_URL, RABBITMQ_URL, the S3 endpoint,
   * and the addresses they resolved to): refused on every port, whatever the allow list says.
   */
  protectedHosts?: readonly string[];
  /** false: only the lists and the protected hosts apply (an admin-configured destination). */
  defaultDeny?: boolean;
  /** The variable the deny list came from, for the reason (default BIFROST_EGRESS_DENY). */
  denyLabel?: string;
  /**
   * `host:port` rules allowed before anything else, the protected services included: the platform's
   * API, which the SDK in a run must reach (on one machine it shares its host with the database).
   */
  exempt?: readonly EgressRule[];
};

export class EgressPolicy {
  private readonly allow: RuleSet;
  private readonly deny: RuleSet;
  private readonly protectedRules: RuleSet;
  private readonly exempt: RuleSet;
  private readonly defaults: ReadonlyArray<{ what: string; blocks: BlockList }>;
  private readonly denyLabel: string;

  constructor(options: EgressPolicyOptions = {}) {
    this.allow = new RuleSet(options.allow ?? []);
    this.deny = new RuleSet(options.deny ?? []);
    this.denyLabel = options.denyLabel ?? "BIFROST_EGRESS_DENY";
    this.exempt = new RuleSet(options.exempt ?? []);
    this.protectedRules = new RuleSet(
      (options.protectedHosts ?? []).flatMap((host) =>
        parseEgressRules(familyOf(host) === "ipv6" ? `[${host}]` : host, "protected host"),
      ),
    );
    this.defaults = (options.defaultDeny === false ? [] : DEFAULT_DENIED).map(([what, cidrs]) => {
      const blocks = new BlockList();
      for (const cidr of cidrs) {
        const [network, prefix] = cidr.split("/");
        blocks.addSubnet(network!, Number(prefix), familyOf(network!));
      }
      return { what, blocks };
    });
  }

  check(target: EgressTarget): EgressDecision {
    const address = normalize(target.address);
    const family = familyOf(address);
    const where = `${family === "ipv6" ? `[${address}]` : address}:${target.port}`;
    if (!family) return { allowed: false, reason: `${target.address} is not an IP address` };
    if (this.exempt.match(target, address, family)) return { allowed: true };
    if (this.protectedRules.match(target, address, family))
      return { allowed: false, reason: `${where} is one of the platform's own services` };
    const denied = this.deny.match(target, address, family);
    if (denied) return { allowed: false, reason: `${where} is denied by ${this.denyLabel} (${denied})` };
    if (this.allow.match(target, address, family)) return { allowed: true };
    const range = this.defaults.find(({ blocks }) => blocks.check(address, family));
    if (range) return { allowed: false, reason: `${where} is ${range.what}` };
    return { allowed: true };
  }
}
