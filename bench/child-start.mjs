// What a workflow process start costs with the OS sandbox (sandbox v2) and without it: the time from
// `new SandboxedChild(…)` to its `ready`, `--runs` times each way, interleaved (off, on, off, on…) so
// that drift of the machine falls on both alike; and the CPU the child took to get there. With
// `--breakdown`, also the cost of each program of the isolation wrapper (setpriv, prlimit, unshare,
// setpriv, setsid) and of a child's cgroups, timed with spawnSync loops. Run from the repository root
// after a build, as root: `node bench/child-start.mjs [--runs 30] [--pause 100] [--breakdown]`.
// See bench/README.md.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { percentile } from "./lib/load.mjs";
import { fixed, formatTable, log } from "./lib/table.mjs";

const USAGE = `Usage: node bench/child-start.mjs [--runs <n>] [--pause <ms>] [--breakdown] [--loops <n>]

  --runs <n>     child starts timed each way, after one discarded start each (default 30)
  --pause <ms>   idle time before each start (default 100): a pool starts its children apart, and a
                 move into a cgroup costs more when no other came within ~20 ms (see bench/README.md)
  --breakdown    also time each program of the isolation wrapper and the cgroups (spawnSync loops)
  --loops <n>    iterations of each --breakdown step (default 50)`;

const DIST = new URL("../apps/server/dist/services/execution/pool/", import.meta.url);
const { SandboxedChild, CHILD_CPU_CORES, CHILD_TASKS, childMemoryLimitBytes, firstChildOf } = await import(
  new URL("child-process.js", DIST).href
);
const { DEFAULT_RUNTIME_DIR } = await import(new URL("runtime-bundle.js", DIST).href);
const { describeIsolation, detectIsolation, wrapCommand } = await import(new URL("isolation.js", DIST).href);
const { childCgroupControllers, createChildCgroup } = await import(new URL("child-cgroup.js", DIST).href);

const MEMORY_LIMIT_MB = 512;

function parseCli() {
  const { values } = parseArgs({
    options: {
      runs: { type: "string", default: "30" },
      pause: { type: "string", default: "100" },
      breakdown: { type: "boolean", default: false },
      loops: { type: "string", default: "50" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    log(USAGE);
    process.exit(0);
  }
  const runs = Number(values.runs);
  const loops = Number(values.loops);
  const pauseMs = Number(values.pause);
  const valid =
    Number.isInteger(runs) &&
    runs >= 1 &&
    runs <= 10_000 &&
    Number.isInteger(loops) &&
    loops >= 1 &&
    Number.isInteger(pauseMs) &&
    pauseMs >= 0;
  if (!valid) {
    console.error(USAGE);
    process.exit(2);
  }
  return { runs, loops, pauseMs, breakdown: values.breakdown };
}

/**
 * CPU time of a process so far, all its threads, in ms (from the scheduler's nanosecond counters, not
 * the 10 ms ticks of /proc/<pid>/stat).
 * @param {number | undefined} pid
 */
function cpuMsOf(pid) {
  if (pid === undefined) return 0;
  let ns = 0;
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0]);
    }
  } catch {
    // gone, or a thread gone between the listing and the read
  }
  return ns / 1e6;
}

/**
 * One start: constructor (cgroups, spawn) → `ready` → SIGKILL → `exited`.
 * @param {object} options  SandboxOptions
 */
async function startOnce(options) {
  const handlers = {
    message() {},
    invalid() {},
  };
  const started = performance.now();
  const child = new SandboxedChild(options, handlers);
  const constructed = performance.now();
  await child.ready;
  const ready = performance.now();
  // The wrapper (one pid: setpriv execs the next program, and so on) and, isolated, Node inside the
  // namespace, which unshare forked; read before the kill, so it is the CPU spent to get ready.
  const inner = options.isolation === false ? undefined : firstChildOf(child.pid);
  const cpuMs = cpuMsOf(child.pid ?? undefined) + cpuMsOf(inner);
  child.kill("SIGKILL");
  const exit = await child.exited;
  const exited = performance.now();
  if (!exit.wasReady) throw new Error(`a child exited before it was ready: ${exit.stderrTail}`);
  return {
    readyMs: ready - started,
    constructorMs: constructed - started,
    cpuMs,
    exitMs: exited - ready,
  };
}

/**
 * @param {{ procsFiles: string[] } | undefined} group
 * @param {number} pid
 */
function moveInto(group, pid) {
  for (const file of group?.procsFiles ?? []) writeFileSync(file, String(pid));
}

