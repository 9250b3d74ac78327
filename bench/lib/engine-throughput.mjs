// The engine bench's async throughput runs (bench/engine.mjs): producers that keep the queue fed,
// the measured window, the drain, and the checks of each row.

import http from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { executeRun, LOG_LINES_PER_RUN } from "./engine-api.mjs";
import { recordCpu, takeSample } from "./engine-cpu.mjs";
import {
  ACTIVE_STATUSES,
  BACKLOG_CAP,
  BACKLOG_POLL_MS,
  DRAIN_TIMEOUT_MS,
  PROGRESS_EVERY_MS,
  RAMP_UP_S,
} from "./engine-settings.mjs";
import { count, fixed, log } from "./table.mjs";

/** @param {pg.Pool} pool */
export async function countEnded(pool) {
  const { rows } = await pool.query(
    "SELECT count(*)::int AS n FROM executions WHERE completed_at IS NOT NULL",
  );
  return Number(rows[0]?.n ?? 0);
}

/** @param {pg.Pool} pool */
async function countActive(pool) {
  const { rows } = await pool.query(
    "SELECT count(*)::int AS n FROM executions WHERE status = ANY($1::text[])",
    [ACTIVE_STATUSES],
  );
  return Number(rows[0]?.n ?? 0);
}

/** @param {pg.Pool} pool */
async function databaseNow(pool) {
  const { rows } = await pool.query("SELECT clock_timestamp() AS now");
  return /** @type {Date} */ (rows[0]?.now);
}

/**
 * @typedef {object} ThroughputContext
 * @property {import("../engine.mjs").Mode} mode
 * @property {{ baseUrl: string, token: string }} target
 * @property {pg.Pool} pool
 * @property {Probes} probes
 * @property {Options} options
 * @property {Report} report
 */

/**
 * A producer of async runs: `submitters` lanes POST /api/workflows/execute back to back, pausing
 * while BACKLOG_CAP accepted runs have not ended (the backlog is read from the database every
 * BACKLOG_POLL_MS and counted up by the 202s since).
 * @param {ThroughputContext} context
 * @param {string} workflow
 */
function startProducer(context, workflow) {
  const { target, pool, options } = context;
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.submitters });
  const client = { ...target, agent };
  const state = {
    accepted: 0,
    refused: 0,
    firstRefusal: "",
    /** @type {string[]} */
    ids: [],
    backlog: 0,
    acceptedAtPoll: 0,
    pausedMs: 0,
    stopping: false,
  };
  const estimate = () => state.backlog + state.accepted - state.acceptedAtPoll;
  let lastPoll = performance.now();
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const acceptedBefore = state.accepted;
      try {
        state.backlog = await countActive(pool);
        state.acceptedAtPoll = acceptedBefore;
      } catch {
        // The next poll tries again.
      }
      const now = performance.now();
      if (estimate() >= BACKLOG_CAP) state.pausedMs += now - lastPoll;
      lastPoll = now;
      await sleep(BACKLOG_POLL_MS);
    }
  })();
  const lane = async () => {
    while (!state.stopping) {
      if (estimate() >= BACKLOG_CAP) {
        await sleep(10);
        continue;
      }
      const answer = await executeRun(client, workflow, false);
      if (answer.ok) {
        state.accepted += 1;
        state.ids.push(answer.executionId);
      } else {
        state.refused += 1;
        state.firstRefusal ||= answer.failure;
        await sleep(10);
      }
    }
  };
  const lanes = Promise.all(Array.from({ length: options.submitters }, lane));
  return {
    state,
    backlog: estimate,
    async stop() {
      state.stopping = true;
      await lanes;
      polling = false;
      await poller;
      agent.destroy();
    },
  };
}

/**
 * (b) / (c): async runs kept coming for RAMP_UP_S + `--duration` seconds; the runs that reached a
 * final state in the measured window are counted in the database (completed_at, database clock).
 * @param {ThroughputContext} context
 * @param {{ label: string, workflow: string }} run
 */
