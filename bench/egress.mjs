// What filtered egress (sandbox v2 part 2) costs a workflow that makes one HTTP call, and what the
// egress proxy costs per request. The "internet" is the bench's own host in a network namespace
// (203.0.113.10, apps/server/test/support/netns-hosts.ts); nothing else is ever a target. As root,
// after a build, from the repository root, alone (the tests' hosts use the same addresses):
//   node bench/egress.mjs [--runs 200] [--requests 2000] [--before <checkout>]
// 1. Sync latency through `bifrost-server start` (PGlite) of a workflow that fetches the host once: on
//    a connection its child keeps alive between runs, and on a new connection each run (the host
//    closes it). With `--before <checkout>` (a worktree of a commit before the proxy, built), its
//    server runs beside this one and the two take turns, in blocks, so drift falls on both alike.
//    Also the server process's CPU per run: in `start` the proxy lives there.
// 2. The proxy alone, in this process: `--requests` HTTP requests one after another through it
//    (CONNECT over its Unix socket, then GET on a connection the host closes), and as many straight
//    to the host; the CPU this process spent per request each way, and their latency.
// See bench/README.md.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { onCleanup, runCleanup } from "./lib/cleanup.mjs";
import { executeRun, signInFirstAdmin } from "./lib/engine-api.mjs";
import { writeWorkspaceFile } from "./lib/embedded-bench.mjs";
import { percentile } from "./lib/load.mjs";
import { readCpuMs, REPO_ROOT, startServer } from "./lib/server.mjs";
import { fixed, formatTable, log } from "./lib/table.mjs";

const USAGE = `Usage: node bench/egress.mjs [--runs <n>] [--requests <n>] [--before <checkout>] [--block <n>]

  --runs <n>          sync runs timed per workflow and server, after 10 warm-up runs (default 200)
  --block <n>         runs per turn when two servers take turns (default 20)
  --requests <n>      requests through the proxy alone, and as many straight (default 2000)
  --before <dir>      a checkout of a commit before the proxy (built: npm install && node
                      scripts/build.mjs): its server is measured beside this one`;

const { startTestHosts, TEST_HOSTS } = await import(
  new URL("../apps/server/test/support/netns-hosts.ts", import.meta.url).href
);
const DIST = new URL("../apps/server/dist/", import.meta.url);
const { EgressProxy } = await import(new URL("services/execution/pool/egress-proxy.js", DIST).href);
const { EgressPolicy } = await import(new URL("infra/net/egress-policy.js", DIST).href);
const { createLogger } = await import(new URL("infra/logger.js", DIST).href);

