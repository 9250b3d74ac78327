import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../support/context.js";
import { workflowId, writeWorkspaceFile } from "../workspace/workspace-fixtures.js";

let ctx: TestContext;
let wfId: string;

const TYPED = [
  'import { workflow, z } from "@bifrost/sdk";',
  "export const scheduled = workflow({ params: z.object({ n: z.number().int() }), run: ({ n }) => n });",
].join("\n");

beforeAll(async () => {
  ctx = await createTestContext();
  wfId = workflowId(await writeWorkspaceFile(ctx.admin, "sched/scheduled.ts", TYPED), "scheduled");
});
afterAll(() => ctx?.close());

describe("/api/schedules", () => {
  it("creates with nextRunAt and defaults, lists, updates and deletes; each change audited", async () => {
    const created = await ctx.admin.request("POST", "/api/schedules", {
      workflowId: wfId,
      cron: "30 2 * * *",
      timezone: "America/New_York",
      inputData: { n: 1 },
    });
    expect(created.statusCode, created.body).toBe(201);
    const schedule = created.json<Record<string, unknown>>();
    expect(schedule).toMatchObject({
      workflowId: wfId,
      timezone: "America/New_York",
      enabled: true,
      overlapPolicy: "skip",
      organizationId: "00000000-0000-0000-0000-000000000002",
      lastRunAt: null,
    });
    expect(new Date(String(schedule.nextRunAt)).getTime()).toBeGreaterThan(Date.now());

    const list = await ctx.admin.request("GET", "/api/schedules");
    expect(list.json<{ items: Array<{ id: string }> }>().items.map((s) => s.id)).toContain(schedule.id);

    const patched = await ctx.admin.request("PATCH", `/api/schedules/${String(schedule.id)}`, {
      cron: "*/5 * * * * *",
      timezone: "UTC",
      overlapPolicy: "allow",
    });
    expect(patched.statusCode, patched.body).toBe(200);
    const next = new Date(String(patched.json<{ nextRunAt: string }>().nextRunAt)).getTime();
    expect(next - Date.now()).toBeLessThanOrEqual(5_000);

    expect((await ctx.admin.request("DELETE", `/api/schedules/${String(schedule.id)}`)).statusCode).toBe(204);
    expect((await ctx.admin.request("DELETE", `/api/schedules/${String(schedule.id)}`)).statusCode).toBe(404);
    const audit = await ctx.admin.request("GET", "/api/audit?limit=1000");
    const actions = audit
      .json<{ items: Array<{ action: string; resourceId: string | null }> }>()
      .items.filter((e) => e.resourceId === schedule.id)
      .map((e) => e.action);
    expect(actions.sort()).toEqual(["schedule.create", "schedule.delete", "schedule.update"]);
  });

  it("answers 422 for a bad cron, timezone, workflow, organization or input", async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ workflowId: wfId, cron: "* * * *", inputData: { n: 1 } }, "body.cron"],
      [{ workflowId: wfId, cron: "61 * * * *", inputData: { n: 1 } }, "body.cron"],
      [
        { workflowId: wfId, cron: "* * * * *", timezone: "Mars/Olympus", inputData: { n: 1 } },
        "body.timezone",
      ],
      [{ workflowId: wfId, cron: "* * * * *", inputData: { n: "one" } }, "body.inputData.n"],
      [{ workflowId: wfId, cron: "* * * * *" }, "body.inputData.n"],
      [{ workflowId: "00000000-0000-4000-8000-0000000000bb", cron: "* * * * *" }, "body.workflowId"],
      [
        {
          workflowId: wfId,
          cron: "* * * * *",
          inputData: { n: 1 },
          organizationId: "00000000-0000-4000-8000-0000000000bb",
        },
        "body.organizationId",
      ],
      [
        { workflowId: wfId, cron: "* * * * *", inputData: { n: 1 }, overlapPolicy: "never" },
        "body.overlapPolicy",
      ],
    ];
    for (const [body, field] of cases) {
      const r = await ctx.admin.request("POST", "/api/schedules", body);
      expect(r.statusCode, JSON.stringify(body)).toBe(422);
      const fields = r.json<{ details: { fields: Array<{ path: string }> } }>().details.fields;
      expect(
        fields.map((f) => f.path),
        JSON.stringify(body),
      ).toContain(field);
    }
    const created = await ctx.admin.request("POST", "/api/schedules", {
      workflowId: wfId,
      cron: "0 * * * *",
      inputData: { n: 1 },
    });
    const id = created.json<{ id: string }>().id;
    const bad = await ctx.admin.request("PATCH", `/api/schedules/${id}`, { inputData: { n: "x" } });
    expect(bad.statusCode).toBe(422);
    expect((await ctx.admin.request("PATCH", `/api/schedules/${id}`, { cron: "nope" })).statusCode).toBe(422);
  });

  it("validate previews the next 5 runs, and answers valid: false for a bad expression or zone", async () => {
    const ok = await ctx.admin.request("POST", "/api/schedules/validate", {
      cron: "0 9 * * 1",
      timezone: "Europe/Berlin",
    });
    expect(ok.statusCode).toBe(200);
    const body = ok.json<{ valid: boolean; nextRuns: string[] }>();
    expect(body.valid).toBe(true);
    expect(body.nextRuns).toHaveLength(5);
    for (const run of body.nextRuns) expect(new Date(run).getUTCDay()).toBe(1);
    for (const payload of [{ cron: "every day" }, { cron: "0 9 * * 1", timezone: "Nowhere/Land" }]) {
      const r = await ctx.admin.request("POST", "/api/schedules/validate", payload);
      expect(r.statusCode).toBe(200);
      const answer = r.json<{ valid: boolean; nextRuns: string[]; error?: string }>();
      expect(answer).toMatchObject({ valid: false, nextRuns: [] });
      expect(typeof answer.error).toBe("string");
    }
  });
});
