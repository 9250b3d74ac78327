import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, type Dirent } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  embeddedPlatform,
  enginePlatform,
  type Platform,
  type Response,
  type RunningPlatform,
} from "../support/sandbox-platforms.js";
import { ATTACK, ATTACK_AT_LOAD, FLOOD_AT_LOAD, HOARD_AT_LOAD } from "./fixtures/escape-attacks.js";

// The escape suite: workflows written as an attacker would, run through the API in both modes
// (`bifrost-server start` on PGlite, and the engine on PostgreSQL with the worker's pool in this
// process), and the same attacks in a file's top-level code, which runs at save time (discovery).
// - Signals: its parent (the worker; in `start`, the whole platform), the pids it was told about (the
//   server, the test process, its sibling children), every process (`kill(-1)`) and every pid up to
//   4096. Each child is pid 1 of a PID namespace of its own: nothing outside its tree exists for it.
//   (Where a child is not in its own namespace the fixture stops before signalling anything, so a
//   broken sandbox fails this test without killing the machine's processes.)
// - Identity, processes, files: it runs as the dedicated unprivileged uid/gid; it can start no
//   process or thread (a fork bomb gets nothing); it reads no /proc of another process and writes
//   nowhere, temp directories included.
// - Limits: a CPU loop ends at its timeout, Buffers past the memory limit are stopped by the kernel,
//   200 MiB of log keep 16 MiB, an endless message on the channel ends OutputLimitExceeded.
// After each, the platform is still ready and the next run succeeds.

type Report = {
  pid: number;
  named: Array<{ pid: number; usr1: string; kill: string }>;
  parent: { ppid: number; usr1: string; kill: string };
  everyone: string;
  reachable: number[];
  proc: number | string;
};

/** Unix socket files below `dir` (a few levels), as the machine's services leave them. */
function socketsUnder(dir: string, depth = 3): string[] {
  if (depth === 0) return [];
  const found: string[] = [];
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isSocket()) found.push(full);
    else if (entry.isDirectory()) found.push(...socketsUnder(full, depth - 1));
  }
  return found;
}

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

async function expectStillServing(platform: Platform): Promise<void> {
  expect(await platform.ready()).toBe(true);
  const next = await platform.run("ok");
  expect(next.body).toMatchObject({ status: "Success", result: "still here" });
}

async function executionOf(platform: Platform, response: Response): Promise<Record<string, unknown>> {
  return (await platform.get(`/api/executions/${String(response.body.executionId)}`)).body;
}