function parseCli() {
  const { values } = parseArgs({
    options: {
      runs: { type: "string", default: "200" },
      block: { type: "string", default: "20" },
      requests: { type: "string", default: "2000" },
      before: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    log(USAGE);
    process.exit(0);
  }
  const numbers = {
    runs: Number(values.runs),
    block: Number(values.block),
    requests: Number(values.requests),
  };
  if (!Object.values(numbers).every((n) => Number.isInteger(n) && n >= 1 && n <= 1_000_000)) {
    console.error(USAGE);
    process.exit(2);
  }
  return { ...numbers, before: values.before ? path.resolve(values.before) : undefined };
}

const summary = (/** @type {number[]} */ values) => {
  const sorted = Float64Array.from(values).sort();
  return { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99) };
};

/**
 * @param {{ httpPort: number }} hosts
 */
function workflowsFile(hosts) {
  const url = `http://${TEST_HOSTS.public}:${hosts.httpPort}/hello`;
  return `import { workflow } from "@bifrost/sdk";
export const keptAlive = workflow({ run: async () => (await fetch(${JSON.stringify(url)})).text() });
export const newConnection = workflow({ run: async () => (await fetch(${JSON.stringify(`${url}?close`)})).text() });
`;
}

/**
 * One `bifrost-server start` of `root`, signed in, with the bench's workflows.
 * @param {string} label
 * @param {string} root
 * @param {{ httpPort: number }} hosts
 */
async function startPlatform(label, root, hosts) {
  const tmpRoot = mkdtempSync(path.join(os.tmpdir(), "bifrost-egress-bench-"));
  onCleanup(`remove ${tmpRoot}`, () => rmSync(tmpRoot, { recursive: true, force: true }));
  const logFile = path.join(tmpRoot, "server.log");
  const server = await startServer({
    label,
    role: "start",
    logFile,
    root,
    env: {
      BIFROST_DATA_DIR: path.join(tmpRoot, "data"),
      BIFROST_SECRET_KEY: randomBytes(32).toString("hex"),
      BIFROST_MFA_REQUIRED: "false",
      BIFROST_LOG_LEVEL: "warn",
    },
  });
  const token = await signInFirstAdmin(server.baseUrl);
  await writeWorkspaceFile(server.baseUrl, token, "egress-bench.ts", workflowsFile(hosts));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  return { label, server, target: { baseUrl: server.baseUrl, token, agent }, logFile };
}

/**
 * Sync runs of `workflow` on each platform, `block` at a time in turns, `runs` each.
 * @param {Awaited<ReturnType<typeof startPlatform>>[]} platforms
 * @param {string} workflow
 * @param {{ runs: number, block: number }} options
 */
async function syncRuns(platforms, workflow, { runs, block }) {
  for (const platform of platforms) {
    for (let i = 0; i < 10; i++) {
      const answer = await executeRun(platform.target, workflow, true);
      if (!answer.ok)
        throw new Error(`${platform.label} ${workflow}: ${answer.failure} (log ${platform.logFile})`);
    }
  }
  const results = platforms.map(() => ({ ms: /** @type {number[]} */ ([]), cpuMs: 0 }));
  for (let done = 0; done < runs; done += block) {
    for (const [index, platform] of platforms.entries()) {
      const cpuBefore = readCpuMs(platform.server.pid);
      for (let i = 0; i < Math.min(block, runs - done); i++) {
        const answer = await executeRun(platform.target, workflow, true);
        if (!answer.ok) throw new Error(`${platform.label} ${workflow}: ${answer.failure}`);
        results[index].ms.push(answer.ms);
      }
      results[index].cpuMs += readCpuMs(platform.server.pid) - cpuBefore;
    }
  }
  return results.map((result) => ({ ...summary(result.ms), cpuMsPerRun: result.cpuMs / runs }));
}

/**
 * One GET on a connection the host closes, read to the end; `socket` is connected (or tunnelled).
 * @param {net.Socket} socket
 * @param {string} head  what to send first (a CONNECT, for the proxy), or ""
 */
function getOnce(socket, head) {
  return new Promise((resolve, reject) => {
    let buffered = "";
    let tunnelled = head === "";
    const request = `GET /hello?close HTTP/1.1\r\nHost: ${TEST_HOSTS.public}\r\nConnection: close\r\n\r\n`;
    socket.setEncoding("latin1");
    socket.on("data", (chunk) => {
      buffered += chunk;
      if (!tunnelled && buffered.endsWith("\r\n\r\n")) {
        if (!buffered.startsWith("HTTP/1.1 200")) return reject(new Error(`the proxy answered ${buffered}`));
        tunnelled = true;
        buffered = "";
        socket.write(request);
      }
    });
    socket.on("end", () =>
      buffered.includes(`hello from ${TEST_HOSTS.public}`) ? resolve(undefined) : reject(new Error(buffered)),
    );
    socket.on("error", reject);
    socket.write(head === "" ? request : head);
  });
}

/**
 * The proxy in this process: `requests` GETs through it and as many straight, in turns of 100.
 * @param {{ httpPort: number }} hosts
 * @param {number} requests
 */
async function proxyAlone(hosts, requests) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "bifrost-egress-proxy-bench-"));
  onCleanup(`remove ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
  const proxy = await EgressProxy.start({
    socketPath: path.join(dir, "egress.sock"),
    policy: new EgressPolicy(),
    logger: createLogger({ level: "silent", role: "bench" }),
  });
  onCleanup("close the proxy", () => proxy.close());
  const credential = proxy.register();
  const target = `${TEST_HOSTS.public}:${hosts.httpPort}`;
  const connectHead = `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\nProxy-Authorization: Bearer ${credential.token}\r\n\r\n`;
  const ways = {
    proxied: () => getOnce(net.connect({ path: proxy.socketPath }), connectHead),
    straight: () => getOnce(net.connect(hosts.httpPort, TEST_HOSTS.public), ""),
  };
  /** @type {Record<string, { ms: number[], cpuUs: number }>} */
  const results = { proxied: { ms: [], cpuUs: 0 }, straight: { ms: [], cpuUs: 0 } };
  for (const way of Object.values(ways)) for (let i = 0; i < 50; i++) await way(); // warm-up
  for (let done = 0; done < requests; done += 100) {
    for (const [name, way] of Object.entries(ways)) {
      const cpu = process.cpuUsage();
      for (let i = 0; i < Math.min(100, requests - done); i++) {
        const started = performance.now();
        await way();
        results[name].ms.push(performance.now() - started);
      }
      const used = process.cpuUsage(cpu);
      results[name].cpuUs += used.user + used.system;
    }
  }
  const usage = credential.usage();
  return {
    rows: Object.entries(results).map(([name, result]) => ({
      name,
      ...summary(result.ms),
      cpuUsPerRequest: result.cpuUs / requests,
    })),
    connections: usage.connections,
  };
}

async function main() {
  const options = parseCli();
  if (process.getuid?.() !== 0) throw new Error("the bench creates a network namespace: run it as root");
  const hosts = await startTestHosts();
  onCleanup("remove the test hosts", () => hosts.close());
  log(
    `Egress bench: the host ${TEST_HOSTS.public}:${hosts.info.httpPort} in network namespace ${hosts.info.namespace}`,
  );
  log(`${os.cpus().length} cores, Node ${process.version}`);

  const platforms = [await startPlatform("with the proxy (this checkout)", REPO_ROOT, hosts.info)];
  if (options.before)
    platforms.push(await startPlatform(`before (${options.before})`, options.before, hosts.info));
  for (const platform of platforms) log(`${platform.label}: server log ${platform.logFile}`);

  log("");
  log(
    `Sync run of a workflow making one fetch to the host (${options.runs} runs each, ms from request to answer)`,
  );
  const rows = [];
  for (const workflow of ["keptAlive", "newConnection"]) {
    const results = await syncRuns(platforms, workflow, options);
    results.forEach((result, index) =>
      rows.push([
        workflow,
        platforms[index].label,
        fixed(result.p50),
        fixed(result.p90),
        fixed(result.p99),
        fixed(result.cpuMsPerRun, 2),
      ]),
    );
  }
  log(formatTable(["workflow", "server", "p50", "p90", "p99", "server CPU ms/run"], rows));

  log("");
  log(`The proxy alone (${options.requests} GETs each way, each on a new connection; CPU of this process)`);
  const alone = await proxyAlone(hosts.info, options.requests);
  log(
    formatTable(
      ["way", "p50 ms", "p90 ms", "p99 ms", "CPU µs/request"],
      alone.rows.map((row) => [
        row.name,
        fixed(row.p50, 3),
        fixed(row.p90, 3),
        fixed(row.p99, 3),
        fixed(row.cpuUsPerRequest, 0),
      ]),
    ),
  );
  const [proxied, straight] = alone.rows;
  log(
    `The proxy's own CPU per request: ${fixed(proxied.cpuUsPerRequest - straight.cpuUsPerRequest, 0)} µs ` +
      `(${alone.connections} connections counted by it)`,
  );
  for (const platform of platforms) platform.target.agent.destroy();
}

try {
  await main();
} finally {
  await runCleanup();
}
