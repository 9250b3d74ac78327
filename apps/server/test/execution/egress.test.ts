import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDnsServer, type TestDnsServer } from "../support/dns-server.js";
import {
  embeddedPlatform,
  enginePlatform,
  type Platform,
  type RunningPlatform,
} from "../support/sandbox-platforms.js";
import { TEST_HOSTS, testHosts, type TestHosts } from "../support/test-hosts.js";

// Filtered egress, from a workflow, in both modes (sandbox v2 part 2). The "outside" is the test's
// own: hosts in a network namespace it creates (support/test-hosts.ts): a documentation address
// standing for the internet (203.0.113.10 and 2001:db8:b1f::10), a private host listed in
// BIFROST_EGRESS_ALLOW, a private one that is not, a link-local one and a unique-local IPv6 one; and
// a DNS server of its own (BIFROST_EGRESS_RESOLVER) that gives them names, and gives names to
// loopback. Every refused host is really there and answering: what stops the workflow is the policy,
// and the hosts' own record of accepted connections shows that nothing reached them.

/** `via` is fetch (follows redirects), node:http or node:net; `target` a URL, or host:port for net. */
type Probe = { via: "fetch" | "http" | "net"; target: string };

const PROBES = `
import http from "node:http";
import net from "node:net";
import { executions, workflow, z } from "@bifrost/sdk";

const reason = (error) => String(error?.cause ?? error);

const viaFetch = (url) =>
  fetch(url, { signal: AbortSignal.timeout(10_000) }).then((response) => response.text(), reason);

const viaHttp = (url) =>
  new Promise((resolve) => {
    const request = http.get(url, { timeout: 10_000 }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk) => (body += chunk));
      response.on("end", () => resolve(body));
    });
    request.on("error", (error) => resolve(reason(error)));
  });

const viaNet = (target) =>
  new Promise((resolve) => {
    const colon = target.lastIndexOf(":");
    const host = target.slice(0, colon).replace(/^\\[|\\]$/g, "");
    const socket = net.connect(Number(target.slice(colon + 1)), host);
    let seen = "";
    socket.setEncoding("utf8");
    socket.setTimeout(10_000, () => socket.destroy(new Error("timed out")));
    // The greeting line, then an echo of what was sent: both ways work.
    socket.on("data", (chunk) => {
      seen += chunk;
      if (seen.endsWith("\\n") && !seen.includes("ping")) socket.write("ping\\n");
      else if (seen.endsWith("ping\\n")) {
        socket.end();
        resolve(seen.trim().replace("\\n", " + "));
      }
    });
    socket.on("error", (error) => resolve(reason(error)));
  });

const VIA = { fetch: viaFetch, http: viaHttp, net: viaNet };

// The SDK's path to the API: allowed for it whatever the workflows' DNS server says.
export const viaSdk = workflow({
  run: async (_input, ctx) => (await executions.get(ctx.executionId))?.status ?? "not found",
});

export const probe = workflow({
  params: z.object({ probes: z.array(z.object({ via: z.enum(["fetch", "http", "net"]), target: z.string() })) }),
  run: async ({ probes }) => {
    const results = [];
    for (const { via, target } of probes) results.push(await VIA[via](target));
    return results;
  },
});
`;