export async function benchThroughput(context, { label, workflow }) {
  const { pool, probes, options, report } = context;
  const tag = `[${context.mode} ${label}]`;
  log(
    `\n${tag} ${options.submitters} submitters of async "${workflow}" runs (backlog capped at ${count(BACKLOG_CAP)}): ` +
      `${RAMP_UP_S} s ramp-up, then ${options.durationS} s measured`,
  );
  const producer = startProducer(context, workflow);
  const { state } = producer;
  let stopped = false;
  try {
    await sleep(RAMP_UP_S * 1000);
    const t0 = await databaseNow(pool);
    const sampleBefore = await takeSample(probes);
    const accepted0 = state.accepted;
    const ended0 = state.accepted - producer.backlog();
    const paused0 = state.pausedMs;
    const started = performance.now();
    const progress = setInterval(() => {
      const s = (performance.now() - started) / 1000;
      log(
        `${tag} ${fixed(s, 0)} s: ${count(state.accepted - accepted0)} accepted (${fixed((state.accepted - accepted0) / s, 0)}/s), ` +
          `backlog ~${count(producer.backlog())}, ~${fixed((state.accepted - producer.backlog() - ended0) / s, 0)} ended/s ` +
          `(approx.), ${state.refused} refused`,
      );
    }, PROGRESS_EVERY_MS);
    await sleep(options.durationS * 1000);
    clearInterval(progress);
    const t1 = await databaseNow(pool);
    const sampleAfter = await takeSample(probes);
    const acceptedInWindow = state.accepted - accepted0;
    const pausedShare = (state.pausedMs - paused0) / (performance.now() - started);
    await producer.stop();
    stopped = true;

    const drainStarted = performance.now();
    let active = await countActive(pool);
    while (active > 0 && performance.now() - drainStarted < DRAIN_TIMEOUT_MS) {
      await sleep(100);
      active = await countActive(pool);
    }
    const drainMs = performance.now() - drainStarted;
    log(
      `${tag} submitters stopped after ${count(state.accepted)} accepted runs; ` +
        `${active === 0 ? `drained in ${fixed(drainMs / 1000, 1)} s` : `${active} runs still not ended after ${DRAIN_TIMEOUT_MS / 1000} s`}`,
    );

    const ended = await pool.query(
      "SELECT status, count(*)::int AS n FROM executions WHERE completed_at >= $1 AND completed_at < $2 GROUP BY status",
      [t0, t1],
    );
    /** @type {Record<string, number>} */
    const endedInWindow = Object.fromEntries(ended.rows.map((r) => [String(r.status), Number(r.n)]));
    let logRows = null;
    let logCountSum = null;
    if (workflow === "chatty") {
      const logs = await pool.query(
        `SELECT (SELECT count(*) FROM execution_logs l JOIN executions e ON e.id = l.execution_id
                  WHERE e.completed_at >= $1 AND e.completed_at < $2)::int AS rows,
                (SELECT coalesce(sum(log_count), 0) FROM executions
                  WHERE completed_at >= $1 AND completed_at < $2)::int AS counted`,
        [t0, t1],
      );
      logRows = Number(logs.rows[0]?.rows ?? 0);
      logCountSum = Number(logs.rows[0]?.counted ?? 0);
    }
    const all = await pool.query(
      `SELECT status, count(*)::int AS n, count(*) FILTER (WHERE attempt > 1)::int AS retried
         FROM executions WHERE id = ANY($1::uuid[]) GROUP BY status`,
      [state.ids],
    );
    /** @type {Record<string, number>} */
    const acceptedByStatus = Object.fromEntries(all.rows.map((r) => [String(r.status), Number(r.n)]));
    const found = all.rows.reduce((n, r) => n + Number(r.n), 0);
    const retried = all.rows.reduce((n, r) => n + Number(r.retried), 0);

    /** @type {ThroughputRow} */
    const row = {
      label: `${context.mode} ${label}`,
      workflow,
      windowMs: t1.getTime() - t0.getTime(),
      endedInWindow,
      acceptedInWindow,
      acceptedTotal: state.accepted,
      refused: state.refused,
      firstRefusal: state.firstRefusal,
      pausedShare,
      logRows,
      logCountSum,
      drainMs,
      acceptedByStatus,
      missing: state.ids.length - found,
      retried,
    };
    report.throughput.push(row);
    const success = endedInWindow.Success ?? 0;
    const seconds = row.windowMs / 1000;
    log(
      `${tag} window ${fixed(seconds, 2)} s: ${count(success)} runs reached Success (${fixed(success / seconds, 0)}/s), ` +
        `${count(acceptedInWindow)} accepted (${fixed(acceptedInWindow / seconds, 0)}/s), submitters paused ` +
        `${fixed(pausedShare * 100, 0)} % of the window by the backlog cap; ended in the window by status ${JSON.stringify(endedInWindow)}` +
        (logRows === null
          ? ""
          : `; ${count(logRows)} log lines stored (${fixed(logRows / seconds, 0)}/s; log_count sum ${count(logCountSum ?? 0)})`),
    );
    recordCpu(report, `${context.mode} ${label}`, sampleBefore, sampleAfter, success);
    checkThroughputRow(row, tag, report);
  } finally {
    if (!stopped) await producer.stop();
  }
}

