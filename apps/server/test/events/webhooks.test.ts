import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventDeliveries, events } from "../../src/db/schema/index.js";
import { signBody } from "../../src/services/events/signature.js";
import { createEngine, type Engine } from "../support/engine.js";
import { waitUntil } from "../support/wait.js";

const HOOKED = `
import { workflow, z } from "@bifrost/sdk";

export const onTicket = workflow({
  params: z.object({ ticket: z.number(), title: z.string(), note: z.string().optional() }),
  async run(params, ctx) {
    return { params, caller: ctx.caller.email, triggeredBy: ctx.triggeredBy, organization: ctx.organization.name };
  },
});
`;

type Delivery = {
  id: string;
  status: string;
  attempts: number;
  executionId: string | null;
  nextAttemptAt: string | null;
};

describe("webhooks", () => {
  let engine: Engine;
  let workflowId: string;

  const hook = (sourceId: string, body: string, headers: Record<string, string> = {}) =>
    engine.app.app.inject({
      method: "POST",
      url: `/api/hooks/${sourceId}?kind=ticket`,
      payload: body,
      headers: { "content-type": "application/json", ...headers },
    });
  const createSource = async (body: Record<string, unknown>): Promise<string> => {
    const created = await engine.admin.request("POST", "/api/events/sources", { name: "hooks", ...body });
    expect(created.statusCode).toBe(201);
    return created.json<{ id: string }>().id;
  };
  const eventCount = async (sourceId: string): Promise<number> => {
    const [row] = await engine.app.database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(events)
      .where(eq(events.sourceId, sourceId));
    return row?.n ?? 0;
  };
  const deliveryOf = async (eventId: string): Promise<Delivery> => {
    const event = await engine.admin.request("GET", `/api/events/${eventId}`);
    expect(event.statusCode).toBe(200);
    const [delivery] = event.json<{ deliveries: Delivery[] }>().deliveries;
    if (!delivery) throw new Error("no delivery");
    return delivery;
  };

  beforeAll(async () => {
    engine = await createEngine();
    const defined = await engine.writeWorkflow("hooked.ts", HOOKED);
    workflowId = defined.find((w) => w.name === "onTicket")?.id ?? "";
  }, 60_000);
  afterAll(async () => engine?.close());

  it("a bad or missing signature is 401 and nothing is stored; the secret is never returned", async () => {
    const sourceId = await createSource({ signatureHeader: "X-Signature", secret: "s3cret" });
    const source = await engine.admin.request("GET", `/api/events/sources/${sourceId}`);
    expect(source.json()).toMatchObject({ signatureHeader: "x-signature", hasSecret: true });
    expect(source.body).not.toContain("s3cret");
    const body = JSON.stringify({ hello: 1 });
    expect((await hook(sourceId, body, { "x-signature": signBody(body, "wrong") })).statusCode).toBe(401);
    expect((await hook(sourceId, body)).statusCode).toBe(401);
    expect(await eventCount(sourceId)).toBe(0);
    const good = await hook(sourceId, body, { "x-signature": signBody(body, "s3cret"), cookie: "a=b" });
    expect(good.statusCode).toBe(202);
    const eventId = good.json<{ eventId: string }>().eventId;
    const event = await engine.admin.request("GET", `/api/events/${eventId}`);
    expect(event.json()).toMatchObject({
      body: { hello: 1 },
      query: { kind: "ticket" },
      status: "no_subscribers",
    });
    expect(event.json<{ headers: Record<string, string> }>().headers.cookie).toBeUndefined();
  });

  it("unknown and disabled sources are 404", async () => {
    expect((await hook("00000000-0000-4000-8000-000000000001", "{}")).statusCode).toBe(404);
    const sourceId = await createSource({ enabled: false });
    expect((await hook(sourceId, "{}")).statusCode).toBe(404);
  });

  it("100 requests in a burst to a source limited at 60/min store exactly 60 events", async () => {
    const sourceId = await createSource({ rateLimitPerMinute: 60 });
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) => hook(sourceId, JSON.stringify({ i }))),
    );
    const codes = answers.map((a) => a.statusCode);
    expect(codes.filter((c) => c === 202)).toHaveLength(60);
    expect(codes.filter((c) => c === 429)).toHaveLength(40);
    expect(answers.find((a) => a.statusCode === 429)?.headers["retry-after"]).toBeDefined();
    expect(await eventCount(sourceId)).toBe(60);
  });

  it("an event is delivered to its subscription's workflow with the mapped input, as the system user", async () => {
    const sourceId = await createSource({ organizationId: engine.orgA.id });
    const subscription = await engine.admin.request("POST", `/api/events/sources/${sourceId}/subscriptions`, {
      workflowId,
      inputMapping: {
        ticket: "{{ body.ticket.id }}",
        title: "{{body.ticket.title}}",
        note: "#{{ body.ticket.id }} via {{ query.kind }}",
      },
    });
    expect(subscription.statusCode).toBe(201);
    const subscriptionId = subscription.json<{ id: string }>().id;
    const sent = await hook(sourceId, JSON.stringify({ ticket: { id: 42, title: "Printer on fire" } }));
    expect(sent.statusCode).toBe(202);
    const eventId = sent.json<{ eventId: string }>().eventId;
    let delivery = await deliveryOf(eventId);
    await waitUntil("the delivery started its run", async () => {
      delivery = await deliveryOf(eventId);
      return delivery.status === "delivered";
    });
    const executionId = delivery.executionId ?? "";
    let result: Record<string, unknown> = {};
    await waitUntil(
      "the run ended",
      async () => {
        const answer = await engine.admin.request("GET", `/api/executions/${executionId}`);
        result = answer.json();
        return result.status === "Success";
      },
      30_000,
    );
    expect(result).toMatchObject({ triggeredBy: "webhook" });
    const stored = await engine.admin.request("GET", `/api/executions/${executionId}/result`);
    expect(stored.json()).toMatchObject({
      params: { ticket: 42, title: "Printer on fire", note: "#42 via ticket" },
      caller: "system@bifrost.local",
      triggeredBy: "webhook",
      organization: "Contoso",
    });
    const listed = await engine.admin.request("GET", `/api/events/sources/${sourceId}/events`);
    expect(listed.json()).toMatchObject({ items: [{ id: eventId, status: "delivered" }] });
    const [row] = await engine.app.database.db
      .execute(sql`select source_id from executions where id = ${executionId}`)
      .then((r) => (r as { rows: Array<{ source_id: string }> }).rows);
    expect(row?.source_id).toBe(subscriptionId);
  }, 60_000);

  it("a failing delivery is retried with backoff, then failed, and can be retried by hand", async () => {
    const sourceId = await createSource({});
    const created = await engine.admin.request("POST", `/api/events/sources/${sourceId}/subscriptions`, {
      workflowId,
      inputMapping: { ticket: "{{ body.missing }}", title: "t" },
    });
    const subscriptionId = created.json<{ id: string }>().id;
    const eventId = (await hook(sourceId, "{}")).json<{ eventId: string }>().eventId;
    let delivery = await deliveryOf(eventId);
    // The attempt is counted before it is made: wait for its failure to set the backoff too
    // (until then the row holds the 60 s claim lease).
    await waitUntil("the first attempt failed", async () => {
      delivery = await deliveryOf(eventId);
      return (
        delivery.attempts === 1 &&
        delivery.status === "pending" &&
        Date.parse(delivery.nextAttemptAt ?? "") - Date.now() < 45_000
      );
    });
    const waits: number[] = [];
    // Make each retry due now instead of waiting out the backoff; the scheduler's job picks it up.
    for (let attempt = 2; attempt <= 5; attempt++) {
      const previous = delivery;
      waits.push(Date.parse(previous.nextAttemptAt ?? "") - Date.now());
      await engine.app.database.db
        .update(eventDeliveries)
        .set({ nextAttemptAt: new Date() })
        .where(eq(eventDeliveries.id, delivery.id));
      // Recorded: failed for good after the 5th, else pending with its backoff (shorter than the claim's lease).
      await waitUntil(`attempt ${attempt}`, async () => {
        delivery = await deliveryOf(eventId);
        if (delivery.attempts !== attempt) return false;
        return attempt === 5
          ? delivery.status === "failed"
          : Date.parse(delivery.nextAttemptAt ?? "") - Date.now() < 45_000;
      });
    }
    expect(delivery).toMatchObject({ status: "failed", attempts: 5, nextAttemptAt: null });
    // Exponential: each wait about twice the one before (5, 10, 20, 40 s).
    for (let i = 1; i < waits.length; i++) expect(waits[i]).toBeGreaterThan((waits[i - 1] ?? 0) * 1.5);
    expect((await engine.admin.request("GET", `/api/events/${eventId}`)).json()).toMatchObject({
      status: "failed",
    });

    await engine.admin.request("PATCH", `/api/events/sources/${sourceId}/subscriptions/${subscriptionId}`, {
      inputMapping: { ticket: 7, title: "fixed" },
    });
    const retried = await engine.admin.request("POST", `/api/events/deliveries/${delivery.id}/retry`);
    expect(retried.statusCode).toBe(200);
    expect(retried.json()).toMatchObject({ status: "delivered", attempts: 6 });
    expect(
      (await engine.admin.request("POST", `/api/events/deliveries/${delivery.id}/retry`)).statusCode,
    ).toBe(409);
  }, 60_000);

  it("organization users may not manage event sources", async () => {
    expect((await engine.orgA.withRole.request("GET", "/api/events/sources")).statusCode).toBe(403);
    expect((await engine.anonymous.request("GET", "/api/events/sources")).statusCode).toBe(401);
  });
});