/** @param {number[]} values */
function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  return {
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    mean,
    min: sorted[0],
    max: sorted.at(-1),
  };
}

/**
 * Wall time of commands run synchronously, `loops` rounds of each in turn (round-robin, so that drift of
 * the machine falls on all of them alike), after 3 discarded rounds.
 * @param {string[][]} commands  argv of each
 * @param {number} loops
 */
function timeCommands(commands, loops) {
  /** @param {string[]} argv */
  const once = ([command, ...args]) => {
    const started = performance.now();
    const result = spawnSync(command, args, { stdio: ["ignore", "ignore", "pipe"] });
    if (result.status !== 0) {
      throw new Error(
        `${command} ${args.join(" ")}: exit ${result.status} ${result.stderr?.toString().trim() ?? ""}`,
      );
    }
    return performance.now() - started;
  };
  for (let i = 0; i < 3; i++) for (const argv of commands) once(argv);
  const samples = commands.map(() => /** @type {number[]} */ ([]));
  for (let i = 0; i < loops; i++) {
    for (const [index, argv] of commands.entries()) samples[index].push(once(argv));
  }
  return samples.map(summary);
}

/**
 * The wrapper's programs one at a time: the command line of an isolated child cut after each program
 * (each ends at its "--"), running /bin/true, so each row adds one exec to the one above; then Node
 * itself bare, as a child without isolation starts it, and inside the whole wrapper.
 * @param {object} isolation
 * @param {number} loops
 */
async function breakdown(isolation, loops) {
  const target = "/bin/true";
  const { command, args } = wrapCommand(isolation, [target]);
  const full = [command, ...args];
  /** @type {Array<{ label: string, argv: string[] }>} */
  const steps = [{ label: target, argv: [target] }];
  let from = 0;
  for (let i = 0; i < full.length - 1; i++) {
    const last = i === full.length - 2;
    if (full[i] !== "--" && !last) continue;
    const program = path.basename(full[from]);
    const options = full.slice(from + 1, last ? i + 1 : i).join(" ");
    steps.push({ label: `+ ${program} ${options}`.trim(), argv: [...full.slice(0, i + 1), target] });
    from = i + 1;
  }
  const node = [process.execPath, "-e", "0"];
  const off = wrapCommand({ kind: "permission-only", reason: "bench" }, node);
  const on = wrapCommand(isolation, node);
  const nodeSteps = [
    { label: "node -e 0", argv: node },
    { label: "node -e 0 as isolation off starts it (setpriv)", argv: [off.command, ...off.args] },
    { label: "node -e 0 inside the whole wrapper (isolation on)", argv: [on.command, ...on.args] },
  ];
  const all = [...steps, ...nodeSteps];
  const results = timeCommands(
    all.map((step) => step.argv),
    loops,
  );
  // What each row is compared with: the row above for the wrapper's programs, bare Node for Node's.
  /** @param {number} index */
  const baseOf = (index) => {
    if (index === 0 || index === steps.length) return undefined;
    return results[index < steps.length ? index - 1 : steps.length];
  };
  const rows = all.map((step, index) => {
    const { p50, mean } = results[index];
    const base = baseOf(index);
    return [step.label, fixed(p50, 2), fixed(mean, 2), base ? fixed(p50 - base.p50, 2) : ""];
  });

  // A child's cgroups (both modes have them): create with limits, then remove (empty).
  if (childCgroupControllers().length > 0) {
    const limits = {
      memoryBytes: childMemoryLimitBytes(MEMORY_LIMIT_MB),
      tasks: CHILD_TASKS,
      cpuCores: CHILD_CPU_CORES,
    };
    const samples = [];
    for (let i = 0; i < loops; i++) {
      const started = performance.now();
      createChildCgroup(limits)?.remove();
      samples.push(performance.now() - started);
    }
    const cgroup = summary(samples);
    rows.push([
      `cgroups (${childCgroupControllers().join(", ")}): create + remove`,
      fixed(cgroup.p50, 2),
      fixed(cgroup.mean, 2),
      "",
    ]);
    // Moving a process in (a write to cgroup.procs; the child's own shell does it before it execs the
    // wrapper, so the worker does not wait for it): once with no other move in the last 100 ms, as a
    // pool's starts are, and once right after another.
    const sleeper = spawn("sleep", ["600"], { stdio: "ignore" });
    const group = createChildCgroup(limits);
    try {
      const apart = [];
      const together = [];
      for (let i = 0; i < Math.min(loops, 20); i++) {
        await sleep(100);
        let started = performance.now();
        moveInto(group, /** @type {number} */ (sleeper.pid));
        apart.push(performance.now() - started);
        started = performance.now();
        moveInto(group, /** @type {number} */ (sleeper.pid));
        together.push(performance.now() - started);
      }
      for (const [label, samples] of [
        ["move a process into them, none moved in the last 100 ms", apart],
        ["move a process into them, right after another move", together],
      ]) {
        const { p50, mean } = summary(samples);
        rows.push([label, fixed(p50, 2), fixed(mean, 2), ""]);
      }
    } finally {
      sleeper.kill("SIGKILL");
      group?.remove();
    }
  }
  log(`\nWhere the time goes (ms; commands run by spawnSync from Node, ${loops} rounds, round-robin)`);
  log("+ p50: over the row above (the wrapper's programs), over bare node -e 0 (the node rows)");
  log(formatTable(["command", "p50", "mean", "+ p50"], rows, ["left", "right", "right", "right"]));
}