function egressSuite(setup: (env: Record<string, string>) => Promise<RunningPlatform>): void {
  let hosts: TestHosts;
  let dns: TestDnsServer;
  let platform: Platform;
  let close: () => Promise<void>;

  const url = (host: string, path = "/hello") =>
    `http://${host.includes(":") ? `[${host}]` : host}:${hosts.httpPort}${path}`;
  const tcp = (host: string) => `${host.includes(":") ? `[${host}]` : host}:${hosts.tcpPort}`;
  const everyWay = (host: string): Probe[] => [
    { via: "fetch", target: url(host) },
    { via: "http", target: url(host) },
    { via: "net", target: tcp(host) },
  ];

  /** Runs the probes in one sync run; their outcomes in order, and the run's execution record. */
  async function probe(probes: Probe[]) {
    const ran = await platform.run("probe", { probes });
    expect(ran.body.status, JSON.stringify(ran.body)).toBe("Success");
    const execution = await platform.get(`/api/executions/${String(ran.body.executionId)}`);
    return { outcomes: ran.body.result as string[], execution: execution.body };
  }

  beforeAll(async () => {
    hosts = testHosts();
    dns = await startDnsServer({
      "inet.test": [TEST_HOSTS.public, TEST_HOSTS.public6],
      "onprem.test": [TEST_HOSTS.allowed],
      "loopback.test": ["127.0.0.1", "::1"],
      "private.test": [TEST_HOSTS.private],
      "metadata.test": [TEST_HOSTS.linkLocal],
      // A name with a refused and an allowed address: the allowed one is what gets connected to.
      "mixed.test": ["127.0.0.1", TEST_HOSTS.public],
    });
    ({ platform, close } = await setup({
      BIFROST_EGRESS_ALLOW: TEST_HOSTS.allowed,
      BIFROST_EGRESS_RESOLVER: dns.address,
    }));
    const saved = await platform.save("probes.ts", PROBES);
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await close?.();
    await dns?.close();
  });

  it("the public-range host and the allow-listed private one answer fetch, node:http and node:net, by address and by name", async () => {
    const targets: Array<[host: string, answeredBy: string]> = [
      [TEST_HOSTS.public, TEST_HOSTS.public],
      [TEST_HOSTS.public6, TEST_HOSTS.public6],
      [TEST_HOSTS.allowed, TEST_HOSTS.allowed],
      ["inet.test", TEST_HOSTS.public],
      ["onprem.test", TEST_HOSTS.allowed],
      ["mixed.test", TEST_HOSTS.public],
    ];
    const { outcomes } = await probe(targets.flatMap(([host]) => everyWay(host)));
    expect(outcomes).toEqual(
      targets.flatMap(([, by]) => [`hello from ${by}`, `hello from ${by}`, `tcp hello from ${by} + ping`]),
    );
  });

  it("loopback, private, link-local and unique-local hosts refuse every way in, by address, IPv6 form and name", async () => {
    const refused: Array<[host: string, reason: RegExp]> = [
      ["127.0.0.1", /is a loopback address$/],
      ["127.8.9.10", /is a loopback address$/],
      ["::1", /is a loopback address$/],
      ["::ffff:127.0.0.1", /is a loopback address$/],
      ["localhost", /is a loopback address$/],
      ["loopback.test", /is a loopback address$/],
      [TEST_HOSTS.private, /is a private address$/],
      [`::ffff:${TEST_HOSTS.private}`, /is a private address$/],
      ["private.test", /is a private address$/],
      [TEST_HOSTS.linkLocal, /is a link-local address$/],
      ["metadata.test", /is a link-local address$/],
      [TEST_HOSTS.uniqueLocal, /is a private address$/],
    ];
    const { outcomes, execution } = await probe(refused.flatMap(([host]) => everyWay(host)));
    expect(outcomes).toHaveLength(refused.length * 3);
    refused.forEach(([host, why], index) => {
      for (const outcome of outcomes.slice(index * 3, index * 3 + 3)) {
        expect(outcome, host).toMatch(/^EgressDenied: /);
        expect(outcome, host).toMatch(why);
      }
    });
    // The refused hosts are there, and were never reached.
    expect(hosts.refusedHostsReached()).toEqual([]);
    expect(execution.network).toMatchObject({ connections: 0, denied: refused.length * 3 });
  });

  it("a redirect from the allowed host into a refused one is refused at the redirect", async () => {
    const into = [
      url(TEST_HOSTS.private),
      url(TEST_HOSTS.linkLocal),
      url("127.0.0.1"),
      url("loopback.test"),
      url(TEST_HOSTS.uniqueLocal),
    ];
    const { outcomes, execution } = await probe(
      into.map((to) => ({
        via: "fetch",
        target: url(TEST_HOSTS.public, `/redirect?to=${encodeURIComponent(to)}`),
      })),
    );
    for (const outcome of outcomes)
      expect(outcome).toMatch(/^EgressDenied: .+ is a (private|link-local|loopback) address$/);
    // Each redirect refused; the refused hosts were never reached. (The child may have kept a
    // connection to the redirecting host alive from an earlier run: connections opened are at most
    // one per probe.)
    expect(execution.network).toMatchObject({ denied: into.length });
    expect((execution.network as { connections: number }).connections).toBeLessThanOrEqual(into.length);
    expect(hosts.refusedHostsReached()).toEqual([]);
  });

  it("the run records its bytes in and out, its own and not its child's earlier runs'", async () => {
    const first = await probe(everyWay(TEST_HOSTS.public));
    const second = await probe([{ via: "net", target: tcp(TEST_HOSTS.public) }]);
    for (const { execution } of [first, second]) {
      expect(execution.network, JSON.stringify(execution)).toMatchObject({ denied: 0 });
    }
    const one = first.execution.network as { bytesIn: number; bytesOut: number; connections: number };
    const two = second.execution.network as { bytesIn: number; bytesOut: number; connections: number };
    // node:net opens a connection each time; fetch and node:http may reuse one kept alive by an
    // earlier run of the same child (its bytes then count for the run that uses it).
    expect(one.connections).toBeGreaterThanOrEqual(1);
    expect(one.connections).toBeLessThanOrEqual(3);
    expect(two.connections).toBe(1);
    // Two HTTP answers ("hello from 203.0.113.10" with their headers) and a greeting with its echo
    // came in; two requests and a "ping" went out. The lone TCP probe: the greeting and "ping\n" back.
    const greeting = `tcp hello from ${TEST_HOSTS.public}\n`.length;
    expect(two).toMatchObject({ bytesIn: greeting + 5, bytesOut: 5 });
    expect(one.bytesIn).toBeGreaterThan(2 * `hello from ${TEST_HOSTS.public}`.length + greeting + 5);
    expect(one.bytesOut).toBeGreaterThan(2 * "GET /hello HTTP/1.1\r\n".length + 5);
  });

  it("the SDK reaches the API through the path allowed for it", async () => {
    const ran = await platform.run("viaSdk");
    expect(ran.body, JSON.stringify(ran.body)).toMatchObject({ status: "Success", result: "Running" });
  });

  it("a refusal is an EgressDenied error the workflow can catch; the platform stays ready", async () => {
    const { outcomes } = await probe([{ via: "net", target: "127.0.0.1:5432" }]);
    expect(outcomes).toEqual(["EgressDenied: 127.0.0.1:5432 is a loopback address"]);
    expect(await platform.ready()).toBe(true);
  });
}

describe("workflow egress", () => {
  describe("bifrost-server start (embedded)", () => {
    egressSuite((env) => embeddedPlatform(env));
  });

  describe("the engine on PostgreSQL (the worker's pool in this process)", () => {
    egressSuite((env) => enginePlatform(env));
  });
});
