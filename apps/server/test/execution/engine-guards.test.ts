import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../support/engine.js";
import { eventually } from "../support/server-process.js";

// Fixture workflows that hang, crash, exhaust memory or try to leave the sandbox.
const GUARDS = `
import { workflow, z, executions } from "@bifrost/sdk";
import { readFileSync } from "node:fs";

export const spin = workflow({ async run() { for (;;) { /* never yields */ } } });
export const sleeper = workflow({
  params: z.object({ ms: z.number().int() }),
  async run({ ms }, ctx) {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return { slept: ms, aborted: ctx.signal.aborted };
  },
});
export const exits = workflow({ async run() { process.exit(1); } });
export const hog = workflow({
  async run() {
    const held: number[][] = [];
    for (;;) held.push(new Array(1_000_000).fill(1));
  },
});
export const passwd = workflow({ async run() { return readFileSync("/etc/passwd", "utf8"); } });
export const environment = workflow({
  async run() {
    return {
      secretKey: process.env.BIFROST_SECRET_KEY ?? null,
      databaseUrl: process.env.DATABASE_URL ?? null,
      names: Object.keys(process.env),
    };
  },
});
export const spawner = workflow({
  async run() {
    const cp = await import("node:child_process");
    return cp.execFileSync("/usr/bin/id").toString();
  },
});
export const addon = workflow({
  async run() {
    const module = { exports: {} };
    process.dlopen(module, "/usr/lib/x86_64-linux-gnu/libc.so.6");
    return "loaded";
  },
});
export const peek = workflow({
  params: z.object({ id: z.string() }),
  async run({ id }) {
    const found = await executions.get(id);
    return { found: found !== null, status: found?.status ?? null };
  },
});
export const ok = workflow({ async run(_params, ctx) { return { pid: process.pid, executionId: ctx.executionId }; } });
`;

type Sync = { executionId: string; status: string; result: unknown; error: string | null };
type Detail = Sync & { errorType: string | null; completedAt: string | null };