/**
 * Lost, stuck, failed or repeated runs are findings: each goes to the notes, loudly.
 * @param {ThroughputRow} row
 * @param {string} tag
 * @param {Report} report
 */
function checkThroughputRow(row, tag, report) {
  const notSuccess = Object.entries(row.acceptedByStatus).filter(([status]) => status !== "Success");
  if (notSuccess.length > 0) {
    report.notes.push(
      `!!! ${tag} of ${count(row.acceptedTotal)} accepted runs, not Success after the drain: ${JSON.stringify(Object.fromEntries(notSuccess))}`,
    );
  }
  if (row.missing !== 0) {
    report.notes.push(`!!! ${tag} ${row.missing} accepted runs (202 with an executionId) have no row`);
  }
  if (row.retried > 0) {
    report.notes.push(`!!! ${tag} ${row.retried} accepted runs needed more than one attempt`);
  }
  if (row.refused > 0) {
    report.notes.push(
      `!!! ${tag} ${row.refused} submissions were not answered 202, e.g. ${row.firstRefusal}`,
    );
  }
  if (row.logRows !== null && row.logRows !== row.logCountSum) {
    report.notes.push(
      `!!! ${tag} the runs that ended in the window stored ${row.logRows} log rows, but their log_count adds up to ${row.logCountSum}`,
    );
  }
  const success = row.endedInWindow.Success ?? 0;
  if (row.logRows !== null && row.logRows !== success * LOG_LINES_PER_RUN) {
    const others = Object.entries(row.endedInWindow).filter(([s]) => s !== "Success").length;
    if (others === 0) {
      report.notes.push(
        `!!! ${tag} ${count(success)} successful runs should have stored ${count(success * LOG_LINES_PER_RUN)} log lines, not ${count(row.logRows)}`,
      );
    }
  }
}

/**
 * More trivial runs, so that the zombie count comes after ZOMBIE_CHECK_RUNS runs: submits until
 * `runs` more have ended or `budgetMs` has passed, then waits for what was accepted to end.
 * @param {ThroughputContext} context
 * @param {number} runs
 * @param {number} budgetMs
 */
export async function topUp(context, runs, budgetMs) {
  const producer = startProducer(context, "trivial");
  const deadline = performance.now() + budgetMs;
  while (producer.state.accepted - producer.backlog() < runs && performance.now() < deadline)
    await sleep(100);
  await producer.stop();
  const drainDeadline = performance.now() + DRAIN_TIMEOUT_MS;
  while ((await countActive(context.pool)) > 0 && performance.now() < drainDeadline) await sleep(100);
}
