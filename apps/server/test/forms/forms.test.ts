import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../support/engine.js";
import {
  createForm,
  onboardingForm,
  uploadFile,
  writeFormWorkflows,
  type FormWorkflowIds,
} from "./forms-fixtures.js";

type Fields = { details: { fields: Array<{ path: string; message: string }> } };

describe("forms run their workflow with checked values", () => {
  let engine: Engine;
  let ids: FormWorkflowIds;
  let formId: string;

  beforeAll(async () => {
    engine = await createEngine();
    ids = await writeFormWorkflows(engine);
    formId = await createForm(engine.admin, onboardingForm(ids, engine.orgA.id, engine.roleId));
  }, 60_000);
  afterAll(async () => engine?.close());

  const execute = (values: object, client = engine.orgA.withRole) =>
    client.request("POST", `/api/forms/${formId}/execute`, { values, sync: true });

  it("a form with a data-provider select, a visibleWhen field and a file runs with the right input", async () => {
    const user = engine.orgA.withRole;
    // The user may not run the workflow directly (role_based, no roles): the form is enough.
    expect((await engine.execute(user, { workflowId: ids.onboard, inputData: {} })).statusCode).toBe(404);
    const path = await uploadFile(engine, user, formId, "signed by Ann");
    const response = await execute({
      email: "new.hire@contoso.example",
      tier: "pro",
      licence: "E5",
      hasManager: true,
      manager: "Ann",
      contract: { path },
      note: "not a parameter of the workflow",
    });
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json<{ executionId: string; status: string; result: unknown }>();
    expect(body).toMatchObject({ status: "Success" });
    expect(body.result).toEqual({
      params: { email: "new.hire@contoso.example", licence: "E5", manager: "Ann", contract: { path } },
      text: "signed by Ann",
    });
    const detail = await user.request("GET", `/api/executions/${body.executionId}`);
    expect(detail.json()).toMatchObject({ triggeredBy: "form", organizationId: engine.orgA.id });
  });

  it("an async submission answers 202 with the execution id", async () => {
    const response = await engine.orgA.withRole.request("POST", `/api/forms/${formId}/execute`, {
      values: { email: "a@contoso.example", tier: "basic", licence: "E3" },
    });
    expect(response.statusCode, response.body).toBe(202);
    expect(typeof response.json<{ executionId: unknown }>().executionId).toBe("string");
  });

  it("a hidden required field is not required, and its value is dropped", async () => {
    const response = await execute({
      email: "b@contoso.example",
      tier: "basic",
      licence: "E3",
      hasManager: false,
      manager: "stale",
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json<{ result: { params: object } }>().result.params).toEqual({
      email: "b@contoso.example",
      licence: "E3",
    });
  });

  it("values violating the fields are 422 with each bad field", async () => {
    const cases: Array<[object, string[]]> = [
      [{ tier: "basic", licence: "E3" }, ["body.values.email"]],
      [{ email: 42, tier: "basic", licence: "E3" }, ["body.values.email"]],
      [{ email: "c@contoso.example", tier: "gold", licence: "E3" }, ["body.values.tier"]],
      // E5 is offered to pro only: the provider runs with the submitted tier.
      [{ email: "c@contoso.example", tier: "basic", licence: "E5" }, ["body.values.licence"]],
      [
        { email: "c@contoso.example", tier: "basic", licence: "E3", hasManager: true },
        ["body.values.manager"],
      ],
      [
        { email: "c@contoso.example", tier: "basic", licence: "E3", hasManager: "yes", manager: "A" },
        ["body.values.hasManager"],
      ],
      [
        { email: "c@contoso.example", tier: "basic", licence: "E3", contract: { path: "elsewhere/x.txt" } },
        ["body.values.contract"],
      ],
      [
        {
          email: "c@contoso.example",
          tier: "basic",
          licence: "E3",
          contract: { path: `forms/${formId}/never/uploaded.txt` },
        },
        ["body.values.contract"],
      ],
    ];
    for (const [values, paths] of cases) {
      const response = await execute(values);
      expect(response.statusCode, JSON.stringify(values)).toBe(422);
      expect(response.json<Fields>().details.fields.map((f) => f.path)).toEqual(paths);
    }
  });

  it("an organization user without the form's role, or of another organization, gets 404", async () => {
    const routes: Array<[string, string, object?]> = [
      ["GET", `/api/forms/${formId}`],
      ["POST", `/api/forms/${formId}/execute`, { values: {} }],
      ["POST", `/api/forms/${formId}/startup`],
      ["POST", `/api/forms/${formId}/fields/licence/options`, { values: {} }],
      [
        "POST",
        `/api/forms/${formId}/upload`,
        { fieldName: "contract", fileName: "a", contentType: "text/plain", size: 1 },
      ],
    ];
    for (const client of [engine.orgA.withoutRole, engine.orgB.withRole]) {
      for (const [method, url, payload] of routes) {
        expect((await client.request(method, url, payload)).statusCode, `${method} ${url}`).toBe(404);
      }
      const list = await client.request("GET", "/api/forms");
      expect(list.json<{ items: Array<{ id: string }> }>().items.map((f) => f.id)).not.toContain(formId);
    }
    const own = await engine.orgA.withRole.request("GET", "/api/forms");
    expect(own.json<{ items: Array<{ id: string }> }>().items.map((f) => f.id)).toContain(formId);
  });

  it("the options endpoint runs the data provider with the other values", async () => {
    const options = (values: object) =>
      engine.orgA.withRole.request("POST", `/api/forms/${formId}/fields/licence/options`, { values });
    expect((await options({ tier: "pro" })).json()).toEqual({
      options: [
        { label: "E5", value: "E5" },
        { label: "E3", value: "E3" },
      ],
    });
    expect((await options({})).json()).toEqual({ options: [{ label: "E3", value: "E3" }] });
    const statics = await engine.orgA.withRole.request(
      "POST",
      `/api/forms/${formId}/fields/tier/options`,
      {},
    );
    expect(statics.json<{ options: unknown[] }>().options).toHaveLength(2);
    const unknown = await engine.orgA.withRole.request(
      "POST",
      `/api/forms/${formId}/fields/nope/options`,
      {},
    );
    expect(unknown.statusCode).toBe(404);
  });

  it("startup runs the launch workflow with the allowed query parameters only", async () => {
    const response = await engine.orgA.withRole.request(
      "POST",
      `/api/forms/${formId}/startup?customer=acme&other=x`,
    );
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ status: "Success", result: { customer: "acme" } });
  });

  it("uploads are refused beyond the field's size and types", async () => {
    const ask = (body: object) =>
      engine.orgA.withRole.request("POST", `/api/forms/${formId}/upload`, {
        fieldName: "contract",
        fileName: "c.txt",
        contentType: "text/plain",
        size: 10,
        ...body,
      });
    expect((await ask({ size: 1001 })).statusCode).toBe(422);
    expect((await ask({ contentType: "application/pdf" })).statusCode).toBe(422);
    expect((await ask({ fieldName: "email" })).statusCode).toBe(422);
    const ok = await ask({ fileName: "../../etc/passwd" });
    expect(ok.statusCode).toBe(200);
    expect(ok.json<{ path: string }>().path).toMatch(new RegExp(`^forms/${formId}/[0-9a-f-]+/passwd$`));
  });
});
