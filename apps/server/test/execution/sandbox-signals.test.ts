import { readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedWithWorkspace, type EmbeddedServer } from "../support/embedded-server.js";
import { call } from "../support/login-journey.js";
import { getJson } from "../support/server-process.js";
import { createEngine, type Engine } from "../support/engine.js";

// Escape attempts by signal, written as an attacker would: a workflow signals its parent (the
// worker; in `start`, the whole platform), the pids it was told about (the server, the test
// process, its sibling children), every process (`kill(-1)`) and every pid up to 4096, and lists
// /proc. Each child runs in its own PID namespace: it is pid 1 there, its parent is pid 0, and
// nothing outside its tree exists for it. Both modes: `bifrost-server start` (PGlite) and the engine
// on PostgreSQL. (Where a child is not in its own namespace the fixture stops before signalling
// anything, so a broken sandbox fails this test without killing the machine's processes.)

const ATTACK = `
import fs from "node:fs";
import { workflow, z } from "@bifrost/sdk";

const send = (pid, signal) => {
  try {
    process.kill(pid, signal);
    return "sent";
  } catch (error) {
    return error.code;
  }
};

export const signalEveryone = workflow({
  params: z.object({ targets: z.array(z.number().int()) }),
  async run({ targets }) {
    // Safety catch for the machine running the tests: outside its own PID namespace this attack would
    // really kill processes, so it reports that and stops (the test then fails on the pid).
    if (process.pid !== 1) return { pid: process.pid };
    const named = targets.map((pid) => ({ pid, usr1: send(pid, "SIGUSR1"), kill: send(pid, "SIGKILL") }));
    const parent = { ppid: process.ppid, usr1: send(process.ppid, "SIGUSR1"), kill: send(process.ppid, "SIGKILL") };
    const everyone = send(-1, "SIGKILL");
    const reachable = [];
    for (let pid = 2; pid <= 4096; pid++) if (send(pid, "SIGKILL") === "sent") reachable.push(pid);
    let proc;
    try {
      proc = fs.readdirSync("/proc").filter((entry) => /^\\d+$/.test(entry)).length;
    } catch (error) {
      proc = error.code;
    }
    return { pid: process.pid, named, parent, everyone, reachable, proc };
  },
});

export const ok = workflow({ run: () => "still here" });
`;

/** Top-level code that attacks while the file is being saved (discovery runs it in the API). */
const ATTACK_AT_LOAD = `
import { workflow } from "@bifrost/sdk";

// Same safety catch as above: only inside its own PID namespace.
if (process.pid === 1) {
  for (const target of [0, -1, process.ppid]) {
    try {
      process.kill(target, "SIGKILL");
    } catch {}
  }
  for (let pid = 2; pid <= 4096; pid++) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
  }
}

export const loaded = workflow({ run: () => process.pid });
`;

type Report = {
  pid: number;
  named: Array<{ pid: number; usr1: string; kill: string }>;
  parent: { ppid: number; usr1: string; kill: string };
  everyone: string;
  reachable: number[];
  proc: number | string;
};

/** Pids of the processes below `pid` (children and their children). */
function descendants(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = /^PPid:\s*(\d+)$/m.exec(readFileSync(`/proc/${entry}/status`, "utf8"))?.[1];
      if (Number(ppid) === pid) found.push(Number(entry), ...descendants(Number(entry)));
    } catch {
      // ended meanwhile
    }
  }
  return found;
}

/**
 * The thread ids that the sandboxed children have inside their own PID namespaces (the last field
 * of NSpid): all a child can reach there is itself, and its threads are numbered 2, 3, … there.
 */
function threadIdsInsideChildren(parentPid: number): Set<number> {
  const ids = new Set<number>();
  for (const pid of descendants(parentPid)) {
    try {
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const nspid = /^NSpid:\s*(.+)$/m.exec(readFileSync(`/proc/${pid}/task/${tid}/status`, "utf8"))?.[1];
        const inside = nspid?.trim().split(/\s+/);
        if (inside && inside.length > 1) ids.add(Number(inside.at(-1)));
      }
    } catch {
      // ended meanwhile
    }
  }
  return ids;
}

