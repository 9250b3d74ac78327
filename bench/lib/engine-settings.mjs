// Settings of the engine bench shared by its run (bench/engine.mjs) and its report (engine-report.mjs).

export const SYNC_WARMUP = 100;

/** Load before the measured window of a throughput run, so the pipeline is full when it starts. */
export const RAMP_UP_S = 3;

/** Submitters pause while this many accepted runs have not ended: the queue stays fed, not flooded. */
export const BACKLOG_CAP = 500;

export const CHILD_RUNTIME = "dist/runtime/child.mjs";

/** Goals (bench/README.md). */
export const SYNC_GOALS = {
  embedded: { p50: 5, p99: 20 },
  services: { p50: 5, p99: 20 },
  distributed: { p50: 5, p99: 20 },
};
export const THROUGHPUT_GOAL = 1_000;
/** @type {Partial<Record<import("../engine.mjs").Mode, number>>} idle RSS of the whole process tree, MB */
export const MEMORY_GOALS = { embedded: 450 };
/** Bifrost's throughput over n8n's on the endpoint scenario at 10 connections. */
export const PEER_RATIO_GOAL = 50;
export const BACKLOG_POLL_MS = 100;

export const PROGRESS_EVERY_MS = 5_000;

/** How long the runs accepted by a throughput run may take to end after the submitters stop. */
export const DRAIN_TIMEOUT_MS = 120_000;

export const ACTIVE_STATUSES = ["Scheduled", "Pending", "Running", "Cancelling"];
