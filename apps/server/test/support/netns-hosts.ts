import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";

/**
 * "Outside" hosts for egress tests, in a network namespace this test creates (`ip netns add` + a veth
 * pair; needs root): nothing else on any network is ever a target. The namespace holds the addresses
 * below on one interface; the machine reaches them through the veth's other end, which gets the
 * matching .1 / ::1 address of each subnet. In the namespace, one Node process answers on every one:
 * HTTP on `httpPort` (`/hello` → `hello from <address>`, with `?close` on a connection it then
 * closes; `/redirect?to=<url>` → 302 to it) and raw
 * TCP on `tcpPort` (a greeting line, then an echo). Each connection it accepts is recorded by the
 * address it arrived at, so a test can also prove that nothing reached a refused host.
 *
 * One set serves a whole test run: the global setup starts it (`startTestHosts`) and test files
 * reach it with `testHosts()` (test-hosts.ts; two sets at once would hold the same addresses). Files
 * run side by side, so a test can tell which addresses were ever reached, not which connection was
 * its own. The egress bench starts a set of its own (run it alone). Plain TypeScript that Node runs
 * as it is (the bench imports it).
 */
export const TEST_HOSTS = {
  /** A documentation address (TEST-NET-3) standing for the internet. */
  public: "203.0.113.10",
  /** Its IPv6 twin (the documentation prefix 2001:db8::/32). */
  public6: "2001:db8:b1f::10",
  /** A private host the test lists in BIFROST_EGRESS_ALLOW. */
  allowed: "10.213.7.10",
  /** A private host no list opens. */
  private: "10.213.7.20",
  /** A link-local host, where a cloud's metadata service would be. */
  linkLocal: "169.254.213.10",
  /** A unique-local IPv6 host. */
  uniqueLocal: "fd00:b1f::10",
} as const;

const SUBNETS = [
  { host: "203.0.113.1/24", inside: [`${TEST_HOSTS.public}/24`] },
  { host: "10.213.7.1/24", inside: [`${TEST_HOSTS.allowed}/24`, `${TEST_HOSTS.private}/24`] },
  { host: "169.254.213.1/24", inside: [`${TEST_HOSTS.linkLocal}/24`] },
  { host: "2001:db8:b1f::1/64", inside: [`${TEST_HOSTS.public6}/64`] },
  { host: "fd00:b1f::1/64", inside: [`${TEST_HOSTS.uniqueLocal}/64`] },
];

export type TestHostsInfo = { namespace: string; httpPort: number; tcpPort: number; hitsFile: string };

const SERVER = `
const http = require("node:http");
const net = require("node:net");
const fs = require("node:fs");
const [httpPort, tcpPort] = process.argv.slice(2, 4).map(Number);
const hitsFile = process.argv[4];
const local = (socket) => socket.localAddress.replace(/^::ffff:/, "");
const hit = (socket, kind) => fs.appendFileSync(hitsFile, JSON.stringify({ kind, address: local(socket) }) + "\\n");
const web = http.createServer((request, response) => {
  const url = new URL(request.url, "http://host");
  if (url.pathname === "/redirect") {
    response.writeHead(302, { location: url.searchParams.get("to") });
    return response.end();
  }
  // ?close: the answer closes its connection (a client must open a new one for the next request).
  if (url.searchParams.has("close")) response.setHeader("connection", "close");
  response.writeHead(200, { "content-type": "text/plain" });
  response.end("hello from " + local(request.socket));
});
web.on("connection", (socket) => hit(socket, "http"));
const raw = net.createServer((socket) => {
  hit(socket, "tcp");
  socket.write("tcp hello from " + local(socket) + "\\n");
  socket.pipe(socket);
});
let listening = 0;
const ready = () => ++listening === 2 && process.stdout.write(JSON.stringify({ ready: true }) + "\\n");
web.listen(httpPort, "::", ready);
raw.listen(tcpPort, "::", ready);
`;

const PREFIX = "bifrost-hosts-";

const ip = (...args: string[]) => execFileSync("ip", args, { stdio: ["ignore", "ignore", "pipe"] });

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Namespaces (with their veth pairs) that earlier test processes left behind when they were killed. */
function removeStale(): void {
  const names = execFileSync("ip", ["netns", "list"], { encoding: "utf8" })
    .split("\n")
    .map((line) => line.split(" ")[0] ?? "")
    .filter((name) => name.startsWith(PREFIX));
  for (const name of names) {
    if (!alive(Number(name.slice(PREFIX.length)))) ip("netns", "del", name);
  }
}

/** Creates the namespace and starts its server; `close` removes them. Global setup only. */
export async function startTestHosts(): Promise<{ info: TestHostsInfo; close(): void }> {
  removeStale();
  const namespace = `${PREFIX}${process.pid}`;
  const outer = `bfh${process.pid}`;
  const inner = "bfn0";
  const httpPort = 8080;
  const tcpPort = 9090;
  const dir = mkdtempSync(path.join(tmpdir(), "bifrost-test-hosts-"));
  let server: ChildProcess | undefined;
  const close = () => {
    server?.kill("SIGKILL");
    try {
      ip("netns", "del", namespace); // takes the veth pair with it
    } catch {
      // never created
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    ip("netns", "add", namespace);
    ip("link", "add", outer, "type", "veth", "peer", "name", inner, "netns", namespace);
    for (const subnet of SUBNETS) {
      const v6 = subnet.host.includes(":");
      ip(...(v6 ? ["-6"] : []), "addr", "add", subnet.host, "dev", outer, ...(v6 ? ["nodad"] : []));
      for (const address of subnet.inside)
        ip(
          "-n",
          namespace,
          ...(v6 ? ["-6"] : []),
          "addr",
          "add",
          address,
          "dev",
          inner,
          ...(v6 ? ["nodad"] : []),
        );
    }
    ip("link", "set", outer, "up");
    ip("-n", namespace, "link", "set", inner, "up");
    ip("-n", namespace, "link", "set", "lo", "up");
    const script = path.join(dir, "hosts.cjs");
    const hitsFile = path.join(dir, "hits.jsonl");
    writeFileSync(script, SERVER);
    writeFileSync(hitsFile, "");
    server = spawn(
      "ip",
      ["netns", "exec", namespace, process.execPath, script, String(httpPort), String(tcpPort), hitsFile],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const lines = createInterface({ input: server.stdout! });
    await new Promise<void>((resolve, reject) => {
      server!.once("exit", (code) => reject(new Error(`the test hosts' server exited (${code})`)));
      lines.on("line", (line) => {
        if ((JSON.parse(line) as { ready?: boolean }).ready) resolve();
      });
    });
    return { info: { namespace, httpPort, tcpPort, hitsFile }, close };
  } catch (error) {
    close();
    throw error;
  }
}
