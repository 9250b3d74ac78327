import { sql } from "drizzle-orm";
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/database.js";
import { JOURNEY_WORKFLOW } from "../support/engine-journey.js";
import { startEmbeddedWithWorkspace, type EmbeddedServer } from "../support/embedded-server.js";
import { call } from "../support/login-journey.js";
import { eventually } from "../support/server-process.js";
import { oauthConnectionBody, startOAuthServer } from "../integrations/oauth-server.js";

// The maintenance jobs and the pool's recovery on `bifrost-server start` (what `npm start` runs:
// PGlite, one connection). Age-based jobs run once when the scheduler starts, so the test stops the
// platform, ages rows and files in its data directory (or gets an OAuth token that expires soon from a
// local authorization server), starts it again and observes each job's effect through the API. Then a child killed mid-run, and the platform itself killed mid-run.

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
    ({ embedded, auth } = await startEmbeddedWithWorkspace(
      { "journey.ts": JOURNEY_WORKFLOW },
      { BIFROST_EXECUTION_LEASE_SECONDS: "3" },
    ));
  }, 120_000);

  afterAll(() => embedded?.close());

  it("retention, temp-file and form-upload cleanup and stuck cancels: each job does its work when the platform starts", async () => {
    const old = await run("greet", { name: "old" }, true);
    const recent = await run("greet", { name: "recent" }, true);
    const stuck = await run("greet", { name: "stuck" }, true);
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
    // A form upload no submission references, sent two days ago, and one sent just now.
    const formUploads = path.join(
      embedded.dataDir,
      "files",
      "uploads",
      "orgs",
      randomUUID(),
      "forms",
      randomUUID(),
    );
    for (const name of ["abandoned", "fresh"]) mkdirSync(path.join(formUploads, name), { recursive: true });
    writeFileSync(path.join(formUploads, "abandoned", "scan.pdf"), "old");
    writeFileSync(path.join(formUploads, "fresh", "scan.pdf"), "new");
    utimesSync(path.join(formUploads, "abandoned", "scan.pdf"), twoDaysAgo, twoDaysAgo);

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
    await eventually(
      async () => (existsSync(path.join(formUploads, "abandoned", "scan.pdf")) ? undefined : true),
      { timeoutMs: 15_000, what: "the form-upload cleanup to delete the abandoned upload" },
    );
    expect(existsSync(path.join(formUploads, "fresh", "scan.pdf"))).toBe(true);
    await eventually(async () => ((await statusOf(stuck)) === "Cancelled" ? true : undefined), {
      timeoutMs: 15_000,
      what: "the sweeper to end the run stuck in Cancelling",
    });
    await stillAnswering();
  }, 120_000);

  it("the OAuth refresh job refreshes a token that expires within 20 minutes when the platform starts", async () => {
    const oauth = await startOAuthServer();
    try {
      oauth.expiresIn = 300; // five minutes: inside the job's 20-minute margin
      const organization = await api("/api/organizations", "POST", { name: "Contoso" });
      expect(organization.status, JSON.stringify(organization.body)).toBe(201);
      const organizationId = String(organization.body.id);
      const provider = await api(
        "/api/oauth/connections",
        "POST",
        oauthConnectionBody(oauth, "crm-oauth", ["read"]),
      );
      expect(provider.status, JSON.stringify(provider.body)).toBe(201);
      // As the admin's browser: it keeps the authorization's binding cookie for the callback.
      const authorize = await fetch(`${embedded.url}/api/oauth/connections/crm-oauth/authorize`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ organizationId }),
      });
      expect(authorize.status).toBe(200);
      const binding = authorize.headers.getSetCookie().find((c) => c.startsWith("bifrost_oauth_binding="));
      const { url } = (await authorize.json()) as { url: string };
      const redirect = await fetch(url, { redirect: "manual" });
      const back = new URL(redirect.headers.get("location") ?? "");
      const callback = await fetch(`${embedded.url}${back.pathname}${back.search}`, {
        headers: { cookie: binding?.split(";")[0] ?? "" },
      });
      expect(callback.status).toBe(200);
      expect(oauth.calls.code).toBe(1);
      const refreshed = oauth.calls.refresh;

      await embedded.server.stop();
      await embedded.restart();
      await signIn();
      await eventually(async () => (oauth.calls.refresh > refreshed ? true : undefined), {
        timeoutMs: 15_000,
        what: "the refresh job to refresh the expiring token",
      });
      await stillAnswering();
    } finally {
      await oauth.close();
    }
  }, 60_000);

  it("a child killed mid-run: the run ends Failed (ProcessCrashed), the child is replaced, the next run succeeds", async () => {
    const id = await run("nap", { ms: 20_000 }, false);
    // Mid-run: the workflow's code has started (its first log line is in), not only the run's row.
    await eventually(
      async () => {
        const logs = await api(`/api/executions/${id}/logs`);
        const lines = (logs.body.items ?? []) as Array<{ message: string }>;
        return lines.some((line) => line.message === "napping") ? true : undefined;
      },
      { timeoutMs: 15_000, what: "the nap to be running its code" },
    );
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
      workflowName: "greet",
      inputData: { name: "after" },
      sync: true,
    });
    expect(next.body).toMatchObject({ status: "Success", result: { greeting: "Hello, after" } });
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
    expect(detail).toMatchObject({
      status: "Success",
      attempt: 2,
      result: { napped: 2_000 },
      // Both attempts show: the one the kill interrupted, and the re-queued one.
      attempts: [
        { attempt: 1, status: "Failed", errorType: "WorkerLost", reason: "first" },
        { attempt: 2, status: "Success", errorType: null, reason: "worker_lost" },
      ],
    });
    await stillAnswering();
  }, 90_000);
});
