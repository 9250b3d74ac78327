import SwaggerParser from "@apidevtools/swagger-parser";
import Fastify from "fastify";
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import openapiTS, { astToString } from "openapi-typescript";
import type { OpenAPIV3_1 } from "openapi-types";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { registerOpenApi } from "../../src/api/plugins/openapi.js";
import { createTestContext, type TestContext } from "../support/context.js";
import { workflowId, writeWorkspaceFile } from "../workspace/workspace-fixtures.js";

// `/api/openapi.json` is what client generators consume: it must pass a standard validator for
// every kind of caller, and a generator must turn it into types a program can use.

// One endpoint with flat parameters, and two whose parameters are recursive: a nested definition
// (zod puts it under `$defs`) and a schema that refers to itself (`$ref: "#"`).
const ENDPOINTS = `
import { workflow, z } from "@bifrost/sdk";

const ticket = z.object({ ticket: z.string(), priority: z.number().optional() });
export const openTicket = workflow({ description: "Opens a ticket", params: ticket, run: () => 1 });

const folder = z.object({ name: z.string(), get children() { return z.array(folder).optional(); } });
export const importTree = workflow({ params: z.object({ root: folder, dryRun: z.boolean().optional() }), run: () => 1 });

const chain = z.object({ step: z.string(), get next() { return chain.optional(); } });
export const runChain = workflow({ params: chain, run: () => 1 });
`;
const ENDPOINT_NAMES = ["openTicket", "importTree", "runChain"];

type Document = OpenAPIV3_1.Document & { paths: Record<string, Record<string, unknown>> };

let ctx: TestContext;
let anonymous: Document;
let admin: Document;
let dir: string;

const fetchDocument = async (client: Pick<TestContext["admin"], "request">): Promise<Document> => {
  const response = await client.request("GET", "/api/openapi.json");
  expect(response.statusCode, response.body).toBe(200);
  return response.json<Document>();
};

/** Every `$ref` string in a document, with where it sits. */
function refsOf(value: unknown, at = "#"): Array<{ at: string; ref: string }> {
  if (Array.isArray(value)) return value.flatMap((item, i) => refsOf(item, `${at}/${i}`));
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) =>
    key === "$ref" && typeof child === "string" ? [{ at, ref: child }] : refsOf(child, `${at}/${key}`),
  );
}

