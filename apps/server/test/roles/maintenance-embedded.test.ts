import { sql } from "drizzle-orm";
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/database.js";
import { firstAdminToken } from "../support/engine-journey.js";
import { startEmbedded, type EmbeddedServer } from "../support/embedded-server.js";
import { call } from "../support/login-journey.js";
import { eventually } from "../support/server-process.js";

// The maintenance jobs and the pool's recovery on `bifrost-server start` (what `npm start` runs:
// PGlite, one connection). Age-based jobs run once when the scheduler starts, so the test stops the
// platform, ages rows and files in its data directory, starts it again and observes each job's
// effect through the API. Then a child killed mid-run, and the platform itself killed mid-run.

const WORKFLOWS = `
import { workflow, z } from "@bifrost/sdk";

export const quick = workflow({ params: z.object({ n: z.number().int() }), run: ({ n }) => ({ n }) });

export const nap = workflow({
  params: z.object({ ms: z.number().int() }),
  async run({ ms }, ctx) {
    ctx.log.info("napping");
    await new Promise((resolve) => setTimeout(resolve, ms));
    return { napped: ms };
  },
});
`;

type Json = Record<string, unknown>;
const DAY_MS = 24 * 3600_000;

/** Direct children of `pid` that run the sandbox's child runtime. */
function workflowChildren(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, "utf8");
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (new RegExp(`^PPid:\\s*${pid}$`, "m").test(status) && cmdline.includes("child.mjs")) {
        found.push(Number(entry));
      }
    } catch {
      // the process ended while being read
    }
  }
  return found;
}