/** What every mode must show after the attack ran as `report`. */
function expectContained(report: Report, serverPid: number, insideIds: Set<number>): void {
  expect(report.pid).toBe(1);
  expect(report.parent.ppid).toBe(0);
  for (const target of report.named) {
    expect(target, `pid ${target.pid}`).toMatchObject({ usr1: "ESRCH", kill: "ESRCH" });
  }
  expect(report.named.map((t) => t.pid)).toContain(serverPid);
  expect(report.everyone).toBe("ESRCH");
  // SIGKILL to every pid up to 4096 reached only the child's own threads (ids inside its namespace;
  // the kernel ignores SIGKILL sent to a namespace's init from inside), so the run lived on.
  expect(
    report.reachable.every((pid) => insideIds.has(pid)),
    JSON.stringify(report.reachable),
  ).toBe(true);
  // Node's permission model keeps /proc from being read at all; the namespace would show one process.
  expect(report.proc === "ERR_ACCESS_DENIED" || report.proc === 1).toBe(true);
}

describe("a workflow signalling outside its own process", () => {
  describe("bifrost-server start (embedded)", () => {
    let embedded: EmbeddedServer;
    let auth: Record<string, string>;

    beforeAll(async () => {
      ({ embedded, auth } = await startEmbeddedWithWorkspace({ "attack.ts": ATTACK }));
    }, 120_000);
    afterAll(() => embedded?.close());

    /** Runs a workflow sync through the API, as the platform admin. */
    const runSync = (workflowName: string, inputData: Record<string, unknown>) =>
      call(`${embedded.url}/api/workflows/execute`, "POST", { workflowName, inputData, sync: true }, auth);

    it("reaches no process: the platform stays up and ready, and the next run succeeds", async () => {
      const serverPid = embedded.server.child.pid!;
      const siblings = descendants(serverPid);
      expect(siblings.length).toBeGreaterThan(0); // the warm children
      const ran = await runSync("signalEveryone", { targets: [serverPid, process.pid, ...siblings] });
      expect(ran.status, JSON.stringify(ran.body)).toBe(200);
      expect(ran.body.status, JSON.stringify(ran.body)).toBe("Success");
      expectContained(ran.body.result as Report, serverPid, threadIdsInsideChildren(serverPid));

      expect(embedded.server.child.exitCode).toBeNull();
      expect((await getJson(`${embedded.url}/health/ready`))?.status).toBe(200);
      const next = await runSync("ok", {});
      expect(next.body).toMatchObject({ status: "Success", result: "still here" });
    });

    it("a file whose top-level code attacks at save time reaches nothing: saved, and the platform stays up", async () => {
      const saved = await call(
        `${embedded.url}/api/files/editor/content`,
        "PUT",
        { path: "attack-at-load.ts", content: ATTACK_AT_LOAD },
        auth,
      );
      expect(saved.status, JSON.stringify(saved.body)).toBe(200);
      expect(embedded.server.child.exitCode).toBeNull();
      expect((await getJson(`${embedded.url}/health/ready`))?.status).toBe(200);
      const ran = await runSync("loaded", {});
      // The run loads the module too (its attack runs again, in the run's namespace): pid 1 there.
      expect(ran.body).toMatchObject({ status: "Success", result: 1 });
    });
  });

  describe("the engine on PostgreSQL (the worker's pool in this process)", () => {
    let engine: Engine;

    beforeAll(async () => {
      engine = await createEngine();
      await engine.writeWorkflow("attack.ts", ATTACK);
    }, 60_000);
    afterAll(() => engine?.close());

    it("reaches no process: the worker (this test process) is untouched and the next run succeeds", async () => {
      const siblings = descendants(process.pid);
      const ran = await engine.execute(engine.admin, {
        workflowName: "signalEveryone",
        inputData: { targets: [process.pid, ...siblings] },
        sync: true,
      });
      expect(ran.statusCode).toBe(200);
      const body = ran.json<{ status: string; result: Report }>();
      expect(body.status, JSON.stringify(body)).toBe("Success");
      expectContained(body.result, process.pid, threadIdsInsideChildren(process.pid));
      const next = await engine.execute(engine.admin, { workflowName: "ok", inputData: {}, sync: true });
      expect(next.json()).toMatchObject({ status: "Success", result: "still here" });
    });
  });
});
