import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedWithWorkspace, type EmbeddedServer } from "../support/embedded-server.js";
import { call } from "../support/login-journey.js";
import { eventually } from "../support/server-process.js";

// Every trigger on `bifrost-server start` (what `npm start` runs: PGlite, one connection, the
// scheduler's jobs in the same process), driven through the public API and observed to complete:
// deferred runs (the promoter job), webhooks (receive, delivery, automatic retry by the retry job),
// endpoint runs and form runs. Each leaves the platform answering.

const WORKFLOWS = `
import { workflow, z } from "@bifrost/sdk";

export const echo = workflow({
  params: z.object({ n: z.number().int(), note: z.string().optional() }),
  async run({ n, note }, ctx) {
    return { n, note: note ?? null, triggeredBy: ctx.triggeredBy };
  },
});
`;

type Json = Record<string, unknown>;

describe("triggers on the embedded platform (bifrost-server start)", () => {
  let embedded: EmbeddedServer;
  let auth: Record<string, string>;
  let echoId: string;

  const api = async (path: string, method = "GET", body?: Json, headers: Record<string, string> = auth) =>
    call(`${embedded.url}${path}`, method, body, headers);
  const execution = async (id: string) => (await api(`/api/executions/${id}`)).body;
  const finished = (id: string, what: string) =>
    eventually(
      async () => {
        const detail = await execution(id);
        return ["Success", "Failed", "Cancelled", "Timeout"].includes(String(detail.status))
          ? detail
          : undefined;
      },
      { timeoutMs: 20_000, what },
    );
  const stillAnswering = async () => {
    expect((await api("/health/ready")).status).toBe(200);
    expect((await api("/api/executions?limit=5")).status).toBe(200);
  };

  beforeAll(async () => {
    ({ embedded, auth } = await startEmbeddedWithWorkspace({ "echo.ts": WORKFLOWS }));
    const workflows = (await api("/api/workflows")).body.items as Array<{ id: string; name: string }>;
    echoId = workflows.find((w) => w.name === "echo")!.id;
  }, 120_000);

  afterAll(() => embedded?.close());

  it("a deferred run waits Scheduled, then the promoter starts it and it succeeds", async () => {
    const accepted = await api("/api/workflows/execute", "POST", {
      workflowName: "echo",
      inputData: { n: 1 },
      delaySeconds: 2,
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    expect(accepted.body.status).toBe("Scheduled");
    const id = String(accepted.body.executionId);
    expect((await execution(id)).status).toBe("Scheduled");
    const detail = await finished(id, "the deferred run to end");
    expect(detail).toMatchObject({ status: "Success", result: { n: 1 } });
    expect(
      Date.parse(String(detail.startedAt)) - Date.parse(String(detail.createdAt)),
    ).toBeGreaterThanOrEqual(1_500);
    await stillAnswering();
  });

  it("a webhook is received, delivered to its workflow and run; a failing delivery is retried by the job", async () => {
    const source = await api("/api/events/sources", "POST", { name: "tickets" });
    expect(source.status, JSON.stringify(source.body)).toBe(201);
    const sourceId = String(source.body.id);
    const good = await api(`/api/events/sources/${sourceId}/subscriptions`, "POST", {
      workflowId: echoId,
      inputMapping: { n: "{{ body.n }}", note: "{{ query.kind }}" },
    });
    expect(good.status, JSON.stringify(good.body)).toBe(201);

    const received = await call(`${embedded.url}/api/hooks/${sourceId}?kind=ticket`, "POST", { n: 7 });
    expect(received.status, JSON.stringify(received.body)).toBe(202);
    const eventId = String(received.body.eventId);
    const delivered = await eventually(
      async () => {
        const event = await api(`/api/events/${eventId}`);
        const [delivery] = event.body.deliveries as Array<{ status: string; executionId: string | null }>;
        return delivery?.executionId ? delivery : undefined;
      },
      { timeoutMs: 20_000, what: "the webhook's delivery to start a run" },
    );
    expect(await finished(delivered.executionId!, "the webhook's run")).toMatchObject({
      status: "Success",
      triggeredBy: "webhook",
      result: { n: 7, note: "ticket" },
    });

    // A subscription whose mapping cannot be met fails its first attempt; the retry job (not a
    // person) makes the second one after the backoff.
    const failing = await api("/api/events/sources", "POST", { name: "broken" });
    const failingId = String(failing.body.id);
    await api(`/api/events/sources/${failingId}/subscriptions`, "POST", {
      workflowId: echoId,
      inputMapping: { n: "{{ body.missing }}" },
    });
    const bad = await call(`${embedded.url}/api/hooks/${failingId}`, "POST", {});
    expect(bad.status).toBe(202);
    await eventually(
      async () => {
        const event = await api(`/api/events/${String(bad.body.eventId)}`);
        const [delivery] = event.body.deliveries as Array<{ attempts: number; status: string }>;
        return delivery && delivery.attempts >= 2 ? delivery : undefined;
      },
      { timeoutMs: 25_000, intervalMs: 500, what: "the automatic retry of the failing delivery" },
    );
    await stillAnswering();
  }, 60_000);

  it("an endpoint runs its workflow with a workflow key, sync", async () => {
    const enabled = await api(`/api/workflows/${echoId}`, "PATCH", {
      endpointEnabled: true,
      executionMode: "sync",
    });
    expect(enabled.status, JSON.stringify(enabled.body)).toBe(200);
    const key = await api("/api/workflow-keys", "POST", { workflowId: echoId });
    expect(key.status, JSON.stringify(key.body)).toBe(201);
    const ran = await call(`${embedded.url}/api/endpoints/echo?n=3`, "POST", undefined, {
      "x-bifrost-key": String(key.body.key),
    });
    expect(ran.status, JSON.stringify(ran.body)).toBe(200);
    expect(ran.body).toMatchObject({ status: "Success", result: { n: 3, triggeredBy: "endpoint" } });
    await stillAnswering();
  });

  it("a form runs its workflow with the submitted values", async () => {
    const form = await api("/api/forms", "POST", {
      name: "Echo",
      workflowId: echoId,
      fields: [
        { name: "n", label: "N", type: "number", required: true },
        { name: "note", label: "Note", type: "text" },
      ],
    });
    expect(form.status, JSON.stringify(form.body)).toBe(201);
    const ran = await api(`/api/forms/${String(form.body.id)}/execute`, "POST", {
      values: { n: 5, note: "from a form" },
      sync: true,
    });
    expect(ran.status, JSON.stringify(ran.body)).toBe(200);
    expect(ran.body).toMatchObject({ status: "Success", result: { n: 5, note: "from a form" } });
    const detail = await execution(String(ran.body.executionId));
    expect(detail.triggeredBy).toBe("form");
    await stillAnswering();
  });
});
