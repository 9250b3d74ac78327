// Where the CPU goes in the engine bench (bench/engine.mjs): groups of processes, samples and the
// CPU per run of each measured phase.

import os from "node:os";
import { cpuBetween, readCmdline, sampleCpu } from "./procstat.mjs";
import { fixed, log } from "./table.mjs";

/**
 * CPU groups of a bench: the bench's own server processes, their workflow children, the services,
 * the load generator (this process).
 * @param {Array<{ name: string, pid: number, children?: string }>} servers
 * @param {string | null} databaseName  the bench database, to pick its PostgreSQL backends
 * @returns {CpuGroup[]}
 */
export function cpuGroups(servers, databaseName) {
  /** @type {CpuGroup[]} */
  const groups = [];
  for (const server of servers) {
    groups.push({ name: server.name, match: (p) => p.pid === server.pid });
    if (server.children) {
      // At any depth: a sandboxed child is a wrapper (unshare) with Node below it in its namespace.
      groups.push({ name: server.children, descendantsOf: server.pid, reaper: server.pid });
    }
  }
  if (databaseName) {
    const backend = /\(\d+\)|\[local\]/;
    groups.push(
      {
        name: "postgres: bench database backends",
        match: (p) => p.comm === "postgres" && readCmdline(p.pid).includes(` ${databaseName} `),
      },
      {
        name: "postgres: background (WAL writer, ...)",
        match: (p) => p.comm === "postgres" && !backend.test(readCmdline(p.pid)),
      },
      {
        name: "rabbitmq",
        match: (p) => ["beam.smp", "erl_child_setup", "inet_gethost", "epmd"].includes(p.comm),
      },
      { name: "redis", match: (p) => p.comm === "redis-server" },
    );
  }
  groups.push({ name: "bench (load generator)", match: (p) => p.pid === process.pid });
  return groups;
}

/**
 * The bench database's transaction and row counters (pg_stat_database: updated by each backend at
 * most once a second, so a few seconds' window is approximate; the bench's own backlog polls and
 * these reads count too, about 10 transactions a second).
 * @param {pg.Pool} pool
 * @param {string} databaseName
 * @returns {Promise<DatabaseCounters>}
 */
async function readDatabaseCounters(pool, databaseName) {
  const { rows } = await pool.query(
    `SELECT (xact_commit + xact_rollback)::float8 AS transactions, tup_inserted::float8 AS inserted,
            tup_updated::float8 AS updated
       FROM pg_stat_database WHERE datname = $1`,
    [databaseName],
  );
  const row = rows[0] ?? {};
  return {
    transactions: Number(row.transactions),
    inserted: Number(row.inserted),
    updated: Number(row.updated),
  };
}

/**
 * @param {Probes} probes
 * @returns {Promise<ProbeSample>}
 */
export async function takeSample(probes) {
  const cpu = sampleCpu(probes.groups);
  const database =
    probes.pool && probes.databaseName ? await readDatabaseCounters(probes.pool, probes.databaseName) : null;
  return { cpu, database };
}

/**
 * Records (and prints) the CPU time of each process group and the database work between two samples.
 * @param {Report} report
 * @param {string} phase
 * @param {ProbeSample} before
 * @param {ProbeSample} after
 * @param {number} runs
 */
export function recordCpu(report, phase, before, after, runs) {
  const usage = cpuBetween(before.cpu, after.cpu);
  const database =
    before.database && after.database
      ? {
          transactions: after.database.transactions - before.database.transactions,
          inserted: after.database.inserted - before.database.inserted,
          updated: after.database.updated - before.database.updated,
        }
      : null;
  report.cpu.push({ phase, usage, runs, database });
  const parts = [...usage.groups].map(([name, ms]) => `${name} ${fixed((ms / usage.wallMs) * 100, 0)} %`);
  log(
    `  CPU (% of one core; the machine has ${os.cpus().length}): ${parts.join(", ")}; ` +
      `machine busy ${fixed((usage.machineBusyMs / usage.wallMs) * 100, 0)} %`,
  );
  if (database && runs > 0) {
    log(
      `  PostgreSQL (bench database, approx.): ${fixed(database.transactions / runs, 1)} transactions, ` +
        `${fixed(database.inserted / runs, 1)} rows inserted, ${fixed(database.updated / runs, 1)} rows updated per run`,
    );
  }
}