describe("maintenance jobs and recovery on the embedded platform (bifrost-server start)", () => {
  let embedded: EmbeddedServer;
  let auth: Record<string, string>;

  const api = async (url: string, method = "GET", body?: Json) =>
    call(`${embedded.url}${url}`, method, body, auth);
  const signIn = async () => {
    const login = await call(`${embedded.url}/auth/login`, "POST", {
      email: "ops@msp.example",
      password: "a perfectly long passphrase",
    });
    expect(login.status).toBe(200);
    auth = { authorization: `Bearer ${String(login.body.accessToken)}` };
  };
  const run = async (workflowName: string, inputData: Json, sync: boolean) => {
    const response = await api("/api/workflows/execute", "POST", { workflowName, inputData, sync });
    expect(response.status, JSON.stringify(response.body)).toBe(sync ? 200 : 202);
    return String(response.body.executionId);
  };
  const statusOf = async (id: string) => (await api(`/api/executions/${id}`)).body.status;
  const stillAnswering = async () => {
    expect((await api("/health/ready")).status).toBe(200);
    expect((await api("/api/executions?limit=5")).status).toBe(200);
  };

  beforeAll(async () => {
    // A short lease, so the run interrupted by the kill below is recovered within seconds.
    embedded = await startEmbedded({ BIFROST_EXECUTION_LEASE_SECONDS: "3" });
    auth = { authorization: `Bearer ${await firstAdminToken(embedded.url)}` };
    const written = await api("/api/files/editor/content", "PUT", { path: "jobs.ts", content: WORKFLOWS });
    expect(written.status, JSON.stringify(written.body)).toBe(200);
  }, 120_000);

  afterAll(() => embedded?.close());

  it("retention, temp-file cleanup and stuck cancels: each job does its work when the platform starts", async () => {
    const old = await run("quick", { n: 1 }, true);
    const recent = await run("quick", { n: 2 }, true);
    const stuck = await run("quick", { n: 3 }, true);
    const source = await api("/api/events/sources", "POST", { name: "aging" });
    const sourceId = String(source.body.id);
    const oldEvent = String(
      (await call(`${embedded.url}/api/hooks/${sourceId}`, "POST", { a: 1 })).body.eventId,
    );
    const newEvent = String(
      (await call(`${embedded.url}/api/hooks/${sourceId}`, "POST", { a: 2 })).body.eventId,
    );

    await embedded.server.stop();
    const database = await openDatabase({ engine: "pglite", dataDir: path.join(embedded.dataDir, "db") });
    try {
      await database.db.execute(
        sql`update executions set created_at = now() - interval '100 days' where id = ${old}`,
      );
      await database.db.execute(
        sql`update executions set status = 'Cancelling', completed_at = null,
            cancel_requested_at = now() - interval '10 minutes' where id = ${stuck}`,
      );
      await database.db.execute(
        sql`update event_deliveries set created_at = now() - interval '40 days' where event_id = ${oldEvent}`,
      );
      await database.db.execute(
        sql`update events set created_at = now() - interval '40 days' where id = ${oldEvent}`,
      );
    } finally {
      await database.close();
    }
    const tempDir = path.join(embedded.dataDir, "files", "temp", "global");
    mkdirSync(tempDir, { recursive: true });
    writeFileSync(path.join(tempDir, "expired.txt"), "old");
    writeFileSync(path.join(tempDir, "fresh.txt"), "new");
    const twoDaysAgo = new Date(Date.now() - 2 * DAY_MS);
    utimesSync(path.join(tempDir, "expired.txt"), twoDaysAgo, twoDaysAgo);

    await embedded.restart();
    await signIn();
    await eventually(async () => ((await api(`/api/executions/${old}`)).status === 404 ? true : undefined), {
      timeoutMs: 15_000,
      what: "execution retention to delete the 100-day-old run",
    });
    expect((await api(`/api/executions/${recent}`)).status).toBe(200);
    await eventually(async () => ((await api(`/api/events/${oldEvent}`)).status === 404 ? true : undefined), {
      timeoutMs: 15_000,
      what: "event retention to delete the 40-day-old event",
    });
    expect((await api(`/api/events/${newEvent}`)).status).toBe(200);
    await eventually(async () => (existsSync(path.join(tempDir, "expired.txt")) ? undefined : true), {
      timeoutMs: 15_000,
      what: "the temp-file cleanup to delete the expired file",
    });
    expect(existsSync(path.join(tempDir, "fresh.txt"))).toBe(true);
    await eventually(async () => ((await statusOf(stuck)) === "Cancelled" ? true : undefined), {
      timeoutMs: 15_000,
      what: "the sweeper to end the run stuck in Cancelling",
    });
    await stillAnswering();
  }, 120_000);

  it("a child killed mid-run: the run ends Failed (ProcessCrashed), the child is replaced, the next run succeeds", async () => {
    const id = await run("nap", { ms: 20_000 }, false);
    await eventually(async () => ((await statusOf(id)) === "Running" ? true : undefined), {
      timeoutMs: 15_000,
      what: "the nap to be running",
    });
    const pid = embedded.server.child.pid!;
    const children = workflowChildren(pid);
    expect(children.length).toBeGreaterThan(0);
    for (const child of children) process.kill(child, "SIGKILL");
    const detail = await eventually(
      async () => {
        const body = (await api(`/api/executions/${id}`)).body;
        return body.status === "Running" ? undefined : body;
      },
      { timeoutMs: 15_000, what: "the run of the killed child to end" },
    );
    expect(detail).toMatchObject({ status: "Failed", errorType: "ProcessCrashed" });
    const next = await api("/api/workflows/execute", "POST", {
      workflowName: "quick",
      inputData: { n: 9 },
      sync: true,
    });
    expect(next.body).toMatchObject({ status: "Success", result: { n: 9 } });
    expect(workflowChildren(pid).some((child) => !children.includes(child))).toBe(true);
    await stillAnswering();
  }, 60_000);

  it("the platform killed with SIGKILL mid-run: started again, the sweeper re-queues the run and it succeeds", async () => {
    const id = await run("nap", { ms: 2_000 }, false);
    await eventually(async () => ((await statusOf(id)) === "Running" ? true : undefined), {
      timeoutMs: 15_000,
      what: "the nap to be running",
    });
    embedded.server.child.kill("SIGKILL");
    await embedded.server.exited;
    await embedded.restart();
    await signIn();
    const detail = await eventually(
      async () => {
        const body = (await api(`/api/executions/${id}`)).body;
        return body.status === "Success" ? body : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: "the interrupted run to be re-queued and succeed" },
    );
    expect(detail).toMatchObject({ status: "Success", attempt: 2, result: { napped: 2_000 } });
    await stillAnswering();
  }, 90_000);
});
