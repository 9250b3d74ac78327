import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EgressPolicy, EgressRuleError, parseEgressRules } from "../../src/infra/net/egress-policy.js";

// The egress policy decides on the address a name resolved to. Written as an attacker would probe it:
// every spelling of loopback and of the private ranges, IPv6 forms that carry an IPv4 address, the
// cloud metadata address, the platform's own services behind an allow list.

const at = (address: string, port = 443, host = address) => ({ host, address, port });

describe("the egress policy", () => {
  const policy = new EgressPolicy();

  it.each([
    ["127.0.0.1", "127.0.0.1:443 is a loopback address"],
    ["127.255.255.254", "is a loopback address"],
    ["::1", "[::1]:443 is a loopback address"],
    ["0.0.0.0", "is an unspecified address"],
    ["::", "is an unspecified address"],
    ["10.0.0.5", "10.0.0.5:443 is a private address"],
    ["172.16.0.1", "is a private address"],
    ["172.31.255.255", "is a private address"],
    ["192.168.1.1", "is a private address"],
    ["fd12:3456::1", "is a private address"],
    ["fc00::1", "is a private address"],
    ["100.64.0.1", "is a shared (CGNAT) address"],
    ["169.254.169.254", "is a link-local address"],
    ["fe80::1", "is a link-local address"],
    ["224.0.0.1", "is a multicast address"],
    ["ff02::1", "is a multicast address"],
    ["255.255.255.255", "is a reserved or broadcast address"],
    ["::ffff:127.0.0.1", "is a loopback address"],
    ["::ffff:7f00:1", "is a loopback address"],
    ["::ffff:10.0.0.1", "is a private address"],
    ["::ffff:a9fe:a9fe", "is a link-local address"],
    ["::127.0.0.1", "embedding an IPv4 one"],
    ["2002:7f00:1::1", "embedding an IPv4 one"],
    ["64:ff9b:1::a00:1", "embedding an IPv4 one"],
    ["2001:0:4136:e378::1", "embedding an IPv4 one"],
  ])("refuses %s by default", (address, reason) => {
    const decision = policy.check(at(address));
    expect(decision.allowed).toBe(false);
    expect(decision.allowed === false && decision.reason).toContain(reason);
  });

  it.each(["203.0.113.10", "8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "11.0.0.1", "2606:4700::1111"])(
    "lets %s (the internet) through",
    (address) => {
      expect(policy.check(at(address))).toEqual({ allowed: true });
    },
  );

  it("gives the port in the reason, as the run's EgressDenied error will", () => {
    expect(policy.check(at("10.0.0.5", 5432))).toEqual({
      allowed: false,
      reason: "10.0.0.5:5432 is a private address",
    });
  });

  it("a name is judged by what it resolved to: a public-looking name on loopback is refused", () => {
    expect(policy.check(at("127.0.0.1", 80, "totally-public.example"))).toMatchObject({ allowed: false });
  });

  it("BIFROST_EGRESS_ALLOW opens listed private ranges and host:port, nothing more", () => {
    const allowing = new EgressPolicy({
      allow: parseEgressRules("10.1.0.0/16, psa.internal:8443, [fd00::7]", "BIFROST_EGRESS_ALLOW"),
    });
    expect(allowing.check(at("10.1.2.3"))).toEqual({ allowed: true });
    expect(allowing.check(at("10.2.0.1")).allowed).toBe(false);
    expect(allowing.check(at("10.9.9.9", 8443, "PSA.internal."))).toEqual({ allowed: true });
    expect(allowing.check(at("10.9.9.9", 22, "psa.internal")).allowed).toBe(false);
    expect(allowing.check(at("fd00::7"))).toEqual({ allowed: true });
    expect(allowing.check(at("fd00::8")).allowed).toBe(false);
    expect(allowing.check(at("127.0.0.1")).allowed).toBe(false);
  });

  it("the platform's own services are refused on every port, whatever the allow list says", () => {
    const guarded = new EgressPolicy({
      allow: parseEgressRules("10.0.0.0/8, db.internal, 203.0.113.0/24", "BIFROST_EGRESS_ALLOW"),
      protectedHosts: ["10.0.0.5", "db.internal", "203.0.113.7", "fd00::5"],
    });
    for (const port of [5432, 6379, 80]) {
      expect(guarded.check(at("10.0.0.5", port))).toEqual({
        allowed: false,
        reason: `10.0.0.5:${port} is one of the platform's own services`,
      });
    }
    expect(guarded.check(at("203.0.113.9", 443, "db.internal")).allowed).toBe(false);
    expect(guarded.check(at("203.0.113.7")).allowed).toBe(false);
    expect(guarded.check(at("::ffff:10.0.0.5")).allowed).toBe(false);
    expect(guarded.check(at("fd00::5")).allowed).toBe(false);
    expect(guarded.check(at("10.0.0.6"))).toEqual({ allowed: true });
  });

  it("BIFROST_EGRESS_DENY closes public destinations too, and wins over the allow list", () => {
    const denying = new EgressPolicy({
      allow: parseEgressRules("203.0.113.0/24", "BIFROST_EGRESS_ALLOW"),
      deny: parseEgressRules("203.0.113.0/25, ads.example", "BIFROST_EGRESS_DENY"),
    });
    expect(denying.check(at("203.0.113.10"))).toEqual({
      allowed: false,
      reason: "203.0.113.10:443 is denied by BIFROST_EGRESS_DENY (203.0.113.0/25)",
    });
    expect(denying.check(at("203.0.113.200"))).toEqual({ allowed: true });
    expect(denying.check(at("8.8.8.8", 443, "ads.example")).allowed).toBe(false);
  });

  it.each(["10.0.0.0/33", "::1/129", "not a host!", "host:99999", "host:0", "http://x"])(
    "refuses the rule %s with the variable's name",
    (rule) => {
      expect(() => parseEgressRules(rule, "BIFROST_EGRESS_ALLOW")).toThrow(EgressRuleError);
      expect(() => parseEgressRules(rule, "BIFROST_EGRESS_ALLOW")).toThrow(/^BIFROST_EGRESS_ALLOW: /);
    },
  );

  it("an IPv4 address and its IPv4-mapped IPv6 forms always get the same answer", () => {
    const octet = fc.integer({ min: 0, max: 255 });
    fc.assert(
      fc.property(fc.tuple(octet, octet, octet, octet), (parts) => {
        const v4 = parts.join(".");
        const hex = (a: number, b: number) => ((a << 8) | b).toString(16);
        const mapped = [`::ffff:${v4}`, `::ffff:${hex(parts[0], parts[1])}:${hex(parts[2], parts[3])}`];
        const expected = policy.check(at(v4)).allowed;
        for (const form of mapped) expect(policy.check(at(form)).allowed, form).toBe(expected);
      }),
      { numRuns: 2_000 },
    );
  });

  it("every address of the private, loopback and link-local IPv4 ranges is refused", () => {
    const ranges: Array<[number, number]> = [
      [0x0a000000, 8],
      [0xac100000, 12],
      [0xc0a80000, 16],
      [0x7f000000, 8],
      [0xa9fe0000, 16],
      [0x64400000, 10],
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...ranges),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        ([base, prefix], n) => {
          const value = (base | (n >>> prefix)) >>> 0;
          const v4 = [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join(".");
          expect(policy.check(at(v4)).allowed, v4).toBe(false);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
