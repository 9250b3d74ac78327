import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EgressPolicy, parseEgressRules } from "../../src/infra/net/egress-policy.js";
import { OutboundClient, OutboundError } from "../../src/infra/net/outbound.js";
import { OAuthGrantError, requestToken } from "../../src/services/oauth/token-endpoint.js";
import { TEST_HOSTS, testHosts } from "../support/test-hosts.js";

// The platform's own outgoing calls, against a local server standing for a token endpoint a platform
// admin configured (loopback: admin destinations may be). Its redirects try to bounce the platform
// into a link-local host (where cloud metadata lives), a private host and loopback under another
// name; its answers can be too large. The link-local and private hosts are the test's own, in a
// network namespace it creates (support/test-hosts.ts), and are never reached: refusals happen before
// any connection.

let server: Server;
let origin: string;
let port: number;
const hits: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const url = request.url ?? "/";
    hits.push(url);
    const redirect = (location: string) => response.writeHead(302, { location }).end();
    if (url === "/token")
      return response
        .writeHead(200, { "content-type": "application/json" })
        .end('{"access_token":"t0k3n","expires_in":60}');
    if (url === "/to-metadata") return redirect(`http://${TEST_HOSTS.linkLocal}:8080/latest/meta-data/`);
    if (url === "/to-private") return redirect(`http://${TEST_HOSTS.private}:8080/token`);
    if (url === "/to-loopback-by-name") return redirect(`http://localhost:${port}/token`);
    if (url === "/to-ipv6-loopback") return redirect(`http://[::ffff:127.0.0.1]:${port}/token`);
    if (url === "/to-same-origin") return redirect("/token");
    if (url === "/loop") return redirect("/loop");
    if (url === "/big") {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(Buffer.alloc(2 * 1024 * 1024, 32));
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const client = new OutboundClient();
const admin = { trust: "admin" as const };

describe("the outbound client", () => {
  it("calls an admin-configured destination on loopback", async () => {
    const response = await client.request(`${origin}/token`, admin);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body.toString())).toMatchObject({ access_token: "t0k3n" });
  });

  it("follows a redirect within the admin destination's origin", async () => {
    const response = await client.request(`${origin}/to-same-origin`, admin);
    expect(response).toMatchObject({ status: 200, url: `${origin}/token` });
  });

  it.each([
    [
      "/to-metadata",
      `http://${TEST_HOSTS.linkLocal}:8080: refused, ${TEST_HOSTS.linkLocal}:8080 is a link-local address`,
    ],
    [
      "/to-private",
      `http://${TEST_HOSTS.private}:8080: refused, ${TEST_HOSTS.private}:8080 is a private address`,
    ],
    ["/to-loopback-by-name", "is a loopback address"],
    ["/to-ipv6-loopback", "is a loopback address"],
  ])("refuses a redirect %s out of the admin's origin into a denied address", async (path, message) => {
    await expect(client.request(`${origin}${path}`, admin)).rejects.toThrow(OutboundError);
    await expect(client.request(`${origin}${path}`, admin)).rejects.toThrow(message);
    expect(testHosts().refusedHostsReached()).toEqual([]);
  });

  it("stops a redirect loop", async () => {
    await expect(client.request(`${origin}/loop`, admin)).rejects.toThrow(/more than 5 redirects/);
  });

  it("refuses an answer over the cap, without reading it all", async () => {
    await expect(client.request(`${origin}/big`, { ...admin, maxBodyBytes: 64 * 1024 })).rejects.toThrow(
      `${origin}: the answer is larger than 65536 bytes`,
    );
  });

  it("a URL someone else could influence gets the workflows' policy: loopback refused", async () => {
    const before = hits.length;
    await expect(client.request(`${origin}/token`, { trust: "untrusted" })).rejects.toThrow(
      `${origin}: refused, 127.0.0.1:${port} is a loopback address`,
    );
    expect(hits.length).toBe(before); // refused before connecting
  });

  it("BIFROST_OUTBOUND_DENY closes even an admin destination", async () => {
    const strict = new OutboundClient({ deny: parseEgressRules("127.0.0.0/8", "BIFROST_OUTBOUND_DENY") });
    await expect(strict.request(`${origin}/token`, admin)).rejects.toThrow(/denied by BIFROST_OUTBOUND_DENY/);
  });

  it("connects to the address it checked: a name resolved by its resolver, never looked up again", async () => {
    const resolving = new OutboundClient({ resolver: async () => ["127.0.0.1"] });
    // token.invalid does not resolve on any real DNS: the connection can only have used the checked address.
    const response = await resolving.request(`http://token.invalid:${port}/token`, admin);
    expect(response.status).toBe(200);
    // And a name that resolves into loopback is loopback for an untrusted URL.
    await expect(
      resolving.request(`http://public.example:${port}/token`, { trust: "untrusted" }),
    ).rejects.toThrow("is a loopback address");
  });

  it("the allow list of the workflows' policy opens a redirect target an admin listed", async () => {
    const allowing = new OutboundClient({
      workflowPolicy: new EgressPolicy({
        allow: parseEgressRules(`localhost:${port}`, "BIFROST_EGRESS_ALLOW"),
      }),
    });
    const response = await allowing.request(`${origin}/to-loopback-by-name`, admin);
    expect(response.status).toBe(200);
  });
});

describe("the OAuth token call goes through it", () => {
  it("gets a token from an admin's token URL", async () => {
    const grant = await requestToken(client, `${origin}/token`, { grant_type: "client_credentials" }, 0);
    expect(grant).toMatchObject({ accessToken: "t0k3n", expiresAt: new Date(60_000) });
  });

  it.each([
    [
      "/to-metadata",
      `did not answer: http://${TEST_HOSTS.linkLocal}:8080: refused, ${TEST_HOSTS.linkLocal}:8080 is a link-local address`,
    ],
    ["/big", /did not answer: http:\/\/127\.0\.0\.1:\d+: the answer is larger than 262144 bytes/],
  ])("refuses a token URL answering %s, with a clear error", async (path, message) => {
    const call = requestToken(client, `${origin}${path}`, { grant_type: "client_credentials" }, 0);
    await expect(call).rejects.toThrow(OAuthGrantError);
    await expect(requestToken(client, `${origin}${path}`, {}, 0)).rejects.toThrow(message);
  });
});