describe("the guards of the engine", () => {
  let engine: Engine;
  const ids = new Map<string, string>();

  const run = async (name: string, inputData: Record<string, unknown> = {}): Promise<Detail> => {
    const response = await engine.execute(engine.admin, { workflowName: name, inputData, sync: true });
    expect(response.statusCode, JSON.stringify(response.json())).toBe(200);
    const { executionId } = response.json<Sync>();
    return (await engine.admin.request("GET", `/api/executions/${executionId}`)).json<Detail>();
  };
  const detail = async (id: string): Promise<Detail> =>
    (await engine.admin.request("GET", `/api/executions/${id}`)).json<Detail>();

  beforeAll(async () => {
    // A short lease makes the heartbeat (lease / 3) publish pool state every second.
    engine = await createEngine({
      BIFROST_MAX_WORKERS: "3",
      BIFROST_WORKER_MEMORY_MB: "96",
      BIFROST_EXECUTION_LEASE_SECONDS: "3",
    });
    for (const w of await engine.writeWorkflow("guards.ts", GUARDS)) ids.set(w.name, w.id);
    for (const name of ["spin", "sleeper"]) {
      const patched = await engine.admin.request("PATCH", `/api/workflows/${ids.get(name)}`, {
        timeoutSeconds: 2,
      });
      expect(patched.statusCode).toBe(200);
    }
    const open = await engine.admin.request("PATCH", `/api/workflows/${ids.get("peek")}`, {
      accessLevel: "authenticated",
    });
    expect(open.statusCode).toBe(200);
  }, 60_000);
  afterAll(async () => engine?.close());

  it("a workflow that never yields ends Timeout within timeout + 6 s, and its process is gone", async () => {
    const accepted = await engine.execute(engine.admin, { workflowName: "spin", inputData: {} });
    const { executionId } = accepted.json<{ executionId: string }>();
    const pid = await eventually(
      async () => {
        const workers = await engine.admin.request("GET", "/api/platform/workers");
        const processes = workers
          .json<{
            items: Array<{ state: { processes?: Array<{ pid: number; executionId: string | null }> } }>;
          }>()
          .items.flatMap((w) => w.state.processes ?? []);
        return processes.find((p) => p.executionId === executionId)?.pid;
      },
      { timeoutMs: 5_000, intervalMs: 200, what: "the heartbeat to show the busy child" },
    );
    const ended = await eventually(
      async () => {
        const d = await detail(executionId);
        return d.completedAt ? d : undefined;
      },
      { timeoutMs: 12_000, intervalMs: 200, what: "the spinning run to end" },
    );
    expect(ended).toMatchObject({ status: "Timeout", errorType: "Timeout" });
    // Within timeout + 6 s of the run's start (a 2 s timeout, SIGTERM ignored by the busy loop,
    // SIGKILL 5 s later).
    const row = (await engine.admin.request("GET", `/api/executions/${executionId}`)).json<{
      startedAt: string;
      completedAt: string;
    }>();
    expect(Date.parse(row.completedAt) - Date.parse(row.startedAt)).toBeLessThan(2_000 + 6_000);
    expect(existsSync(`/proc/${pid}`)).toBe(false);
  });

  it("process.exit(1) ends Failed / ProcessCrashed, and the pool runs the next one", async () => {
    expect(await run("exits")).toMatchObject({ status: "Failed", errorType: "ProcessCrashed" });
    expect(await run("ok")).toMatchObject({ status: "Success" });
  });

  it("an out-of-memory loop ends Failed / ProcessCrashed, and the pool recovers", async () => {
    expect(await run("hog")).toMatchObject({ status: "Failed", errorType: "ProcessCrashed" });
    expect(await run("ok")).toMatchObject({ status: "Success" });
  });

  it("reading /etc/passwd, spawning a process and loading a native addon all fail", async () => {
    for (const name of ["passwd", "spawner", "addon"]) {
      const result = await run(name);
      expect(result.status, name).toBe("Failed");
      expect(result.error, name).toMatch(/access|permission|denied|cannot load native addon/i);
    }
  });

  it("the platform's secrets are not in the environment of user code", async () => {
    const result = await run("environment");
    expect(result.status).toBe("Success");
    const env = result.result as { secretKey: string | null; databaseUrl: string | null; names: string[] };
    expect(env.secretKey).toBeNull();
    expect(env.databaseUrl).toBeNull();
    expect(env.names.filter((n) => /SECRET|DATABASE|REDIS|RABBIT|BIFROST/.test(n))).toEqual([]);
  });

  it("a run of organization A reading organization B's execution through the SDK gets not found", async () => {
    const foreign = await engine.execute(engine.orgB.withRole, {
      workflowName: "peek",
      inputData: { id: "x" },
    });
    const foreignId = foreign.json<{ executionId: string }>().executionId;
    const mine = await engine.execute(engine.orgA.withRole, { workflowName: "peek", inputData: { id: "x" } });
    const mineId = mine.json<{ executionId: string }>().executionId;

    const across = await engine.execute(engine.orgA.withRole, {
      workflowName: "peek",
      inputData: { id: foreignId },
      sync: true,
    });
    expect(across.json()).toMatchObject({ status: "Success", result: { found: false } });
    // The same call for one's own run is answered: the 404 above is the scope, not a broken token.
    const own = await engine.execute(engine.orgA.withRole, {
      workflowName: "peek",
      inputData: { id: mineId },
      sync: true,
    });
    expect(own.json()).toMatchObject({ status: "Success", result: { found: true } });
  });

  it("cancelling a running execution kills its child and ends Cancelled", async () => {
    const accepted = await engine.execute(engine.admin, {
      workflowName: "sleeper",
      inputData: { ms: 1_500 },
    });
    const { executionId } = accepted.json<{ executionId: string }>();
    await eventually(async () => ((await detail(executionId)).status === "Running" ? true : undefined), {
      timeoutMs: 5_000,
      what: "the run to start",
    });
    const cancel = await engine.admin.request("POST", `/api/executions/${executionId}/cancel`);
    expect(cancel.statusCode).toBe(200);
    expect(["Cancelling", "Cancelled"]).toContain(cancel.json<Detail>().status);
    const ended = await eventually(
      async () => {
        const d = await detail(executionId);
        return d.completedAt ? d : undefined;
      },
      { timeoutMs: 10_000, what: "the cancelled run to end" },
    );
    expect(ended.status).toBe("Cancelled");
    const again = await engine.admin.request("POST", `/api/executions/${executionId}/cancel`);
    expect(again.statusCode).toBe(409);
  });

  it("cancelling a pending execution ends it Cancelled at once and it never runs", async () => {
    // Three slots: three sleepers hold them, so the fourth run waits Pending.
    const busy = await Promise.all(
      [0, 1, 2].map(() =>
        engine.execute(engine.admin, { workflowName: "sleeper", inputData: { ms: 1_500 } }),
      ),
    );
    const waiting = await engine.execute(engine.admin, { workflowName: "ok", inputData: {} });
    const { executionId } = waiting.json<{ executionId: string }>();
    const cancel = await engine.admin.request("POST", `/api/executions/${executionId}/cancel`);
    expect(cancel.json<Detail>().status).toBe("Cancelled");
    for (const b of busy) {
      const id = b.json<{ executionId: string }>().executionId;
      await eventually(async () => ((await detail(id)).completedAt ? true : undefined), {
        timeoutMs: 10_000,
        what: "the sleepers to end",
      });
    }
    const after = await detail(executionId);
    expect(after).toMatchObject({ status: "Cancelled", result: null });
    expect(
      (await engine.admin.request("GET", `/api/executions/${executionId}`)).json<{ startedAt: unknown }>()
        .startedAt,
    ).toBeNull();
  });
});
