import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../support/engine.js";
import { eventually } from "../support/server-process.js";

const HELLO = `
import { workflow, workflows, z, UserError } from "@bifrost/sdk";
import { greeting } from "./lib/greet";

export const hello = workflow({
  description: "Says hello",
  category: "Demo",
  params: z.object({ name: z.string(), times: z.number().int().default(2) }),
  async run({ name, times }, ctx) {
    for (let i = 1; i <= times; i++) ctx.log.info("line " + i, { i });
    console.warn("from console");
    ctx.log.debug("for admins");
    return { text: greeting(name), organization: ctx.organization.name, caller: ctx.caller.email };
  },
});

export const refuses = workflow({
  async run() {
    throw new UserError("Microsoft is not connected for this customer");
  },
});

export const breaks = workflow({
  async run() {
    const data: { items?: string[] } = {};
    return data.items!.length;
  },
});

export const delegates = workflow({
  async run() {
    const inner = await workflows.execute("hello", { name: "nested", times: 1 }, { sync: true });
    return { inner };
  },
});

export const nul = workflow({
  async run(_params, ctx) {
    ctx.log.info("before\\u0000after", { "k\\u0000": "v\\u0000" });
    return { text: "a\\u0000b" };
  },
});

export const partial = workflow({
  async run() {
    return { success: false, reason: "half done" };
  },
});
`;
const LIB = `export const greeting = (name: string): string => "Hello, " + name + "!";\n`;

type Log = { sequence: number; level: string; message: string; data?: Record<string, unknown> };

