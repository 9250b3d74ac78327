import { expect } from "vitest";
import { call } from "./login-journey.js";
import { writeWorkspaceFile } from "./engine-journey.js";
import { eventually } from "./server-process.js";

// Fairness between organizations, the concurrency limit and the retry policy (DESIGN.md §5), over
// HTTP as a platform admin: the same journeys run on `bifrost-server start` and on the distributed
// processes.

const POLICY_WORKFLOWS = `
import { UserError, workflow, z } from "@bifrost/sdk";

export const hold = workflow({
  params: z.object({ ms: z.number().int() }),
  async run({ ms }) {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return { held: ms };
  },
});

export const flaky = workflow({
  params: z.object({}),
  async run(_input, ctx) {
    ctx.log.info("attempt " + ctx.attempt);
    if (ctx.attempt < 3) throw new Error("not yet, attempt " + ctx.attempt);
    return { attempt: ctx.attempt };
  },
});

export const refuses = workflow({
  params: z.object({}),
  async run() {
    throw new UserError("The customer id is unknown");
  },
});
`;

type Summary = { id: string; status: string; startedAt: string | null; completedAt: string | null };
type Line = { organizationId: string; waiting: number; queued: number; running: number };

const ms = (iso: string | null): number => (iso === null ? Number.NaN : Date.parse(iso));

/** Runs `count` tasks with at most `parallel` at once. */
async function inParallel(count: number, parallel: number, task: (index: number) => Promise<void>) {
  let next = 0;
  const lanes = Array.from({ length: parallel }, async () => {
    while (next < count) await task(next++);
  });
  await Promise.all(lanes);
}

function journeyApi(baseUrl: string, token: string) {
  const auth = { authorization: `Bearer ${token}` };
  const api = async (method: string, path: string, body?: Record<string, unknown>) =>
    await call(`${baseUrl}${path}`, method, body, auth);
  return {
    api,
    async organization(name: string): Promise<string> {
      const created = await api("POST", "/api/organizations", { name });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      return String(created.body.id);
    },
    async workflowId(name: string): Promise<string> {
      const listed = await api("GET", `/api/workflows?limit=1000`);
      const found = (listed.body.items as Array<{ id: string; name: string }>).find((w) => w.name === name);
      if (!found) throw new Error(`no workflow ${name}`);
      return found.id;
    },
    async run(organizationId: string, workflowName: string, inputData: Record<string, unknown>) {
      const accepted = await api("POST", "/api/workflows/execute", {
        workflowName,
        inputData,
        organizationId,
      });
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
      return String(accepted.body.executionId);
    },
    async detail(id: string) {
      return (await api("GET", `/api/executions/${id}`)).body;
    },
    async ended(id: string, timeoutMs: number) {
      return await eventually(
        async () => {
          const body = (await api("GET", `/api/executions/${id}`)).body;
          return body.completedAt ? body : undefined;
        },
        { timeoutMs, intervalMs: 100, what: `execution ${id} to end` },
      );
    },
    async runsOf(organizationId: string): Promise<Summary[]> {
      const listed = await api("GET", `/api/executions?scope=${organizationId}&limit=1000`);
      expect(listed.status).toBe(200);
      return listed.body.items as Summary[];
    },
  };
}

export async function writePolicyWorkflows(baseUrl: string, token: string): Promise<void> {
  await writeWorkspaceFile(baseUrl, { authorization: `Bearer ${token}` }, "policies.ts", POLICY_WORKFLOWS);
}

/**
 * Organization A queues `backlog` runs, then B queues one: B's run starts before half of A's backlog
 * (as it stood when B asked) is done. A is deactivated at the end, which cancels the rest.
 */
export async function runFairnessJourney(
  baseUrl: string,
  token: string,
  options: { backlog: number; runMs: number },
): Promise<{ waitedMs: number; aDoneBefore: number; aDoneWhenAsked: number }> {
  const j = journeyApi(baseUrl, token);
  const a = await j.organization(`Backlog ${Date.now()}`);
  const b = await j.organization(`Small ${Date.now()}`);
  await inParallel(options.backlog, 16, async () => void (await j.run(a, "hold", { ms: options.runMs })));

  const aDoneWhenAsked = (await j.runsOf(a)).filter((r) => r.completedAt !== null).length;
  const asked = Date.now();
  const bRun = await j.run(b, "hold", { ms: 10 });
  const bEnded = await j.ended(bRun, 60_000);
  expect(bEnded.status).toBe("Success");
  const bStarted = ms(bEnded.startedAt as string);
  const aRuns = await j.runsOf(a);
  const aDoneBefore = aRuns.filter((r) => r.completedAt !== null && ms(r.completedAt) <= bStarted).length;
  // The backlog as it stood when B asked; B started before half of it was done.
  expect(aDoneBefore - aDoneWhenAsked).toBeLessThan((options.backlog - aDoneWhenAsked) / 2);

  // Deactivating A cancels what is left of its backlog.
  expect((await j.api("PATCH", `/api/organizations/${a}`, { isActive: false })).status).toBe(200);
  await eventually(
    async () => {
      const queue = await j.api("GET", "/api/platform/queue");
      const line = (queue.body.items as Line[]).find((l) => l.organizationId === a);
      return line === undefined ? true : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250, what: "A's backlog to be cancelled" },
  );
  return { waitedMs: bStarted - asked, aDoneBefore, aDoneWhenAsked };
}