/** What a JSON pointer (`#/a/b~1c`) points at in `document`, or undefined. */
function resolvePointer(document: unknown, ref: string): unknown {
  if (!ref.startsWith("#/")) return undefined;
  let node: unknown = document;
  for (const raw of ref.slice(2).split("/")) {
    const key = decodeURIComponent(raw).replaceAll("~1", "/").replaceAll("~0", "~");
    if (typeof node !== "object" || node === null || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

beforeAll(async () => {
  ctx = await createTestContext();
  const written = await writeWorkspaceFile(ctx.admin, "openapi-document.ts", ENDPOINTS);
  for (const name of ENDPOINT_NAMES) {
    const response = await ctx.admin.request("PATCH", `/api/workflows/${workflowId(written, name)}`, {
      endpointEnabled: true,
      allowedMethods: ["GET", "POST"],
    });
    expect(response.statusCode, response.body).toBe(200);
  }
  // Builds the platform's document here, where a schema it cannot describe throws with the reason
  // (over HTTP that is a 500).
  ctx.app.app.swagger();
  anonymous = await fetchDocument(ctx.anonymous);
  admin = await fetchDocument(ctx.admin);
  dir = mkdtempSync(path.join(os.tmpdir(), "bifrost-openapi-client-"));
});
afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  await ctx.close();
});

describe("the OpenAPI document", () => {
  it("the anonymous document passes a standard OpenAPI validator", async () => {
    expect(Object.keys(anonymous.paths).filter((p) => p.startsWith("/api/endpoints/"))).toEqual([]);
    // The validator dereferences in place: give it a copy.
    await expect(SwaggerParser.validate(structuredClone(anonymous))).resolves.toBeTruthy();
  });

  it("a platform admin's document, with workflow endpoints merged in, passes a standard OpenAPI validator", async () => {
    expect(
      Object.keys(admin.paths)
        .filter((p) => p.startsWith("/api/endpoints/"))
        .sort(),
    ).toEqual(ENDPOINT_NAMES.map((name) => `/api/endpoints/${name}`).sort());
    await expect(SwaggerParser.validate(structuredClone(admin))).resolves.toBeTruthy();
  });

  it("every $ref points at something in the document, and recursive schemas are named components", () => {
    for (const document of [anonymous, admin]) {
      const dangling = refsOf(document).filter(({ ref }) => resolvePointer(document, ref) === undefined);
      expect(dangling).toEqual([]);
    }
    // The forms' recursive visibility condition is one component, referred to by the form routes.
    const schemas = admin.components?.schemas ?? {};
    expect(Object.keys(schemas)).toEqual(expect.arrayContaining(["VisibleWhen"]));
    expect(JSON.stringify(admin.paths["/api/forms/{id}"])).toContain('"#/components/schemas/VisibleWhen');
    // An anonymous caller learns nothing of an organization's endpoints from the components either.
    for (const name of ENDPOINT_NAMES) expect(JSON.stringify(anonymous)).not.toContain(name);
  });

  it("openapi-typescript generates a client from it that type-checks with code using its types", async () => {
    const client = astToString(await openapiTS(structuredClone(admin) as Parameters<typeof openapiTS>[0]));
    writeFileSync(path.join(dir, "api.ts"), client);
    writeFileSync(
      path.join(dir, "usage.ts"),
      `
import type { components, paths } from "./api";

type Json<T> = T extends { content: { "application/json": infer Body } } ? Body : never;

type ExecutionDetail = Json<paths["/api/executions/{id}"]["get"]["responses"][200]>;
export const finished = (execution: ExecutionDetail): boolean =>
  execution.status === "Success" || execution.status === "Failed";
// @ts-expect-error: not an execution status
export const notAStatus: ExecutionDetail["status"] = "Exploded";

type FormList = Json<paths["/api/forms"]["get"]["responses"][200]>;
export const formNames = (list: FormList): string[] => list.items.map((form) => form.name);

type Condition = components["schemas"]["VisibleWhen"];
export const condition: Condition = { all: [{ field: "a", equals: 1 }, { not: { field: "b", isSet: true } }] };
type FieldCondition = NonNullable<
  NonNullable<paths["/api/forms/{id}"]["put"]["requestBody"]>["content"]["application/json"]["fields"]
>[number]["visibleWhen"];
export const fieldCondition: FieldCondition = { any: [{ field: "c", in: [1, 2] }] };

type StartupQuery = NonNullable<paths["/api/forms/{id}/startup"]["post"]["parameters"]["query"]>;
export const startupQuery: StartupQuery = { query: { ticket: "42" } };

type TreeInput = NonNullable<paths["/api/endpoints/importTree"]["post"]["requestBody"]>["content"]["application/json"];
export const tree: TreeInput = { root: { name: "a", children: [{ name: "b", children: [] }] } };
type ChainInput = NonNullable<paths["/api/endpoints/runChain"]["post"]["requestBody"]>["content"]["application/json"];
export const chain: ChainInput = { step: "a", next: { step: "b" } };
// @ts-expect-error: a folder needs a name
export const nameless: TreeInput = { root: { children: [] } };
`,
    );
    const program = ts.createProgram([path.join(dir, "usage.ts")], {
      strict: true,
      noUncheckedIndexedAccess: true,
      noEmit: true,
      skipLibCheck: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      types: [],
    });
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    expect(diagnostics).toEqual([]);
  });
});

/** The platform's document of a bare app with one route whose body and answer are `schema`. */
async function documentOfRoute(schema: z.ZodType): Promise<Document> {
  const app = Fastify();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await registerOpenApi(app, { version: "test" });
  app
    .withTypeProvider<ZodTypeProvider>()
    .post("/trees", { schema: { body: schema, response: { 200: schema } } }, (request) => request.body);
  await app.ready();
  try {
    return app.swagger() as Document;
  } finally {
    await app.close();
  }
}

describe("recursive schemas in the OpenAPI document", () => {
  type Tree = { name: string; children: Tree[] };

  it("a recursive schema with a component id is written once under components and referred to", async () => {
    const tree: z.ZodType<Tree> = z
      .object({ name: z.string(), children: z.lazy(() => z.array(tree)) })
      .meta({ id: "OpenApiTestTree" });
    const document = await documentOfRoute(z.object({ trees: z.array(tree) }));
    expect(Object.keys(document.components?.schemas ?? {})).toEqual(
      expect.arrayContaining(["OpenApiTestTree", "OpenApiTestTreeInput"]),
    );
    expect(JSON.stringify(document.paths["/trees"])).toContain('"#/components/schemas/OpenApiTestTree"');
    await expect(SwaggerParser.validate(structuredClone(document))).resolves.toBeTruthy();
  });

  it("a recursive schema without an id stops the document with a message saying it needs one", async () => {
    const tree: z.ZodType<Tree> = z.object({ name: z.string(), children: z.lazy(() => z.array(tree)) });
    await expect(documentOfRoute(z.object({ trees: z.array(tree) }))).rejects.toThrow(
      /\$ref to nothing: #\/components\/schemas\/schema0 \(at #\/paths\/~1trees\/post\/.*\.meta\(\{ id: "Name" \}\)/,
    );
  });
});