describe("the execution engine, end to end in one process", () => {
  let engine: Engine;
  let helloId: string;

  beforeAll(async () => {
    engine = await createEngine();
    await engine.writeWorkflow("lib/greet.ts", LIB);
    const defined = await engine.writeWorkflow("hello.ts", HELLO);
    helloId = defined.find((w) => w.name === "hello")?.id ?? "";
    const delegatesId = defined.find((w) => w.name === "delegates")?.id ?? "";
    const opened = await engine.admin.request("PATCH", `/api/workflows/${delegatesId}`, {
      accessLevel: "authenticated",
    });
    expect(opened.statusCode).toBe(200);
    // Organization users may run it once it is open to every signed-in user.
    const patched = await engine.admin.request("PATCH", `/api/workflows/${helloId}`, {
      accessLevel: "authenticated",
    });
    expect(patched.statusCode).toBe(200);
  }, 60_000);
  afterAll(async () => engine?.close());

  it("a sync run answers 200 with the result, and its logs are stored in order", async () => {
    const response = await engine.execute(engine.orgA.withoutRole, {
      workflowName: "hello",
      inputData: { name: "Ada", times: 3 },
      sync: true,
    });
    expect(response.statusCode).toBe(200);
    const body = response.json<{
      executionId: string;
      status: string;
      result: unknown;
      durationMs: number;
    }>();
    expect(body).toMatchObject({
      status: "Success",
      result: { text: "Hello, Ada!", organization: "Contoso", caller: "clerk@contoso.example" },
    });
    expect(body.durationMs).toBeGreaterThanOrEqual(0);

    const logs = await engine.orgA.withoutRole.request("GET", `/api/executions/${body.executionId}/logs`);
    expect(logs.statusCode).toBe(200);
    const items = logs.json<{ items: Log[] }>().items;
    expect(items.map((l) => [l.level, l.message])).toEqual([
      ["info", "line 1"],
      ["info", "line 2"],
      ["info", "line 3"],
      ["warn", "from console"],
    ]);
    expect(items[0]?.data).toEqual({ i: 1 });
    expect(items.map((l) => l.sequence)).toEqual([...items.map((l) => l.sequence)].sort((a, b) => a - b));

    // DEBUG lines are for platform admins only.
    const adminLogs = await engine.admin.request("GET", `/api/executions/${body.executionId}/logs`);
    expect(adminLogs.json<{ items: Log[] }>().items.map((l) => l.level)).toContain("debug");
  });

  it("an async run answers 202, then ends Success; the detail holds input and result", async () => {
    const response = await engine.execute(engine.admin, {
      workflowId: helloId,
      inputData: { name: "Grace" },
      organizationId: engine.orgB.id,
    });
    expect(response.statusCode).toBe(202);
    const { executionId, status } = response.json<{ executionId: string; status: string }>();
    expect(status).toBe("Pending");
    const detail = await eventually(
      async () => {
        const r = await engine.admin.request("GET", `/api/executions/${executionId}`);
        const d = r.json<{ status: string }>();
        return d.status === "Success" ? d : undefined;
      },
      { timeoutMs: 15_000, what: "the run to succeed" },
    );
    expect(detail).toMatchObject({
      inputData: { name: "Grace" },
      result: { text: "Hello, Grace!", organization: "Fabrikam" },
      organizationId: engine.orgB.id,
      triggeredBy: "user",
      attempt: 1,
      errorType: null,
    });
  });

  it("the WebSocket streams the logs and the final execution_update of a run", async () => {
    const accepted = await engine.execute(engine.orgA.withoutRole, {
      workflowName: "hello",
      inputData: { name: "Linus", times: 5 },
    });
    const { executionId } = accepted.json<{ executionId: string }>();
    const socket = new WebSocket(
      `${engine.url.replace("http", "ws")}/ws/connect?channels=execution:${executionId}&token=${engine.orgA.withoutRole.token}`,
    );
    const messages: Array<Record<string, unknown>> = [];
    socket.on("message", (data: Buffer) =>
      messages.push(JSON.parse(data.toString()) as Record<string, unknown>),
    );
    try {
      const final = await eventually(
        () => Promise.resolve(messages.find((m) => m.type === "execution_update" && m.status === "Success")),
        { timeoutMs: 15_000, what: "the final execution_update" },
      );
      expect(final).toMatchObject({ executionId, result: { text: "Hello, Linus!" } });
      expect(messages[0]).toMatchObject({ type: "connected", channels: [`execution:${executionId}`] });
      // Joined before or after the run ended: the stored logs are complete once the final update is seen.
      const logs = await engine.orgA.withoutRole.request("GET", `/api/executions/${executionId}/logs`);
      expect(logs.json<{ items: Log[] }>().items).toHaveLength(6);
    } finally {
      socket.terminate();
    }
  });

  it("a run that returns success: false ends CompletedWithErrors", async () => {
    const response = await engine.execute(engine.admin, {
      workflowName: "partial",
      inputData: {},
      sync: true,
    });
    expect(response.json()).toMatchObject({ status: "CompletedWithErrors", result: { success: false } });
  });

  it("a run starts another through the SDK: same organization and caller, triggeredBy workflow", async () => {
    const outer = await engine.execute(engine.orgA.withoutRole, {
      workflowName: "delegates",
      inputData: {},
      sync: true,
    });
    expect(outer.statusCode).toBe(200);
    const body = outer.json<{
      status: string;
      result: { inner: { executionId: string; status: string; result: unknown } };
    }>();
    expect(body.status).toBe("Success");
    expect(body.result.inner).toMatchObject({
      status: "Success",
      result: { text: "Hello, nested!", organization: "Contoso" },
    });
    const inner = await engine.orgA.withoutRole.request(
      "GET",
      `/api/executions/${body.result.inner.executionId}`,
    );
    expect(inner.json()).toMatchObject({
      triggeredBy: "workflow",
      organizationId: engine.orgA.id,
      executedBy: engine.orgA.withoutRole.userId,
    });
  });

  it("a NUL character in a result or a log line is stored as U+FFFD; in the input it is a 422", async () => {
    const response = await engine.execute(engine.admin, { workflowName: "nul", inputData: {}, sync: true });
    expect(response.json()).toMatchObject({ status: "Success", result: { text: "a\uFFFDb" } });
    const id = response.json<{ executionId: string }>().executionId;
    const logs = (await engine.admin.request("GET", `/api/executions/${id}/logs`)).json<{ items: Log[] }>();
    expect(logs.items[0]).toMatchObject({ message: "before\uFFFDafter", data: { "k\uFFFD": "v\uFFFD" } });
    const refused = await engine.execute(engine.admin, {
      workflowName: "hello",
      inputData: { name: "a\u0000" },
    });
    expect(refused.statusCode).toBe(422);
  });

  it("a UserError ends Failed with its message only; another error also logs its stack", async () => {
    const refused = await engine.execute(engine.admin, {
      workflowName: "refuses",
      inputData: {},
      sync: true,
    });
    expect(refused.json()).toMatchObject({
      status: "Failed",
      error: "Microsoft is not connected for this customer",
    });
    const refusedId = refused.json<{ executionId: string }>().executionId;
    expect((await engine.admin.request("GET", `/api/executions/${refusedId}`)).json()).toMatchObject({
      errorType: "UserError",
    });
    const refusedLogs = await engine.admin.request("GET", `/api/executions/${refusedId}/logs`);
    expect(refusedLogs.body).not.toMatch(/ at /);

    const broken = await engine.execute(engine.admin, { workflowName: "breaks", inputData: {}, sync: true });
    const brokenId = broken.json<{ executionId: string }>().executionId;
    const detail = (await engine.admin.request("GET", `/api/executions/${brokenId}`)).json<{
      error: string;
    }>();
    expect(detail).toMatchObject({ status: "Failed", errorType: "TypeError" });
    // Source-mapped: the error and the stack name the workspace file and the line the author wrote
    // (line 26 of hello.ts, the column of `length`), never the worker's compiled copy.
    expect(detail.error).toBe("Cannot read properties of undefined (reading 'length') (at hello.ts:26:24)");
    const logs = (await engine.admin.request("GET", `/api/executions/${brokenId}/logs`)).json<{
      items: Log[];
    }>();
    const stack = logs.items.find((l) => l.level === "error" && / at /.test(l.message))?.message ?? "";
    expect(stack).toMatch(/^ +at Object\.run \(hello\.ts:26:24\)$/m);
    expect(stack).not.toMatch(/\.mjs|bifrost-worker|file:\/\//);
  });

  it("a duplicate message of a finished run claims nothing and changes nothing", async () => {
    const done = await engine.execute(engine.admin, { workflowName: "partial", inputData: {}, sync: true });
    const executionId = done.json<{ executionId: string }>().executionId;
    const before = (await engine.admin.request("GET", `/api/executions/${executionId}`)).json<unknown>();
    await engine.app.queue.publish("workflow-executions", Buffer.from(JSON.stringify({ executionId })));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await engine.admin.request("GET", `/api/executions/${executionId}`)).json()).toEqual(before);
    expect(await engine.app.queue.depth("workflow-executions")).toBe(0);
  });

  it("input that fails the parameter schema is 422 before anything is queued", async () => {
    const before = (await engine.admin.request("GET", "/api/executions?limit=1000")).json<{
      items: unknown[];
    }>();
    const response = await engine.execute(engine.admin, { workflowName: "hello", inputData: { times: "x" } });
    expect(response.statusCode).toBe(422);
    const fields = response
      .json<{ details: { fields: Array<{ path: string }> } }>()
      .details.fields.map((f) => f.path);
    expect(fields).toEqual(expect.arrayContaining(["body.inputData.name", "body.inputData.times"]));
    const after = (await engine.admin.request("GET", "/api/executions?limit=1000")).json<{
      items: unknown[];
    }>();
    expect(after.items).toHaveLength(before.items.length);
  });

  it("the same Idempotency-Key from the same caller returns the first execution", async () => {
    const headers = { "idempotency-key": "order-42" };
    const first = await engine.execute(
      engine.admin,
      { workflowName: "hello", inputData: { name: "A" } },
      headers,
    );
    const second = await engine.execute(
      engine.admin,
      { workflowName: "hello", inputData: { name: "B" } },
      headers,
    );
    expect(first.statusCode).toBe(202);
    expect(second.json<{ executionId: string }>().executionId).toBe(
      first.json<{ executionId: string }>().executionId,
    );
    const other = await engine.execute(
      engine.orgA.withoutRole,
      { workflowName: "hello", inputData: { name: "C" } },
      headers,
    );
    expect(other.json<{ executionId: string }>().executionId).not.toBe(
      first.json<{ executionId: string }>().executionId,
    );
  });
});
