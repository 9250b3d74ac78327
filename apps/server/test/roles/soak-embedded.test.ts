import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedWithWorkspace, type EmbeddedServer } from "../support/embedded-server.js";
import { call } from "../support/login-journey.js";
import { eventually } from "../support/server-process.js";

// The embedded soak (issue 14): one `bifrost-server start` (what `npm start` runs) with a schedule
// firing every 2 s, webhooks arriving, sync and async runs and the reads of the web client's pages,
// all at once. Every request is answered within 5 s, /health/ready never reports the database down,
// and every accepted run ends. `BIFROST_SOAK_SECONDS` makes it longer (`node bench/soak.mjs`).

const SOAK_MS = Number(process.env.BIFROST_SOAK_SECONDS ?? "60") * 1000;
const REQUEST_BOUND_MS = 5_000;
const FINAL = ["Success", "Failed", "Cancelled", "Timeout"];

const WORKFLOWS = `
import { workflow, z } from "@bifrost/sdk";

export const quick = workflow({ params: z.object({ n: z.number().int() }), run: ({ n }) => ({ n }) });

export const tick = workflow({ run: () => "tock" });

export const chatty = workflow({
  params: z.object({ n: z.number().int() }),
  async run({ n }, ctx) {
    for (let i = 0; i < 20; i++) ctx.log.info("line " + i);
    await new Promise((resolve) => setTimeout(resolve, 50));
    return { n };
  },
});
`;

type Json = Record<string, unknown>;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

describe("embedded soak: schedules, webhooks, sync and async runs and reads together", () => {
  let embedded: EmbeddedServer;
  let auth: Record<string, string>;
  const latencies = { reads: [] as number[], all: [] as number[] };
  const failures: string[] = [];
  const readiness = { checks: 0, down: [] as string[] };

  /** One request; its answer time counts, and anything but the expected status is a failure. */
  const request = async (url: string, method = "GET", body?: Json, expect = 200, kind?: "read") => {
    const started = Date.now();
    try {
      const response = await call(`${embedded.url}${url}`, method, body, auth);
      const ms = Date.now() - started;
      latencies.all.push(ms);
      if (kind === "read") latencies.reads.push(ms);
      if (response.status !== expect) failures.push(`${method} ${url}: ${response.status}`);
      return response;
    } catch (error) {
      failures.push(`${method} ${url}: ${(error as Error).message}`);
      latencies.all.push(Date.now() - started);
      return undefined;
    }
  };

  beforeAll(async () => {
    ({ embedded, auth } = await startEmbeddedWithWorkspace({ "soak.ts": WORKFLOWS }));
  }, 120_000);

  afterAll(() => embedded?.close());

  it(
    "every request is answered within 5 s, readiness never reports the database down, every accepted run ends",
    async () => {
      const workflows = (await request("/api/workflows"))!.body.items as Array<{ id: string; name: string }>;
      const quickId = workflows.find((w) => w.name === "quick")!.id;
      const tickId = workflows.find((w) => w.name === "tick")!.id;
      await request("/api/schedules", "POST", { workflowId: tickId, cron: "*/2 * * * * *" }, 201);
      const source = await request(
        "/api/events/sources",
        "POST",
        { name: "soak", rateLimitPerMinute: 10_000 },
        201,
      );
      const sourceId = String(source!.body.id);
      await request(
        `/api/events/sources/${sourceId}/subscriptions`,
        "POST",
        { workflowId: quickId, inputMapping: { n: "{{ body.n }}" } },
        201,
      );

      const until = Date.now() + SOAK_MS;
      const accepted: string[] = [];
      const events: string[] = [];
      const loop = async (pauseMs: number, step: (i: number) => Promise<void>) => {
        for (let i = 0; Date.now() < until; i++) {
          await step(i);
          await sleep(pauseMs);
        }
      };
      await Promise.all([
        loop(100, async (i) => {
          const ran = await request("/api/workflows/execute", "POST", {
            workflowName: "quick",
            inputData: { n: i },
            sync: true,
          });
          if (ran && ran.body.status !== "Success")
            failures.push(`sync run ${i}: ${String(ran.body.status)}`);
        }),
        loop(50, async (i) => {
          const workflowName = i % 2 === 0 ? "quick" : "chatty";
          const ran = await request(
            "/api/workflows/execute",
            "POST",
            { workflowName, inputData: { n: i } },
            202,
          );
          if (ran?.status === 202) accepted.push(String(ran.body.executionId));
        }),
        loop(250, async (i) => {
          const hook = await call(`${embedded.url}/api/hooks/${sourceId}`, "POST", { n: i });
          if (hook.status === 202) events.push(String(hook.body.eventId));
          else failures.push(`webhook ${i}: ${hook.status}`);
        }),
        loop(100, async () => {
          for (const page of ["/api/executions?limit=25", "/api/workflows", "/api/schedules", "/auth/me"]) {
            await request(page, "GET", undefined, 200, "read");
          }
          await request(`/api/events/sources/${sourceId}/events?limit=25`, "GET", undefined, 200, "read");
        }),
        loop(500, async () => {
          readiness.checks++;
          const ready = await call(`${embedded.url}/health/ready`, "GET");
          if (ready.status !== 200) readiness.down.push(JSON.stringify(ready.body));
        }),
      ]);

      // Every accepted run, every webhook's run and every schedule run ends.
      const active = await eventually(
        async () => {
          const list = await request(
            "/api/executions?limit=1000&status=Scheduled,Pending,Running,Cancelling",
          );
          return (list?.body.items as unknown[] | undefined)?.length === 0 ? true : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 500, what: "every accepted run to end" },
      );
      expect(active).toBe(true);
      for (const id of accepted) {
        const detail = await request(`/api/executions/${id}`);
        expect(FINAL, `run ${id}`).toContain(detail?.body.status);
      }
      for (const eventId of events) {
        await eventually(
          async () => {
            const event = await call(`${embedded.url}/api/events/${eventId}`, "GET", undefined, auth);
            const [delivery] = event.body.deliveries as Array<{ status: string }>;
            return delivery?.status === "delivered" ? true : undefined;
          },
          { timeoutMs: 30_000, intervalMs: 250, what: `event ${eventId} to be delivered` },
        );
      }

      // The schedule kept firing all along (a fire every 2 s; some slack for the first and last).
      const ticks = await request("/api/executions?limit=1000&workflowName=tick");
      const fired = (ticks?.body.items as unknown[] | undefined)?.length ?? 0;
      expect(fired).toBeGreaterThanOrEqual(Math.floor((SOAK_MS / 2_000) * 0.8));

      const reads = [...latencies.reads].sort((a, b) => a - b);
      const all = [...latencies.all].sort((a, b) => a - b);
      console.log(
        `embedded soak, ${SOAK_MS / 1000} s: ${all.length} requests (${accepted.length} async runs accepted, ` +
          `${events.length} webhooks, ${fired} schedule fires); reads p50 ${percentile(reads, 50)} ms, p99 ${percentile(reads, 99)} ms, ` +
          `max ${reads.at(-1)} ms (${reads.length}); every request max ${all.at(-1)} ms; ` +
          `readiness ${readiness.checks} checks, ${readiness.down.length} not ready`,
      );
      expect(failures).toEqual([]);
      expect(readiness.down).toEqual([]);
      expect(all.at(-1)).toBeLessThan(REQUEST_BOUND_MS);
      expect(accepted.length).toBeGreaterThan(0);
    },
    SOAK_MS + 120_000,
  );
});