function escapeSuite(setup: () => Promise<RunningPlatform>): void {
  let platform: Platform;
  let close: () => Promise<void>;
  let workflowIds: Map<string, string>;
  let scratch: string;

  beforeAll(async () => {
    ({ platform, close } = await setup());
    const saved = await platform.save("attack.ts", ATTACK);
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    workflowIds = new Map(
      (saved.body.workflows as Array<{ id: string; name: string }>).map((w) => [w.name, w.id]),
    );
    const patched = await platform.patch(`/api/workflows/${workflowIds.get("spin")}`, { timeoutSeconds: 2 });
    expect(patched.status).toBe(200);
    scratch = mkdtempSync(path.join(tmpdir(), "bifrost-escape-target-"));
    chmodSync(scratch, 0o777); // even a directory anyone may write to at the OS level stays closed
  }, 120_000);
  afterAll(async () => {
    await close?.();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("signals: reaches no process; the platform stays up and ready, and the next run succeeds", async () => {
    const siblings = descendants(platform.serverPid);
    expect(siblings.length).toBeGreaterThan(0); // the warm children
    const ran = await platform.run("signalEveryone", {
      targets: [platform.serverPid, process.pid, ...siblings],
    });
    expect(ran.status, JSON.stringify(ran.body)).toBe(200);
    expect(ran.body.status, JSON.stringify(ran.body)).toBe("Success");
    expectContained(
      ran.body.result as Report,
      platform.serverPid,
      threadIdsInsideChildren(platform.serverPid),
    );
    await expectStillServing(platform);
  });

  it("identity: the run has the dedicated unprivileged uid and gid, and no other group", async () => {
    const ran = await platform.run("identity");
    expect(ran.body).toMatchObject({
      status: "Success",
      // Node always lists the effective group among the groups: no supplementary group is left.
      result: { uid: 64_000, euid: 64_000, gid: 64_000, groups: [64_000] },
    });
  });

  it("a fork bomb starts no process and no thread", async () => {
    const ran = await platform.run("forkBomb");
    expect(ran.body.status, JSON.stringify(ran.body)).toBe("Success");
    expect(ran.body.result).toEqual({ ERR_ACCESS_DENIED: 400 });
    await expectStillServing(platform);
  });

  it("reads neither another process's /proc nor the platform's secrets", async () => {
    const ran = await platform.run("readOthers", {
      serverPid: platform.serverPid,
      secretFiles: platform.secretFiles,
    });
    expect(ran.body.status, JSON.stringify(ran.body)).toBe("Success");
    const outcomes = Object.entries(ran.body.result as Record<string, string>);
    expect(outcomes.length).toBe(5 + 2 * platform.secretFiles.length);
    for (const [file, outcome] of outcomes) expect(outcome, file).toBe("ERR_ACCESS_DENIED");
  });

  it("writes nowhere: not in temp directories, not beside its own code, not in a world-writable one", async () => {
    const targets = [path.join(scratch, "escaped.txt"), path.join(tmpdir(), `bifrost-escape-${process.pid}`)];
    const ran = await platform.run("writeOutside", { targets });
    expect(ran.body.status, JSON.stringify(ran.body)).toBe("Success");
    const outcomes = Object.entries(ran.body.result as Record<string, { write: string; mkdir: string }>);
    expect(outcomes.length).toBe(5);
    for (const [file, outcome] of outcomes) {
      expect(outcome, file).toEqual({ write: "ERR_ACCESS_DENIED", mkdir: "ERR_ACCESS_DENIED" });
      expect(existsSync(file), file).toBe(false);
    }
  });

  it("reaches none of the machine's services over their Unix sockets (/run is empty in its mount namespace)", async () => {
    const postgres = "/var/run/postgresql/.s.PGSQL.5432";
    // The sockets are there for everyone else: PostgreSQL's (the tests need it), and whatever else
    // listens under /run on this machine.
    expect(existsSync(postgres)).toBe(true);
    const others = socketsUnder("/run").slice(0, 20);
    const ran = await platform.run("unixSockets", {
      paths: [postgres, "/run/postgresql/.s.PGSQL.5432", ...others],
    });
    expect(ran.body.status, JSON.stringify(ran.body)).toBe("Success");
    for (const [path, outcome] of Object.entries(ran.body.result as Record<string, string>)) {
      expect(outcome, path).toBe("ENOENT");
    }
  });

  it("reaches none of the machine's services over TCP: no interface but loopback, every connection EgressDenied", async () => {
    const targets = [
      "127.0.0.1:5432",
      "127.0.0.1:6379",
      "127.0.0.1:5672",
      "localhost:5432",
      "[::1]:6379",
      "127.1.2.3:22",
    ];
    const ran = await platform.run("network", { targets });
    expect(ran.body.status, JSON.stringify(ran.body)).toBe("Success");
    const { interfaces, results } = ran.body.result as {
      interfaces: string[];
      results: Record<string, string>;
    };
    // Its own network namespace: the machine's interfaces are not there.
    expect(interfaces.filter((name) => name !== "lo")).toEqual([]);
    expect(Object.keys(results).sort()).toEqual([...targets, "fetch"].sort()); // jsonb keeps no key order
    for (const [target, outcome] of Object.entries(results)) {
      expect(outcome, target).toMatch(
        /^EgressDenied: .+ is (a loopback address|one of the platform's own services)$/,
      );
    }
  });

  it("a CPU loop ends Timeout at its timeout (2 s), and the platform stays ready", async () => {
    const started = Date.now();
    const ran = await platform.run("spin");
    expect(ran.body).toMatchObject({ status: "Timeout" });
    // 2 s, then SIGTERM (ignored by the loop), SIGKILL after the grace period.
    expect(Date.now() - started).toBeLessThan(2_000 + 9_000);
    await expectStillServing(platform);
  }, 30_000);

  it("Buffers past the memory limit: killed by the kernel, Failed with a memory error", async () => {
    const ran = await platform.run("hoardBuffers");
    expect(ran.body).toMatchObject({ status: "Failed" });
    expect(String(ran.body.error)).toMatch(/ran out of memory: the kernel stopped it at its limit/);
    await expectStillServing(platform);
  }, 60_000);

  it("200 MiB of log: at most 16 MiB stored, then one truncation line", async () => {
    const ran = await platform.run("logFlood", { mib: 200 });
    expect(ran.body).toMatchObject({ status: "Success", result: "flooded" });
    const logs = await platform.get(`/api/executions/${String(ran.body.executionId)}/logs`);
    const lines = logs.body.items as Array<{ message: string }>;
    const stored = lines.reduce((sum, line) => sum + Buffer.byteLength(line.message), 0);
    expect(stored).toBeLessThanOrEqual(16 * 1024 * 1024 + 1024);
    expect(stored).toBeGreaterThan(15 * 1024 * 1024);
    expect(lines.filter((line) => line.message.startsWith("log truncated")).length).toBe(1);
  }, 120_000);

  it("an endless message on the channel to the pool: Failed, OutputLimitExceeded", async () => {
    const ran = await platform.run("channelFlood");
    expect(ran.body).toMatchObject({ status: "Failed" });
    const detail = await executionOf(platform, ran);
    expect(detail, JSON.stringify({ ...detail, result: undefined })).toMatchObject({
      errorType: "OutputLimitExceeded",
    });
    await expectStillServing(platform);
  });

  it("at save time, top-level code that attacks reaches nothing: saved, and its run saw every door shut", async () => {
    const saved = await platform.save("attack-at-load.ts", ATTACK_AT_LOAD);
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(await platform.ready()).toBe(true);
    const ran = await platform.run("loaded");
    // The run loads the module too: its attack runs again, in the run's namespace.
    expect(ran.body).toMatchObject({
      status: "Success",
      result: {
        pid: 1,
        ppid: 0, // its parent is outside its namespace: there is none to signal
        uid: 64_000,
        spawn: "ERR_ACCESS_DENIED",
        write: "ERR_ACCESS_DENIED",
        proc: "ERR_ACCESS_DENIED",
      },
    });
    expect(existsSync("/tmp/bifrost-escape-at-load")).toBe(false);
  });

  it.each([
    ["floods the channel", "flood-at-load.ts", FLOOD_AT_LOAD],
    ["hoards Buffers past the memory limit", "hoard-at-load.ts", HOARD_AT_LOAD],
  ])(
    "at save time, top-level code that %s is refused with a 4xx; the platform stays ready",
    async (_what, file, code) => {
      const saved = await platform.save(file, code);
      expect(saved.status, JSON.stringify(saved.body)).toBeGreaterThanOrEqual(400);
      expect(saved.status, JSON.stringify(saved.body)).toBeLessThan(500);
      await expectStillServing(platform);
    },
    60_000,
  );
}

describe("escape attempts", () => {
  describe("bifrost-server start (embedded)", () => {
    // TMPDIR private to the platform (0700), as on a hardened host: the children's code goes where
    // their identity can reach it all the same.
    escapeSuite(() => embeddedPlatform({}, { privateTmp: true }));
  });

  describe("the engine on PostgreSQL (the worker's pool in this process)", () => {
    escapeSuite(() => enginePlatform());
  });
});
