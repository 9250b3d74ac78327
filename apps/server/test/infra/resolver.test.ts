import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolverFor, systemResolver } from "../../src/infra/net/resolver.js";
import { startDnsServer, type TestDnsServer } from "../support/dns-server.js";

// BIFROST_EGRESS_RESOLVER: the egress proxy and the outbound client ask one DNS server, here the
// test's own on loopback, for both address families.

let dns: TestDnsServer;

beforeAll(async () => {
  dns = await startDnsServer({
    "both.test": ["203.0.113.10", "2001:db8::10"],
    "v6only.test": ["2001:db8::11"],
  });
});
afterAll(async () => dns?.close());

describe("the egress resolver", () => {
  it("asks the configured server for A and AAAA records, IPv4 first", async () => {
    const resolve = resolverFor(dns.address);
    expect(await resolve("both.test")).toEqual(["203.0.113.10", "2001:db8::10"]);
    expect(await resolve("v6only.test")).toEqual(["2001:db8::11"]);
    expect(dns.questions).toEqual(expect.arrayContaining(["both.test", "v6only.test"]));
  });

  it("answers localhost itself (RFC 6761), without asking the server", async () => {
    const asked = dns.questions.length;
    expect(await resolverFor(dns.address)("localhost")).toEqual(["127.0.0.1", "::1"]);
    expect(await resolverFor(dns.address)("api.localhost")).toEqual(["127.0.0.1", "::1"]);
    expect(dns.questions.length).toBe(asked);
  });

  it("a name the server does not know fails with its error", async () => {
    await expect(resolverFor(dns.address)("unknown.test")).rejects.toMatchObject({ code: "ENOTFOUND" });
  });

  it("without a server, the system's resolver", () => {
    expect(resolverFor(null)).toBe(systemResolver);
  });
});
