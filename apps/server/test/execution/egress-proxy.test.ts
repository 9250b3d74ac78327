import { mkdtempSync, rmSync } from "node:fs";
import net, { type AddressInfo, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EgressPolicy, parseEgressRules } from "../../src/infra/net/egress-policy.js";
import { createLogger } from "../../src/infra/logger.js";
import { EgressProxy, type EgressCredential } from "../../src/services/execution/pool/egress-proxy.js";
import { TEST_HOSTS, testHosts } from "../support/test-hosts.js";

// The egress proxy as a child (and an attacker in one) speaks to it: CONNECT over its Unix socket.
// The "allowed destination" is an echo server of this test on 127.0.0.1, opened by the allow list
// for its port only; every refusal happens before any connection is made. The refused private and
// link-local hosts are the test's own, in a network namespace it creates (support/test-hosts.ts):
// they answer, and their record shows that nothing reached them.

let dir: string;
let echo: Server;
let echoPort: number;
let proxy: EgressProxy;
let child: EgressCredential;
const upstreamConnections: number[] = [];

/** Sends `head` (and `then`, after a 200) and collects everything the proxy answers until it closes. */
function exchange(head: string, then?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ path: proxy.socketPath });
    let answer = "";
    socket.on("data", (chunk: Buffer) => {
      answer += chunk.toString("latin1");
      if (then !== undefined && answer.startsWith("HTTP/1.1 200") && answer.endsWith("\r\n\r\n")) {
        socket.write(then);
        then = undefined;
        setTimeout(() => socket.end(), 100);
      }
    });
    socket.on("close", () => resolve(answer));
    socket.on("error", reject);
    socket.write(head);
  });
}

const connect = (target: string, token = child.token) =>
  `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\nProxy-Authorization: Bearer ${token}\r\n\r\n`;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "bifrost-egress-"));
  echo = net.createServer((socket) => {
    upstreamConnections.push(Date.now());
    socket.on("data", (chunk: Buffer) => socket.write(`echo:${chunk.toString()}`));
  });
  await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
  echoPort = (echo.address() as AddressInfo).port;
  proxy = await EgressProxy.start({
    socketPath: path.join(dir, "egress.sock"),
    policy: new EgressPolicy({ allow: parseEgressRules(`127.0.0.1:${echoPort}`, "BIFROST_EGRESS_ALLOW") }),
    resolver: async (host) => {
      const known: Record<string, string[]> = {
        "echo.test": ["127.0.0.1"],
        "evil.test": [TEST_HOSTS.private],
      };
      if (known[host]) return known[host];
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
    },
    logger: createLogger({ level: "silent", role: "test" }),
  });
  child = proxy.register();
});
afterAll(async () => {
  await proxy?.close();
  await new Promise<void>((resolve) => echo.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

describe("the egress proxy", () => {
  it("connects an allowed destination and pipes both ways, counting the child's bytes", async () => {
    child.reset();
    const answer = await exchange(connect(`127.0.0.1:${echoPort}`), "hello");
    expect(answer).toBe("HTTP/1.1 200 Connection established\r\n\r\necho:hello");
    expect(child.usage()).toEqual({ bytesIn: 10, bytesOut: 5, connections: 1, denied: 0 });
  });

  it("resolves a name itself and connects to the address it checked", async () => {
    const answer = await exchange(connect(`echo.test:${echoPort}`), "x");
    expect(answer).toBe("HTTP/1.1 200 Connection established\r\n\r\necho:x");
  });

  it.each([
    ["127.0.0.1:1", "127.0.0.1:1 is a loopback address"],
    ["[::1]:80", "[::1]:80 is a loopback address"],
    [`${TEST_HOSTS.private}:9090`, `${TEST_HOSTS.private}:9090 is a private address`],
    [`${TEST_HOSTS.linkLocal}:8080`, `${TEST_HOSTS.linkLocal}:8080 is a link-local address`],
    [`[${TEST_HOSTS.uniqueLocal}]:8080`, `[${TEST_HOSTS.uniqueLocal}]:8080 is a private address`],
    ["evil.test:9090", `${TEST_HOSTS.private}:9090 is a private address`],
    ["[::ffff:127.0.0.1]:22", "is a loopback address"],
  ])("refuses %s with the reason, before connecting anywhere, and counts it", async (target, reason) => {
    child.reset();
    const before = upstreamConnections.length;
    const answer = await exchange(connect(target));
    expect(answer).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    expect(answer).toContain("\r\nX-Egress-Denied: ");
    expect(answer).toContain(reason);
    expect(upstreamConnections.length).toBe(before);
    expect(testHosts().refusedHostsReached()).toEqual([]);
    expect(child.usage()).toMatchObject({ denied: 1, connections: 0 });
  });

  it("answers 407 without a credential, or with one it does not know (or no longer knows)", async () => {
    expect(await exchange(`CONNECT 127.0.0.1:${echoPort} HTTP/1.1\r\n\r\n`)).toMatch(/^HTTP\/1\.1 407 /);
    expect(await exchange(connect(`127.0.0.1:${echoPort}`, "forged"))).toMatch(/^HTTP\/1\.1 407 /);
    const gone = proxy.register();
    gone.revoke();
    expect(await exchange(connect(`127.0.0.1:${echoPort}`, gone.token))).toMatch(/^HTTP\/1\.1 407 /);
  });

  it.each([
    ["a plain GET", `GET http://127.0.0.1:${1}/ HTTP/1.1\r\n\r\n`, 405],
    ["a CONNECT without a port", "CONNECT 127.0.0.1 HTTP/1.1\r\n\r\n", 400],
    ["a CONNECT with header injection in the target", "CONNECT a\r\nb:1 HTTP/1.1\r\n\r\n", 400],
    [
      "a port out of range",
      "CONNECT example.com:70000 HTTP/1.1\r\nProxy-Authorization: Bearer x\r\n\r\n",
      400,
    ],
  ])("refuses %s with a 4xx", async (_what, head, status) => {
    expect(await exchange(head)).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
  });

  it("refuses a request head that never ends (431) instead of holding it", async () => {
    expect(await exchange(`CONNECT x:1 HTTP/1.1\r\nX-Junk: ${"a".repeat(20_000)}`)).toMatch(
      /^HTTP\/1\.1 431 /,
    );
  });

  it("a name that does not resolve is a 502 with the reason", async () => {
    const answer = await exchange(connect("nowhere.test:443"));
    expect(answer).toMatch(/^HTTP\/1\.1 502 /);
    expect(answer).toContain("X-Egress-Error: nowhere.test:443");
  });
});
