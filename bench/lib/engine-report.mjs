// The engine bench's printed report (bench/engine.mjs): the tables of figures against the goals,
// where the CPU goes, and what happened to the workflow processes.

import os from "node:os";
import {
  BACKLOG_CAP,
  CHILD_RUNTIME,
  MEMORY_GOALS,
  PEER_RATIO_GOAL,
  RAMP_UP_S,
  SYNC_GOALS,
  SYNC_WARMUP,
  THROUGHPUT_GOAL,
} from "./engine-settings.mjs";
import { count, fixed, formatTable, log } from "./table.mjs";

/** @param {import("../engine.mjs").Report} report @param {import("../engine.mjs").Options} options */
export function printReport(report, options) {
  log(`\n${"=".repeat(100)}`);
  log(
    `Bifrost execution-engine bench: ${options.requests} sync runs per concurrency level after ${SYNC_WARMUP} warm-up runs; ` +
      `throughput windows of ${options.durationS} s after a ${RAMP_UP_S} s ramp-up, ${options.submitters} submitters`,
  );
  const loadavg = (/** @type {number[]} */ l) => l.map((v) => v.toFixed(2)).join(" ");
  log(
    `node ${process.version}, ${os.cpus().length} CPUs; load average (1/5/15 min) at start ` +
      `${loadavg(report.loadavgAtStart)}, at end ${loadavg(os.loadavg())}; ` +
      `BIFROST_MAX_WORKERS ${options.maxWorkers ?? "default (10)"}`,
  );

  if (report.sync.length > 0) {
    log(
      "\n(a) Sync run of the trivial workflow, POST /api/workflows/execute {sync: true} (latency of every answer)\n",
    );
    log(
      formatTable(
        ["mode", "in flight", "runs", "runs/s", "p50 ms", "p99 ms", "max ms", "failed", "goal", "met?"],
        report.sync.map((r) => {
          const goal = SYNC_GOALS[r.mode];
          const met = r.p50 <= goal.p50 && r.p99 <= goal.p99 && r.ok === r.count;
          return [
            r.mode,
            String(r.concurrency),
            String(r.count),
            fixed(r.count / (r.wallMs / 1000), 0),
            fixed(r.p50, 2),
            fixed(r.p99, 2),
            fixed(r.max, 1),
            String(r.count - r.ok),
            `p50 <= ${goal.p50} ms, p99 <= ${goal.p99} ms`,
            met ? "yes" : "NO",
          ];
        }),
        ["left", "right", "right", "right", "right", "right", "right", "right", "left", "left"],
      ),
    );
  }

  if (report.memory.length > 0) {
    log(
      "\n(e) Idle memory of the whole process tree (servers and every process below them; not the services)\n",
    );
    log(
      formatTable(
        ["mode", "processes", "RSS sum MB", "PSS sum MB", "goal", "met?"],
        report.memory.map((m) => {
          const goal = MEMORY_GOALS[m.mode];
          return [
            m.mode,
            String(m.processes),
            fixed(m.rssMb, 0),
            fixed(m.pssMb, 0),
            goal === undefined ? "(report only)" : `RSS <= ${goal} MB`,
            goal === undefined ? "" : m.rssMb <= goal ? "yes" : "NO",
          ];
        }),
        ["left", "right", "right", "right", "left", "left"],
      ),
    );
  }

  if (report.peer.length > 0) {
    log(
      "\n(f) Endpoint scenario side by side (POST {n}, the workflow adds 1): Bifrost embedded POST /api/endpoints/{name} " +
        "(sync) and n8n's webhook -> Set (regular mode), autocannon\n",
    );
    const of = (/** @type {string} */ target, /** @type {number} */ c) =>
      report.peer.find((r) => r.target === target && r.connections === c);
    log(
      formatTable(
        [
          "connections",
          "Bifrost req/s",
          "p50 / p99 ms",
          "n8n req/s",
          "p50 / p99 ms",
          "ratio",
          "goal",
          "met?",
        ],
        [...new Set(report.peer.map((r) => r.connections))].map((c) => {
          const ours = of("bifrost", c);
          const theirs = of("n8n", c);
          const ratio =
            ours && theirs && theirs.requestsPerS > 0 ? ours.requestsPerS / theirs.requestsPerS : NaN;
          const goal = c === 10 ? PEER_RATIO_GOAL : undefined;
          return [
            String(c),
            ours ? fixed(ours.requestsPerS, 1) : "-",
            ours ? `${ours.p50} / ${ours.p99}` : "-",
            theirs ? fixed(theirs.requestsPerS, 1) : "-",
            theirs ? `${theirs.p50} / ${theirs.p99}` : "-",
            Number.isNaN(ratio) ? "-" : `${fixed(ratio, 1)}x`,
            goal === undefined ? "(report only)" : `>= ${goal}x`,
            goal === undefined || Number.isNaN(ratio) ? "" : ratio >= goal ? "yes" : "NO",
          ];
        }),
        ["right", "right", "right", "right", "right", "right", "left", "left"],
      ),
    );
  }

  if (report.throughput.length > 0) {
    log(
      "\n(b) / (c) Async runs on the real services: runs that reached Success in the window (database clock)\n",
    );
    log(
      formatTable(
        [
          "workload",
          "window s",
          "Success",
          "runs/s",
          "goal",
          "met?",
          "accepted/s (202)",
          "paused",
          "log lines/s",
          "drain s",
          "not Success",
        ],
        report.throughput.map((r) => {
          const seconds = r.windowMs / 1000;
          const success = r.endedInWindow.Success ?? 0;
          const trivial = r.workflow === "trivial";
          const bad = Object.entries(r.acceptedByStatus)
            .filter(([s]) => s !== "Success")
            .reduce((n, [, v]) => n + v, 0);
          return [
            r.label,
            fixed(seconds, 1),
            String(success),
            fixed(success / seconds, 0),
            trivial ? `>= ${count(THROUGHPUT_GOAL)}/s` : "(report only)",
            trivial ? (success / seconds >= THROUGHPUT_GOAL ? "yes" : "NO") : "",
            fixed(r.acceptedInWindow / seconds, 0),
            `${fixed(r.pausedShare * 100, 0)} %`,
            r.logRows === null ? "" : fixed(r.logRows / seconds, 0),
            fixed(r.drainMs / 1000, 1),
            String(bad + r.missing),
          ];
        }),
        ["left", "right", "right", "right", "left", "left", "right", "right", "right", "right", "right"],
      ),
    );
    log(
      `\n"paused": share of the window in which the submitters waited because ${count(BACKLOG_CAP)} accepted runs had not ` +
        'ended yet (above 0 %, the API accepted faster than the runs ended). "not Success": accepted runs of that ' +
        "workload that were not Success after the drain, or had no row.",
    );
  }

  if (report.cpu.length > 0) {
    const names = [...new Set(report.cpu.flatMap((c) => [...c.usage.groups.keys()]))];
    log(
      `\nWhere the CPU goes: % of one core during each measured phase (the machine has ${os.cpus().length} cores = ` +
        `${os.cpus().length * 100} %); ms of CPU per run below\n`,
    );
    const header = ["process", ...report.cpu.map((c) => c.phase)];
    /** @type {string[][]} */
    const rows = names.map((name) => [
      name,
      ...report.cpu.map((c) => {
        const ms = c.usage.groups.get(name);
        return ms === undefined ? "" : fixed((ms / c.usage.wallMs) * 100, 0);
      }),
    ]);
    // Never below 0: the samples of /proc/stat and of the processes are a few ms apart.
    const other = (/** @type {CpuUsage} */ u) =>
      Math.max(0, u.machineBusyMs - [...u.groups.values()].reduce((sum, ms) => sum + ms, 0));
    rows.push(
      [
        "everything else on the machine",
        ...report.cpu.map((c) => fixed((other(c.usage) / c.usage.wallMs) * 100, 0)),
      ],
      ["machine busy", ...report.cpu.map((c) => fixed((c.usage.machineBusyMs / c.usage.wallMs) * 100, 0))],
    );
    log(formatTable(header, rows, ["left", ...report.cpu.map(() => /** @type {const} */ ("right"))]));
    log("");
    /** @type {string[][]} */
    const perRun = names.map((name) => [
      name,
      ...report.cpu.map((c) => {
        const ms = c.usage.groups.get(name);
        return ms === undefined || c.runs === 0 ? "" : fixed(ms / c.runs, 3);
      }),
    ]);
    perRun.push([
      "machine busy",
      ...report.cpu.map((c) => (c.runs === 0 ? "" : fixed(c.usage.machineBusyMs / c.runs, 3))),
    ]);
    /** @type {Array<[string, keyof DatabaseCounters]>} */
    const counters = [
      ["PostgreSQL transactions per run", "transactions"],
      ["PostgreSQL rows inserted per run", "inserted"],
      ["PostgreSQL rows updated per run", "updated"],
    ];
    if (report.cpu.some((c) => c.database)) {
      for (const [title, key] of counters) {
        perRun.push([
          title,
          ...report.cpu.map((c) => (c.database && c.runs > 0 ? fixed(c.database[key] / c.runs, 1) : "")),
        ]);
      }
    }
    log(
      formatTable(
        ["CPU ms per run", ...report.cpu.map((c) => c.phase)],
        perRun,
        header.map((_, i) => (i === 0 ? "left" : "right")),
      ),
    );
  }

  if (report.zombies.length > 0) {
    log(
      "\n(d) Workflow processes: direct children of the server process (from /proc/*/stat; zombies = state Z), " +
        `and our processes running ${CHILD_RUNTIME} still alive after the server stopped (orphans)\n`,
    );
    log(
      formatTable(
        [
          "server process",
          "runs done",
          "children before (zombies)",
          "most during load (zombies)",
          "children after drain (zombies)",
          "orphans after stop",
          "child.mjs on machine",
        ],
        report.zombies.map((z) => [
          z.label,
          count(z.runs),
          `${z.before.total} (${z.before.zombies})`,
          Number.isNaN(z.during.total) ? "(not sampled)" : `${z.during.total} (${z.during.zombies})`,
          `${z.after.total} (${z.after.zombies})`,
          String(z.orphans.length),
          String(z.childRuntimeOnMachine),
        ]),
        ["left", "right", "right", "right", "right", "right", "right"],
      ),
    );
    log(
      '\n"most during load" is the largest count in the one-second samples taken during (b), (c) and the top-up: a ' +
        "recycled child is a zombie for the moment between its exit and the worker reaping it, so one there is " +
        "expected; a zombie before the load or left after the drain, or an orphan, is not.",
    );
    const bad = report.zombies.filter(
      (z) => z.before.zombies > 0 || z.after.zombies > 0 || z.orphans.length > 0,
    );
    for (const z of bad) {
      log(
        `\n!!! ${z.label}: ${z.before.zombies} zombie(s) before the load, ${z.after.zombies} after the drain, ` +
          `${z.orphans.length} orphan(s) after the stop`,
      );
    }
  }

  if (report.notes.length > 0) {
    log("\nNotes");
    for (const note of report.notes) log(`- ${note}`);
  }
  if (report.failures.length > 0) {
    log("\nFAILED");
    for (const failure of report.failures) log(`- ${failure}`);
  }
}