async function main() {
  const { runs, loops, pauseMs, breakdown: withBreakdown } = parseCli();
  const isolation = detectIsolation();
  const sandbox = describeIsolation(isolation);
  const load = () =>
    os
      .loadavg()
      .map((n) => n.toFixed(2))
      .join(" ");
  log(`node ${process.version}, ${os.cpus().length} cores, load average ${load()}`);
  const identity = sandbox.identity ? ` (${sandbox.identity})` : "";
  log(`isolation found: ${sandbox.kind}${identity}${sandbox.reason ? `: ${sandbox.reason}` : ""}`);
  log(`cgroups: ${childCgroupControllers().join(", ") || "none"} (both ways)`);
  if (isolation.kind !== "namespaces") log("!!! no namespaces on this host: both ways start the same child");

  const compiledRoot = mkdtempSync(path.join(os.tmpdir(), "bifrost-child-start-"));
  const common = { runtimeDir: DEFAULT_RUNTIME_DIR, compiledRoot, memoryLimitMb: MEMORY_LIMIT_MB };
  const modes = [
    { label: "isolation off", options: { ...common, isolation: false } },
    { label: "isolation on", options: { ...common, isolation } },
  ];
  /** @type {Array<Array<Awaited<ReturnType<typeof startOnce>>>>} */
  const results = modes.map(() => []);
  try {
    // One discarded start each: the first reads the runtime from disk and fills the caches.
    for (const mode of modes) await startOnce(mode.options);
    for (let i = 0; i < runs; i++) {
      for (const [index, mode] of modes.entries()) {
        await sleep(pauseMs);
        results[index].push(await startOnce(mode.options));
      }
    }
  } finally {
    rmSync(compiledRoot, { recursive: true, force: true });
  }

  const stats = results.map((samples) => ({
    ready: summary(samples.map((s) => s.readyMs)),
    constructor: summary(samples.map((s) => s.constructorMs)),
    cpu: summary(samples.map((s) => s.cpuMs)),
    exit: summary(samples.map((s) => s.exitMs)),
  }));
  const row = (label, s) => [
    label,
    fixed(s.ready.p50),
    fixed(s.ready.p90),
    fixed(s.ready.mean),
    fixed(s.ready.min),
    fixed(s.ready.max),
    fixed(s.constructor.mean, 2),
    fixed(s.cpu.mean),
    fixed(s.exit.mean),
  ];
  const [off, on] = stats;
  log(
    `\nChild start: new SandboxedChild → ready (${runs} starts each, interleaved, ${pauseMs} ms apart, ms)`,
  );
  log(
    formatTable(
      ["", "p50", "p90", "mean", "min", "max", "constructor", "CPU to ready", "kill → exited"],
      [
        row(modes[0].label, off),
        row(modes[1].label, on),
        [
          "difference",
          fixed(on.ready.p50 - off.ready.p50),
          fixed(on.ready.p90 - off.ready.p90),
          fixed(on.ready.mean - off.ready.mean),
          "",
          "",
          fixed(on.constructor.mean - off.constructor.mean, 2),
          fixed(on.cpu.mean - off.cpu.mean),
          fixed(on.exit.mean - off.exit.mean),
        ],
      ],
    ),
  );
  log(
    "constructor: the synchronous part (cgroups, spawn); CPU to ready: the child's own (wrapper and Node," +
      " all threads), mean; the last three columns are means",
  );
  if (withBreakdown && isolation.kind === "namespaces") await breakdown(isolation, loops);
  log(`load average at the end ${load()}`);
}

await main();
