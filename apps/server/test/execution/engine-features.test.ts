import { eq } from "drizzle-orm";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executionLogs, executions } from "../../src/db/schema/index.js";
import { createEngine, type Engine } from "../support/engine.js";
import { eventually } from "../support/server-process.js";

const FEATURES = `
import { workflow, dataProvider, z } from "@bifrost/sdk";

export const big = workflow({
  params: z.object({ kb: z.number().int() }),
  async run({ kb }) { return { blob: "x".repeat(kb * 1024) }; },
});
export const quick = workflow({ async run() { return { ok: true }; } });
export const noisy = workflow({ async run(_params, ctx) { ctx.log.info("on this attempt"); return { ok: true }; } });
export const stamp = dataProvider({
  params: z.object({ prefix: z.string() }),
  async run({ prefix }) { return [{ label: prefix + Math.random(), value: 1 }]; },
});
`;

type Detail = {
  id: string;
  status: string;
  result: unknown;
  resultSize: number | null;
  errorType: string | null;
};

describe("engine features", () => {
  let engine: Engine;
  const ids = new Map<string, string>();

  const socketMessages = (
    url: string,
    token: string,
  ): { messages: Array<Record<string, unknown>>; socket: WebSocket } => {
    const socket = new WebSocket(url.replace(/^http/, "ws"), {
      headers: { authorization: `Bearer ${token}` },
    });
    const messages: Array<Record<string, unknown>> = [];
    socket.on("message", (data: Buffer) =>
      messages.push(JSON.parse(data.toString()) as Record<string, unknown>),
    );
    return { messages, socket };
  };

  beforeAll(async () => {
    engine = await createEngine({ BIFROST_EXECUTION_LEASE_SECONDS: "3" });
    for (const w of await engine.writeWorkflow("features.ts", FEATURES)) ids.set(w.name, w.id);
  }, 60_000);
  afterAll(async () => engine?.close());

  it("a result over 1 MB is kept apart: the detail says its size, /result serves it", async () => {
    const response = await engine.execute(engine.admin, {
      workflowName: "big",
      inputData: { kb: 1100 },
      sync: true,
    });
    const { executionId } = response.json<{ executionId: string }>();
    const detail = (await engine.admin.request("GET", `/api/executions/${executionId}`)).json<Detail>();
    expect(detail).toMatchObject({ status: "Success", result: null });
    expect(detail.resultSize).toBeGreaterThan(1024 * 1024);
    const stored = await engine.admin.request("GET", `/api/executions/${executionId}/result`);
    expect(stored.statusCode).toBe(200);
    expect(stored.json<{ blob: string }>().blob).toHaveLength(1100 * 1024);
  });

  it("a data provider runs sync, and its answer is cached per organization and input", async () => {
    const first = await engine.execute(engine.admin, { workflowName: "stamp", inputData: { prefix: "a" } });
    expect(first.statusCode).toBe(200);
    const again = await engine.execute(engine.admin, { workflowName: "stamp", inputData: { prefix: "a" } });
    expect(again.json()).toEqual(first.json());
    const other = await engine.execute(engine.admin, { workflowName: "stamp", inputData: { prefix: "b" } });
    expect(other.json<{ executionId: string }>().executionId).not.toBe(
      first.json<{ executionId: string }>().executionId,
    );
    const elsewhere = await engine.execute(engine.admin, {
      workflowName: "stamp",
      inputData: { prefix: "a" },
      organizationId: engine.orgA.id,
    });
    expect(elsewhere.json<{ executionId: string }>().executionId).not.toBe(
      first.json<{ executionId: string }>().executionId,
    );
  });

  it("WebSocket channels are authorized one by one; history and worker heartbeats reach who may see them", async () => {
    const user = engine.orgA.withoutRole;
    const foreign = await engine.execute(engine.admin, { workflowName: "quick", inputData: {}, sync: true });
    const foreignId = foreign.json<{ executionId: string }>().executionId;
    const { messages, socket } = socketMessages(
      `${engine.url}/ws/connect?channels=execution:${foreignId}&channels=history:GLOBAL&channels=history:user:${user.userId}`,
      user.token,
    );
    try {
      await eventually(() => Promise.resolve(messages.find((m) => m.type === "connected")), {
        timeoutMs: 5_000,
        what: "connected",
      });
      expect(messages.filter((m) => m.type === "error").map((m) => m.channel)).toEqual([
        `execution:${foreignId}`,
        "history:GLOBAL",
      ]);
      expect(messages.find((m) => m.type === "connected")).toMatchObject({
        channels: [`history:user:${user.userId}`],
      });
    } finally {
      socket.terminate();
    }

    const admin = socketMessages(
      `${engine.url}/ws/connect?channels=history:GLOBAL&channels=platform_workers`,
      engine.admin.token,
    );
    try {
      await eventually(() => Promise.resolve(admin.messages.find((m) => m.type === "connected")), {
        timeoutMs: 5_000,
        what: "connected",
      });
      const run = await engine.execute(engine.admin, { workflowName: "quick", inputData: {} });
      const runId = run.json<{ executionId: string }>().executionId;
      await eventually(
        () =>
          Promise.resolve(
            admin.messages.find(
              (m) => m.type === "history_update" && m.executionId === runId && m.status === "Success",
            ),
          ),
        { timeoutMs: 10_000, what: "the history update" },
      );
      const beat = await eventually(
        () => Promise.resolve(admin.messages.find((m) => m.type === "worker_heartbeat")),
        {
          timeoutMs: 5_000,
          what: "a worker heartbeat",
        },
      );
      expect(beat).toMatchObject({ worker: { state: { processes: expect.any(Array) as unknown } } });
    } finally {
      admin.socket.terminate();
    }
  });

  // The engine's scheduler sweeps every second here (a 3 s lease): these wait for it.
  describe("the sweeper", () => {
    const insertRun = async (values: Partial<typeof executions.$inferInsert>): Promise<string> => {
      const [row] = await engine.app.database.db
        .insert(executions)
        .values({
          workflowId: ids.get("quick") ?? "",
          workflowName: "quick",
          status: "Pending",
          organizationId: engine.orgA.id,
          executedBy: engine.admin.userId,
          executedByName: "Admin",
          triggeredBy: "user",
          inputData: {},
          ...values,
        })
        .returning();
      return row?.id ?? "";
    };
    const detail = async (id: string): Promise<Detail & { attempt: number }> =>
      (await engine.admin.request("GET", `/api/executions/${id}`)).json<Detail & { attempt: number }>();

    it("re-publishes a Pending run whose message was lost, and it runs", async () => {
      const id = await insertRun({ queuedAt: new Date(Date.now() - 120_000) });
      const ended = await eventually(
        async () => ((await detail(id)).status === "Success" ? detail(id) : undefined),
        {
          timeoutMs: 10_000,
          what: "the recovered run",
        },
      );
      expect(ended.attempt).toBe(1);
    });

    it("re-queues a run whose worker vanished: the next attempt runs, and each attempt shows with its own logs", async () => {
      const startedAt = new Date(Date.now() - 5_000);
      const id = await insertRun({
        workflowId: ids.get("noisy") ?? "",
        workflowName: "noisy",
        status: "Running",
        attempt: 1,
        maxAttempts: 2,
        workerId: "gone",
        startedAt,
        leaseExpiresAt: new Date(Date.now() - 1_000),
      });
      // What the lost attempt had logged before its worker went away.
      await engine.app.database.db.insert(executionLogs).values({
        executionId: id,
        sequence: 1,
        attempt: 1,
        level: "info",
        message: "before the worker was lost",
        timestamp: startedAt,
      });
      const ended = await eventually(
        async () => ((await detail(id)).status === "Success" ? detail(id) : undefined),
        { timeoutMs: 10_000, what: "the re-queued run to succeed" },
      );
      expect(ended).toMatchObject({
        attempt: 2,
        attempts: [
          {
            attempt: 1,
            status: "Failed",
            errorType: "WorkerLost",
            reason: "first",
            startedAt: startedAt.toISOString(),
          },
          { attempt: 2, status: "Success", error: null, reason: "worker_lost" },
        ],
      });
      const attempts = (ended as unknown as { attempts: Array<{ completedAt: string | null }> }).attempts;
      expect(attempts.every((a) => a.completedAt !== null)).toBe(true);
      const lines = async (query: string) =>
        (await engine.admin.request("GET", `/api/executions/${id}/logs${query}`))
          .json<{ items: Array<{ sequence: number; message: string }> }>()
          .items.map((l) => `${l.sequence} ${l.message}`);
      expect(await lines("?attempt=1")).toEqual(["1 before the worker was lost"]);
      expect(await lines("?attempt=2")).toEqual(["2 on this attempt"]);
      expect(await lines("")).toEqual(["1 before the worker was lost", "2 on this attempt"]);
      expect((await engine.admin.request("GET", `/api/executions/${id}/logs?attempt=0`)).statusCode).toBe(
        422,
      );
    });

    it("a lost worker's re-queue has its own budget: retries of the policy do not spend it, and it does not reset", async () => {
      const failed = (attempt: number, errorType: string) => ({
        attempt,
        status: "Failed",
        error: `attempt ${attempt} failed`,
        errorType,
        startedAt: new Date(Date.now() - 60_000).toISOString(),
        completedAt: new Date(Date.now() - 50_000).toISOString(),
      });
      // Two retries of the policy made, then the worker of the third attempt is lost: re-queued.
      const retried = await insertRun({
        status: "Running",
        attempt: 3,
        attempts: [failed(1, "Error"), failed(2, "Error")],
        maxAttempts: 2,
        workerId: "gone",
        startedAt: new Date(Date.now() - 5_000),
        leaseExpiresAt: new Date(Date.now() - 1_000),
      });
      const ended = await eventually(
        async () => ((await detail(retried)).status === "Success" ? detail(retried) : undefined),
        { timeoutMs: 10_000, what: "the re-queued run to succeed" },
      );
      expect(ended.attempt).toBe(4);
      expect(
        (ended as unknown as { attempts: Array<{ reason: string }> }).attempts.map((a) => a.reason),
      ).toEqual(["first", "retry", "retry", "worker_lost"]);
      // Already re-queued once after a lost worker: lost again, it ends.
      const lostTwice = await insertRun({
        status: "Running",
        attempt: 4,
        attempts: [failed(1, "Error"), failed(2, "Error"), failed(3, "WorkerLost")],
        maxAttempts: 2,
        workerId: "gone",
        startedAt: new Date(Date.now() - 5_000),
        leaseExpiresAt: new Date(Date.now() - 1_000),
      });
      const lost = await eventually(
        async () => ((await detail(lostTwice)).status === "Failed" ? detail(lostTwice) : undefined),
        { timeoutMs: 10_000, what: "the run lost twice to fail" },
      );
      expect(lost).toMatchObject({ errorType: "WorkerLost", attempt: 4 });
    });

    it("ends a run whose worker vanished on its last attempt Failed / WorkerLost", async () => {
      const id = await insertRun({
        status: "Running",
        attempt: 2,
        maxAttempts: 2,
        workerId: "gone",
        leaseExpiresAt: new Date(Date.now() - 1_000),
      });
      const ended = await eventually(
        async () => ((await detail(id)).status === "Failed" ? detail(id) : undefined),
        {
          timeoutMs: 10_000,
          what: "the lost run to fail",
        },
      );
      expect(ended).toMatchObject({ errorType: "WorkerLost", attempt: 2 });
    });

    it("ends a Cancelling run nobody answered for 3 minutes Cancelled", async () => {
      const id = await insertRun({
        status: "Cancelling",
        workerId: "gone",
        leaseExpiresAt: new Date(Date.now() + 60_000),
        cancelRequestedAt: new Date(Date.now() - 200_000),
      });
      await eventually(async () => ((await detail(id)).status === "Cancelled" ? true : undefined), {
        timeoutMs: 10_000,
        what: "the stuck cancel to end",
      });
      const [row] = await engine.app.database.db.select().from(executions).where(eq(executions.id, id));
      expect(row?.completedAt).not.toBeNull();
    });
  });
});

describe("a worker under memory pressure", () => {
  let engine: Engine;
  afterAll(async () => engine?.close());

  it("claims nothing and hands runs back to the queue; another worker runs them, none is dropped", async () => {
    engine = await createEngine({ BIFROST_WORKER_MEMORY_PRESSURE: "0" });
    await engine.writeWorkflow("features.ts", FEATURES);
    const accepted = await Promise.all(
      [1, 2, 3].map(() => engine.execute(engine.admin, { workflowName: "quick", inputData: {} })),
    );
    const runIds = accepted.map((a) => a.json<{ executionId: string }>().executionId);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    for (const id of runIds) {
      expect((await engine.admin.request("GET", `/api/executions/${id}`)).json<Detail>().status).toBe(
        "Pending",
      );
    }
    await engine.startWorker({ BIFROST_WORKER_MEMORY_PRESSURE: "100" });
    for (const id of runIds) {
      await eventually(
        async () =>
          (await engine.admin.request("GET", `/api/executions/${id}`)).json<Detail>().status === "Success"
            ? true
            : undefined,
        { timeoutMs: 15_000, what: "the handed-back runs to succeed" },
      );
    }
  }, 60_000);
});
