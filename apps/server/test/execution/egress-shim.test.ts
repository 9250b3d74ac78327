import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import net, { type AddressInfo, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EgressPolicy, parseEgressRules } from "../../src/infra/net/egress-policy.js";
import { createLogger } from "../../src/infra/logger.js";
import { EgressProxy, type EgressCredential } from "../../src/services/execution/pool/egress-proxy.js";
import { TEST_HOSTS, testHosts } from "../support/test-hosts.js";

// The child side of egress: a Node process with the shim installed (the built module, as the child
// runtime installs it) uses plain fetch, node:http and node:net; everything goes through the proxy
// of this test process, which lets only this test's own servers on 127.0.0.1 through (the allow list)
// and refuses the rest before connecting anywhere. The child has a network namespace of its own, so
// a broken shim sends nothing anywhere; the refused private host (private.test for the proxy's
// resolver) is the test's own, in a network namespace it creates, and it is never reached.

const SHIM = fileURLToPath(new URL("../../dist/services/execution/runtime/egress-shim.js", import.meta.url));

let dir: string;
let proxy: EgressProxy;
let child: EgressCredential;
let web: HttpServer;
let webPort: number;
let echo: Server;
let echoPort: number;

/** Runs `body` (an async function's body) in a Node process with the shim; answers what it returns. */
function inChild(body: string): Promise<unknown> {
  const script = `
    const { installEgressShim } = await import(${JSON.stringify(SHIM)});
    installEgressShim({ socketPath: ${JSON.stringify(proxy.socketPath)}, token: ${JSON.stringify(child.token)} });
    const net = await import("node:net");
    const http = await import("node:http");
    const result = await (async () => { ${body} })();
    // Kept-alive connections would hold the process a few seconds more.
    process.stdout.write(JSON.stringify(result), () => process.exit(0));
  `;
  return new Promise((resolve, reject) => {
    // In a network namespace of its own (no interface but a down loopback), as a workflow child is:
    // what it reaches, it reaches through the proxy, and a shim that let a connection by would
    // send nothing anywhere.
    const node = spawn("unshare", ["--net", process.execPath, "--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    node.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    node.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    node.on("close", (code) => {
      if (code !== 0) return reject(new Error(`exit ${code}: ${err}`));
      resolve(JSON.parse(out));
    });
  });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "bifrost-egress-shim-"));
  web = createHttpServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => response.end(`${request.method} ${request.url} ${body}`));
  });
  await new Promise<void>((resolve) => web.listen(0, "127.0.0.1", resolve));
  webPort = (web.address() as AddressInfo).port;
  echo = net.createServer((socket) =>
    socket.on("data", (chunk: Buffer) => socket.write(`echo:${chunk.toString()}`)),
  );
  await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
  echoPort = (echo.address() as AddressInfo).port;
  proxy = await EgressProxy.start({
    socketPath: path.join(dir, "egress.sock"),
    policy: new EgressPolicy({
      allow: parseEgressRules(
        `127.0.0.1:${webPort}, 127.0.0.1:${echoPort}, localhost:${webPort}`,
        "BIFROST_EGRESS_ALLOW",
      ),
    }),
    resolver: async (host) =>
      host === "localhost" ? ["127.0.0.1"] : host === "private.test" ? [TEST_HOSTS.private] : [],
    logger: createLogger({ level: "silent", role: "test" }),
  });
  child = proxy.register();
});
afterAll(async () => {
  await proxy?.close();
  await new Promise<void>((resolve) => web.close(() => resolve()));
  await new Promise<void>((resolve) => echo.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

describe("the egress shim in a child", () => {
  it("fetch, node:http and node:net reach an allowed destination through the proxy, bytes counted", async () => {
    child.reset();
    const result = await inChild(`
      const fetched = await (await fetch("http://127.0.0.1:${webPort}/via-fetch", { method: "POST", body: "hi" })).text();
      const byName = await (await fetch("http://localhost:${webPort}/by-name")).text();
      const viaHttp = await new Promise((resolve, reject) => {
        http.get("http://127.0.0.1:${webPort}/via-http", (res) => {
          let text = "";
          res.on("data", (c) => (text += c));
          res.on("end", () => resolve(text));
        }).on("error", reject);
      });
      const viaNet = await new Promise((resolve, reject) => {
        const socket = net.connect(${echoPort}, "127.0.0.1");
        socket.write("early"); // before the connection is through: it waits
        socket.on("data", (d) => { resolve(String(d)); socket.destroy(); });
        socket.on("error", reject);
      });
      return { fetched, byName, viaHttp, viaNet };
    `);
    expect(result).toEqual({
      fetched: "POST /via-fetch hi",
      byName: "GET /by-name ",
      viaHttp: "GET /via-http ",
      viaNet: "echo:early",
    });
    const usage = child.usage();
    // One each: fetch's two origins (127.0.0.1 and localhost), node:http, node:net.
    expect(usage.connections).toBe(4);
    expect(usage.bytesOut).toBeGreaterThan(100);
    expect(usage.bytesIn).toBeGreaterThan(100);
  });

  it("a refused destination fails with EgressDenied and the reason, for fetch and node:net alike", async () => {
    const result = await inChild(`
      const viaNet = await new Promise((resolve) => {
        const socket = net.connect(9090, "private.test");
        socket.on("connect", () => resolve("connected"));
        socket.on("error", (error) => resolve(String(error) + " " + error.code));
      });
      const viaFetch = await fetch("http://private.test:8080/").then(
        () => "answered",
        (error) => String(error.cause ?? error),
      );
      const loopback = await fetch("http://127.0.0.1:${webPort + 1}/").then(
        () => "answered",
        (error) => String(error.cause ?? error),
      );
      return { viaNet, viaFetch, loopback };
    `);
    expect(result).toEqual({
      viaNet: `EgressDenied: ${TEST_HOSTS.private}:9090 is a private address EGRESS_DENIED`,
      viaFetch: `EgressDenied: ${TEST_HOSTS.private}:8080 is a private address`,
      loopback: `EgressDenied: 127.0.0.1:${webPort + 1} is a loopback address`,
    });
    expect(testHosts().refusedHostsReached()).toEqual([]);
  });
});
