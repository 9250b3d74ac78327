import { sql } from "drizzle-orm";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/database.js";
import { startEmbeddedWithWorkspace, type EmbeddedServer } from "../support/embedded-server.js";
import { call } from "../support/login-journey.js";

// Acceptance (issue 14): on `bifrost-server start` (what `npm start` runs: PGlite, one connection) a
// `*/2 * * * * *` schedule fires at least 5 times in 20 s while the platform answers every request,
// disabling it stops it, enabling it again resumes it, and every fire time has one run or a record of
// why not — never two runs. Before the fix the first fire deadlocked the whole platform.

const WORKFLOW =
  'import { workflow } from "@bifrost/sdk";\nexport const tick = workflow({ run: () => "tock" });\n';
const REQUEST_BOUND_MS = 5_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Fire = { fireTime: Date; outcome: string; executionId: string | null };

describe("a cron schedule on the embedded platform (bifrost-server start)", () => {
  let embedded: EmbeddedServer;
  let auth: Record<string, string>;
  let scheduleId: string;
  /** Every answer time of the reads made while the schedule fired. */
  const answered: number[] = [];

  /** A request that must be answered within the bound; its time is recorded. */
  const timed = async (url: string, method = "GET", body?: Record<string, unknown>) => {
    const started = Date.now();
    const response = await call(`${embedded.url}${url}`, method, body, auth);
    answered.push(Date.now() - started);
    return response;
  };
  const scheduleRuns = async () => {
    const list = await timed("/api/executions?limit=1000&workflowName=tick");
    expect(list.status).toBe(200);
    return (list.body.items as Array<{ id: string; triggeredBy: string; status: string }>).filter(
      (run) => run.triggeredBy === "schedule",
    );
  };
  /** Reads like the web client's pages, for `ms`, each answered within the bound. */
  const browseFor = async (ms: number) => {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      for (const page of ["/api/executions?limit=25", "/api/schedules", "/api/workflows", "/auth/me"]) {
        expect((await timed(page)).status).toBe(200);
      }
      await sleep(200);
    }
  };

  beforeAll(async () => {
    ({ embedded, auth } = await startEmbeddedWithWorkspace({ "tick.ts": WORKFLOW }));
  }, 120_000);

  afterAll(() => embedded?.close());

  it("fires at least 5 times in 20 s while every request is answered within 5 s", async () => {
    const workflows = await call(`${embedded.url}/api/workflows`, "GET", undefined, auth);
    const workflowId = (workflows.body.items as Array<{ id: string; name: string }>).find(
      (w) => w.name === "tick",
    )!.id;
    const created = await timed("/api/schedules", "POST", { workflowId, cron: "*/2 * * * * *" });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    scheduleId = String(created.body.id);

    await browseFor(20_000);
    const runs = await scheduleRuns();
    expect(runs.length).toBeGreaterThanOrEqual(5);
    expect(Math.max(...answered)).toBeLessThan(REQUEST_BOUND_MS);
    expect((await timed("/health/ready")).status).toBe(200);
  }, 40_000);

  it("disabling it stops the fires; the platform keeps answering", async () => {
    const patched = await timed(`/api/schedules/${scheduleId}`, "PATCH", { enabled: false });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    await sleep(1_500); // a run started just before the change may still be on its way
    const before = (await scheduleRuns()).length;
    await browseFor(6_000);
    expect((await scheduleRuns()).length).toBe(before);
  }, 20_000);

  it("enabling it again resumes the fires", async () => {
    const before = (await scheduleRuns()).length;
    const patched = await timed(`/api/schedules/${scheduleId}`, "PATCH", { enabled: true });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    await browseFor(7_000);
    expect((await scheduleRuns()).length).toBeGreaterThanOrEqual(before + 2);
    expect(Math.max(...answered)).toBeLessThan(REQUEST_BOUND_MS);
  }, 20_000);

  it("every fire time has one run or a recorded reason, never two runs, and every run ended", async () => {
    expect((await timed(`/api/schedules/${scheduleId}`, "PATCH", { enabled: false })).status).toBe(200);
    await sleep(3_000);
    await embedded.server.stop();
    // The data directory is free now: read what the platform recorded.
    const database = await openDatabase({ engine: "pglite", dataDir: path.join(embedded.dataDir, "db") });
    try {
      const fires = (
        (await database.db.execute(
          sql`select fire_time as "fireTime", outcome, execution_id as "executionId"
              from schedule_fires where schedule_id = ${scheduleId} order by fire_time`,
        )) as { rows: Fire[] }
      ).rows;
      const runs = (
        (await database.db.execute(
          sql`select id, status from executions where source_id = ${scheduleId} and triggered_by = 'schedule'`,
        )) as { rows: Array<{ id: string; status: string }> }
      ).rows;
      const fired = fires.filter((fire) => fire.outcome === "fired");
      expect(fired.length).toBeGreaterThanOrEqual(7);
      // One run per fired time, each linked, and no run that no fire accounts for.
      expect(fired.every((fire) => fire.executionId !== null)).toBe(true);
      expect(new Set(fired.map((fire) => fire.executionId)).size).toBe(fired.length);
      expect(runs.map((run) => run.id).sort()).toEqual(fired.map((fire) => fire.executionId).sort());
      expect(runs.every((run) => run.status === "Success")).toBe(true);
      // Every other fire time says why it did not run (skipped or missed), never silently nothing.
      expect(fires.every((fire) => ["fired", "skipped", "missed"].includes(fire.outcome))).toBe(true);
    } finally {
      await database.close();
    }
  }, 30_000);
});
