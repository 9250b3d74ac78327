// The process table from /proc: who is whose child, which are zombies, and CPU time by group of
// processes (a server, its workflow children, PostgreSQL, RabbitMQ, Redis, the bench itself, the rest
// of the machine) between two samples.
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";

/** Clock ticks per second of /proc times (almost always 100; server.mjs reads it the same way). */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * One line of /proc/<pid>/stat, times in ms.
 * @typedef {object} ProcStat
 * @property {number} pid
 * @property {string} comm     command name (at most 15 characters)
 * @property {string} state    R, S, D, Z (zombie), T, ...
 * @property {number} ppid
 * @property {number} cpuMs    utime + stime of the process itself
 * @property {number} childrenCpuMs  cutime + cstime: its children that it has reaped
 */

/**
 * @param {number} pid
 * @returns {ProcStat | null}  null when the process is gone
 */
function readStat(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  const close = text.lastIndexOf(")");
  const comm = text.slice(text.indexOf("(") + 1, close);
  // Fields after ")": state is the 3rd field of the line, ppid the 4th, utime..cstime the 14th..17th.
  const fields = text.slice(close + 2).split(" ");
  const ms = (/** @type {number} */ i) => (Number(fields[i]) * 1000) / CLOCK_TICKS;
  return {
    pid,
    comm,
    state: fields[0] ?? "?",
    ppid: Number(fields[1]),
    cpuMs: ms(11) + ms(12),
    childrenCpuMs: ms(13) + ms(14),
  };
}

/** Every process now (those that vanish while being read are left out). */
export function listProcesses() {
  /** @type {ProcStat[]} */
  const processes = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat) processes.push(stat);
  }
  return processes;
}

/**
 * The command line of a process, arguments joined by spaces ("" when it is gone or a zombie).
 * @param {number} pid
 */
export function readCmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
  } catch {
    return "";
  }
}

/**
 * The direct children of `ppid` and how many of them are zombies (exited, not yet reaped).
 * @param {number} ppid
 * @param {ProcStat[]} [processes]
 */
export function childrenOf(ppid, processes = listProcesses()) {
  const children = processes.filter((p) => p.ppid === ppid);
  return { total: children.length, zombies: children.filter((p) => p.state === "Z").length, children };
}

/** Busy and total CPU time of the whole machine so far, in ms summed over all cores (/proc/stat). */
function machineCpuMs() {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((sum, t) => sum + t, 0);
  // user nice system idle iowait irq softirq steal ...: idle and iowait are not busy.
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busy: ((total - idle) * 1000) / CLOCK_TICKS, total: (total * 1000) / CLOCK_TICKS };
}

/**
 * A named group of processes whose CPU time is added up.
 * @typedef {object} CpuGroup
 * @property {string} name
 * @property {(p: ProcStat) => boolean} [match]
 * @property {number} [descendantsOf]  instead of `match`: every process below this pid, at any depth
 *   (a sandboxed workflow child is a wrapper with Node inside its namespace below it)
 * @property {number} [reaper]  a pid whose reaped children's time (cutime + cstime) belongs to this
 *   group: the children that exit between two samples are still counted (a worker's recycled
 *   workflow processes)
 */

/**
 * @typedef {object} CpuSample
 * @property {number} at          performance.now()
 * @property {{ busy: number, total: number }} machine
 * @property {Map<string, { perPid: Map<number, number>, reaped: number }>} groups
 */

/**
 * CPU time of every group now. A process that matches several groups counts in the first one.
 * @param {CpuGroup[]} groups
 * @returns {CpuSample}
 */
export function sampleCpu(groups) {
  const processes = listProcesses();
  /** @type {CpuSample["groups"]} */
  const sample = new Map(groups.map((g) => [g.name, { perPid: new Map(), reaped: 0 }]));
  const below = new Map(
    groups
      .filter((g) => g.descendantsOf !== undefined)
      .map((g) => [g, descendants(g.descendantsOf, processes)]),
  );
  const matches = (/** @type {CpuGroup} */ g, /** @type {ProcStat} */ p) =>
    below.get(g)?.has(p.pid) ?? g.match?.(p) ?? false;
  for (const p of processes) {
    const group = groups.find((g) => matches(g, p));
    if (group) sample.get(group.name)?.perPid.set(p.pid, p.cpuMs);
  }
  for (const group of groups) {
    if (group.reaper === undefined) continue;
    const reaper = processes.find((p) => p.pid === group.reaper);
    const entry = sample.get(group.name);
    if (reaper && entry) entry.reaped = reaper.childrenCpuMs;
  }
  return { at: performance.now(), machine: machineCpuMs(), groups: sample };
}

/**
 * The pids below `root` in `processes`, at any depth.
 * @param {number | undefined} root
 * @param {ProcStat[]} processes
 */
function descendants(root, processes) {
  const found = new Set();
  let frontier = [root];
  while (frontier.length > 0) {
    const next = processes.filter((p) => frontier.includes(p.ppid) && !found.has(p.pid)).map((p) => p.pid);
    for (const pid of next) found.add(pid);
    frontier = next;
  }
  return found;
}

/**
 * CPU ms of each group between two samples, plus the machine's busy time and the wall time. Without
 * a reaper, a process that exits between the samples loses what it used after the first one (the
 * long-lived processes measured this way lose nothing).
 * @param {CpuSample} before
 * @param {CpuSample} after
 */
export function cpuBetween(before, after) {
  /** @type {Map<string, number>} */
  const groups = new Map();
  for (const [name, end] of after.groups) {
    const start = before.groups.get(name);
    let ms = 0;
    for (const [pid, cpu] of end.perPid) ms += cpu - (start?.perPid.get(pid) ?? 0);
    if (end.reaped > 0 || (start?.reaped ?? 0) > 0) {
      // Reaped children's time moved into the reaper's cutime: add the cutime growth and drop what
      // the children that were alive at the start and are gone now had already used.
      ms += end.reaped - (start?.reaped ?? 0);
      for (const [pid, cpu] of start?.perPid ?? []) if (!end.perPid.has(pid)) ms -= cpu;
    }
    groups.set(name, Math.max(0, ms));
  }
  return {
    wallMs: after.at - before.at,
    machineBusyMs: after.machine.busy - before.machine.busy,
    machineTotalMs: after.machine.total - before.machine.total,
    groups,
  };
}

/**
 * Memory of the processes `roots` and everything below them, at any depth: the sum of their RSS (pages
 * shared between processes, such as the node binary, count once per process) and of their PSS (each
 * shared page divided among its sharers: what the tree adds to the machine). MB.
 * @param {number[]} roots
 */
export function treeMemory(roots) {
  const processes = listProcesses();
  const inTree = new Set(roots);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of processes) {
      if (!inTree.has(p.pid) && inTree.has(p.ppid) && p.state !== "Z") {
        inTree.add(p.pid);
        grew = true;
      }
    }
  }
  let rss = 0;
  let pss = 0;
  let counted = 0;
  for (const pid of inTree) {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
      const kb = (/** @type {string} */ field) =>
        Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(rollup)?.[1] ?? 0);
      rss += kb("Rss") / 1024;
      pss += kb("Pss") / 1024;
      counted += 1;
    } catch {
      // Gone meanwhile.
    }
  }
  return { processes: counted, rssMb: rss, pssMb: pss };
}
