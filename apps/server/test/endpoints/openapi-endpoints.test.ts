import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type Client, type TestContext } from "../support/context.js";
import { writeWorkspaceFile, workflowId } from "../workspace/workspace-fixtures.js";

// The OpenAPI document lists workflow endpoints only to who may see their workflows (issue 17,
// point 6): names, descriptions and parameter schemas are an organization's data.

const ENDPOINTS = `
import { workflow, z } from "@bifrost/sdk";

const params = z.object({ ticket: z.string() });
export const contosoOnly = workflow({ description: "Contoso's payroll export", params, run: () => 1 });
export const contosoTechs = workflow({ description: "Contoso's technicians' tool", params, run: () => 1 });
export const fabrikamOnly = workflow({ description: "Fabrikam's billing run", params, run: () => 1 });
export const everyone = workflow({ description: "Shared by every organization", params, run: () => 1 });
`;
const NAMES = ["contosoOnly", "contosoTechs", "fabrikamOnly", "everyone"];

type OpenApi = { openapi: string; paths: Record<string, Record<string, unknown>> };

let ctx: TestContext;

const openApi = (client: Pick<Client, "request">): Promise<LightMyRequestResponse> =>
  client.request("GET", "/api/openapi.json");

/** The workflow endpoints a document lists, by workflow name. */
const listedEndpoints = (response: LightMyRequestResponse): string[] => {
  expect(response.statusCode, response.body).toBe(200);
  return Object.keys(response.json<OpenApi>().paths)
    .filter((path) => path.startsWith("/api/endpoints/"))
    .map((path) => decodeURIComponent(path.slice("/api/endpoints/".length)))
    .sort();
};

/** Nothing of the hidden workflows anywhere in the document: not their names, nor their descriptions. */
const expectNothingOf = (response: LightMyRequestResponse, hidden: string[]): void => {
  for (const name of hidden) expect(response.body).not.toContain(name);
  if (hidden.includes("contosoOnly")) expect(response.body).not.toContain("payroll");
  if (hidden.includes("fabrikamOnly")) expect(response.body).not.toContain("billing");
};

beforeAll(async () => {
  ctx = await createTestContext();
  const written = await writeWorkspaceFile(ctx.admin, "openapi-endpoints.ts", ENDPOINTS);
  const settings: Record<string, object> = {
    contosoOnly: { accessLevel: "authenticated", organizationId: ctx.orgA.id },
    contosoTechs: { organizationId: ctx.orgA.id, roleIds: [ctx.roleId] },
    fabrikamOnly: { accessLevel: "authenticated", organizationId: ctx.orgB.id },
    everyone: { accessLevel: "authenticated" },
  };
  for (const name of NAMES) {
    const response = await ctx.admin.request("PATCH", `/api/workflows/${workflowId(written, name)}`, {
      ...settings[name],
      endpointEnabled: true,
    });
    expect(response.statusCode, response.body).toBe(200);
  }
});
afterAll(async () => {
  await ctx.close();
});

describe("workflow endpoints in the OpenAPI document", () => {
  it("an anonymous caller gets the platform's routes and no organization's endpoint", async () => {
    const response = await openApi(ctx.anonymous);
    expect(listedEndpoints(response)).toEqual([]);
    expectNothingOf(response, NAMES);
    const paths = Object.keys(response.json<OpenApi>().paths);
    expect(paths).toEqual(expect.arrayContaining(["/health", "/auth/login", "/api/workflows/execute"]));
    // The docs page reads its own copy of the document: no endpoints there either.
    const docs = await ctx.app.app.inject({ method: "GET", url: "/api/docs/json" });
    expect(docs.statusCode).toBe(200);
    expectNothingOf(docs, NAMES);
  });

  it("a user of another organization does not see an organization's endpoints", async () => {
    const response = await openApi(ctx.orgB.withRole);
    expect(listedEndpoints(response)).toEqual(["everyone", "fabrikamOnly"]);
    expectNothingOf(response, ["contosoOnly", "contosoTechs"]);
  });

  it("a user of the organization sees its endpoints and global ones, role_based ones only with the role", async () => {
    expect(listedEndpoints(await openApi(ctx.orgA.withRole))).toEqual([
      "contosoOnly",
      "contosoTechs",
      "everyone",
    ]);
    const withoutRole = await openApi(ctx.orgA.withoutRole);
    expect(listedEndpoints(withoutRole)).toEqual(["contosoOnly", "everyone"]);
    expectNothingOf(withoutRole, ["contosoTechs", "fabrikamOnly"]);
  });

  it("a platform admin sees every organization's endpoints", async () => {
    expect(listedEndpoints(await openApi(ctx.admin))).toEqual([...NAMES].sort());
  });

  it("a token that is not valid is 401, not the anonymous document", async () => {
    const response = await ctx.app.app.inject({
      method: "GET",
      url: "/api/openapi.json",
      headers: { authorization: "Bearer not-a-token" },
    });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ error: "unauthorized" });
  });
});
