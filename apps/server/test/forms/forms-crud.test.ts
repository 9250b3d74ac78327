import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../support/context.js";
import { writeWorkspaceFile } from "../workspace/workspace-fixtures.js";
import { createForm, FORM_WORKFLOWS, onboardingForm, type FormWorkflowIds } from "./forms-fixtures.js";

type Fields = { details: { fields: Array<{ path: string }> } };

describe("forms: writing them (platform admins)", () => {
  let ctx: TestContext;
  let ids: FormWorkflowIds;
  let body: ReturnType<typeof onboardingForm>;

  beforeAll(async () => {
    ctx = await createTestContext();
    const written = await writeWorkspaceFile(ctx.admin, "forms/onboarding.ts", FORM_WORKFLOWS);
    const id = (name: string) => written.workflows.find((w) => w.name === name)?.id ?? "";
    ids = {
      onboard: id("onboard"),
      licences: id("licences"),
      prefill: id("prefill"),
      trivial: id("trivial"),
    };
    body = onboardingForm(ids, ctx.orgA.id, ctx.roleId);
  }, 60_000);
  afterAll(async () => ctx?.close());

  it("creates, reads, replaces and deletes a form with its ordered fields and roles", async () => {
    const created = await ctx.admin.request("POST", "/api/forms", body);
    expect(created.statusCode, created.body).toBe(201);
    const form = created.json<{ id: string; fields: Array<{ name: string }>; roleIds: string[] }>();
    expect(form).toMatchObject({
      name: "Onboard a user",
      organizationId: ctx.orgA.id,
      accessLevel: "role_based",
    });
    expect(form.fields.map((f) => f.name)).toEqual(body.fields.map((f) => f.name));
    expect(form.roleIds).toEqual([ctx.roleId]);

    const replaced = await ctx.admin.request("PUT", `/api/forms/${form.id}`, {
      ...body,
      name: "Renamed",
      accessLevel: "authenticated",
      roleIds: [],
      fields: body.fields.slice(0, 1),
    });
    expect(replaced.statusCode, replaced.body).toBe(200);
    expect(replaced.json()).toMatchObject({ name: "Renamed", accessLevel: "authenticated", roleIds: [] });
    // authenticated: every user of the organization may run it now.
    const seen = await ctx.orgA.withoutRole.request("GET", `/api/forms/${form.id}`);
    expect(seen.statusCode).toBe(200);
    expect(seen.json<{ fields: unknown[] }>().fields).toHaveLength(1);

    expect((await ctx.orgA.withRole.request("DELETE", `/api/forms/${form.id}`)).statusCode).toBe(403);
    expect((await ctx.admin.request("DELETE", `/api/forms/${form.id}`)).statusCode).toBe(204);
    expect((await ctx.admin.request("GET", `/api/forms/${form.id}`)).statusCode).toBe(404);
  });

  it("refuses forms that break the field rules or refer to what they cannot use (422)", async () => {
    const [email, tier, licence] = body.fields;
    const cases: Array<[object, string]> = [
      [{ ...body, fields: [email, email] }, "body.fields.1.name"],
      [{ ...body, fields: [{ ...email, type: "colour" }] }, "body.fields.0.type"],
      [{ ...body, fields: [{ ...email, name: "1st" }] }, "body.fields.0.name"],
      [{ ...body, fields: [{ ...tier, options: [] }] }, "body.fields.0.options"],
      [
        { ...body, fields: [{ ...email, dataProvider: licence?.dataProvider }] },
        "body.fields.0.dataProvider",
      ],
      [{ ...body, fields: [{ ...email, visibleWhen: "values.x == 1" }] }, "body.fields.0.visibleWhen"],
      [{ ...body, fields: [{ ...email, visibleWhen: { field: "x" } }] }, "body.fields.0.visibleWhen"],
      [{ ...body, fields: [{ ...email, validation: { pattern: "(" } }] }, "body.fields.0.validation.pattern"],
      [{ ...body, workflowId: "00000000-0000-4000-8000-000000000001" }, "body.workflowId"],
      // A data provider must be one; a workflow is not.
      [
        { ...body, fields: [{ ...licence, dataProvider: { workflowId: ids.trivial } }] },
        "body.fields.0.dataProvider.workflowId",
      ],
      [{ ...body, roleIds: ["00000000-0000-4000-8000-000000000002"] }, "body.roleIds"],
      [{ ...body, organizationId: "00000000-0000-4000-8000-000000000003" }, "body.organizationId"],
    ];
    for (const [payload, path] of cases) {
      const response = await ctx.admin.request("POST", "/api/forms", payload);
      expect(response.statusCode, `${path}: ${response.body}`).toBe(422);
      expect(response.json<Fields>().details.fields.map((f) => f.path)).toContain(path);
    }
  });

  it("a form never uses another organization's workflow", async () => {
    const moved = await ctx.admin.request("PATCH", `/api/workflows/${ids.trivial}`, {
      organizationId: ctx.orgB.id,
    });
    expect(moved.statusCode).toBe(200);
    const response = await ctx.admin.request("POST", "/api/forms", {
      ...body,
      workflowId: ids.trivial,
      launchWorkflowId: undefined,
    });
    expect(response.statusCode).toBe(422);
    await ctx.admin.request("PATCH", `/api/workflows/${ids.trivial}`, { organizationId: null });
    expect(await createForm(ctx.admin, { ...body, workflowId: ids.trivial })).toEqual(expect.any(String));
  });
});