/**
 * An organization limited to 2 runs at once queues `runs` runs: the queue view never shows more than
 * 2 running, and no 3 runs overlap in time (their own start and end timestamps).
 */
export async function runConcurrencyLimitJourney(
  baseUrl: string,
  token: string,
  runs: number,
): Promise<void> {
  const j = journeyApi(baseUrl, token);
  const c = await j.organization(`Limited ${Date.now()}`);
  const limited = await j.api("PATCH", `/api/organizations/${c}`, { maxConcurrentRuns: 2 });
  expect(limited.status, JSON.stringify(limited.body)).toBe(200);
  expect(limited.body.maxConcurrentRuns).toBe(2);

  const ids: string[] = [];
  await inParallel(runs, 8, async () => void ids.push(await j.run(c, "hold", { ms: 150 })));
  const seen: Line[] = [];
  await eventually(
    async () => {
      const queue = await j.api("GET", "/api/platform/queue");
      const line = (
        queue.body.items as Array<Line & { maxConcurrentRuns: number; limitSource: string }>
      ).find((l) => l.organizationId === c);
      if (line) {
        expect(line).toMatchObject({ maxConcurrentRuns: 2, limitSource: "organization" });
        seen.push(line);
      }
      return line === undefined ? true : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 20, what: "the limited organization's runs to end" },
  );
  expect(Math.max(...seen.map((l) => l.running))).toBeLessThanOrEqual(2);
  expect(seen.some((l) => l.running === 2)).toBe(true);
  expect(seen.some((l) => l.waiting > 0)).toBe(true);

  const done = await j.runsOf(c);
  expect(done.filter((r) => r.status === "Success")).toHaveLength(runs);
  // At every start, fewer than 2 others were running: started before it and not yet ended.
  for (const run of done) {
    const start = ms(run.startedAt);
    const overlapping = done.filter(
      (other) => other.id !== run.id && ms(other.startedAt) <= start && ms(other.completedAt) > start,
    );
    expect(overlapping.length, `runs overlapping the start of ${run.id}`).toBeLessThanOrEqual(1);
  }
}

/**
 * A workflow failing twice then succeeding, under a retry policy of 3 retries from 1 s doubling: it
 * ends `Success` on attempt 3 with the three attempts and their own logs, and no attempt started
 * before its delay. A `UserError` is not retried under the default `retryOn`.
 */
export async function runRetryJourney(baseUrl: string, token: string): Promise<void> {
  const j = journeyApi(baseUrl, token);
  const policy = { retries: 3, initialDelaySeconds: 1, backoffMultiplier: 2, maxDelaySeconds: 30 };
  for (const name of ["flaky", "refuses"]) {
    const patched = await j.api("PATCH", `/api/workflows/${await j.workflowId(name)}`, {
      retryPolicy: policy,
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.retryPolicy).toMatchObject(policy);
  }
  const org = await j.organization(`Retries ${Date.now()}`);

  const flaky = await j.run(org, "flaky", {});
  const ended = await j.ended(flaky, 30_000);
  expect(ended).toMatchObject({ status: "Success", attempt: 3, result: { attempt: 3 } });
  const attempts = ended.attempts as Array<{
    attempt: number;
    status: string;
    error: string | null;
    reason: string;
    startedAt: string;
    completedAt: string;
  }>;
  expect(attempts.map((a) => [a.attempt, a.status, a.reason])).toEqual([
    [1, "Failed", "first"],
    [2, "Failed", "retry"],
    [3, "Success", "retry"],
  ]);
  expect(attempts[0]?.error).toContain("not yet, attempt 1");
  // The policy's delays: 1 s before the second attempt, 2 s before the third.
  expect(ms(attempts[1]!.startedAt) - ms(attempts[0]!.completedAt)).toBeGreaterThanOrEqual(1_000);
  expect(ms(attempts[2]!.startedAt) - ms(attempts[1]!.completedAt)).toBeGreaterThanOrEqual(2_000);
  for (const attempt of [1, 2, 3]) {
    const logs = await j.api("GET", `/api/executions/${flaky}/logs?attempt=${attempt}`);
    const messages = (logs.body.items as Array<{ message: string }>).map((l) => l.message);
    expect(messages.filter((m) => m.startsWith("attempt "))).toEqual([`attempt ${attempt}`]);
  }

  const refused = await j.ended(await j.run(org, "refuses", {}), 30_000);
  expect(refused).toMatchObject({ status: "Failed", errorType: "UserError", attempt: 1 });
  expect(refused.attempts).toHaveLength(1);
  // Nothing is waiting to try it again.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(await j.detail(String(refused.id))).toMatchObject({ status: "Failed", attempt: 1 });
}
