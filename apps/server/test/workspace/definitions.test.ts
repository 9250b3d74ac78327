import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../support/context.js";
import { workflowId, workflowsFile, writeWorkspaceFile } from "./workspace-fixtures.js";

// Writing `.ts` files: compile, discovery in a sandboxed child, and the `workflows` rows that follow.
// Needs the runtime bundle (node scripts/build.mjs; the test global setup builds it).

let ctx: TestContext;

type Workflow = {
  id: string;
  name: string;
  type: string;
  path: string;
  exportName: string;
  isActive: boolean;
  organizationId: string | null;
  accessLevel: string;
  parametersSchema: Record<string, unknown>;
  [key: string]: unknown;
};

const put = (payload: object) => ctx.admin.request("PUT", "/api/files/editor/content", payload);
const getWorkflow = async (id: string): Promise<Workflow> =>
  (await ctx.admin.request("GET", `/api/workflows/${id}`)).json<Workflow>();
const read = async (path: string): Promise<string> =>
  (await ctx.admin.request("GET", `/api/files/editor/content?path=${encodeURIComponent(path)}`)).json<{
    content: string;
  }>().content;

const GREETER = `import { workflow, tool, dataProvider, z } from "@bifrost/sdk";
import { greet } from "../lib/greet";

export const hello = workflow({
  description: "Says hello",
  category: "Demo",
  tags: ["demo"],
  params: z.object({ name: z.string(), times: z.number().int().default(1) }),
  run: ({ name, times }) => greet(name).repeat(times),
});
export const lookup = tool({ name: "lookup-tool", run: () => 1 });
export const choices = dataProvider({ run: () => [{ label: "A", value: "a" }] });
export const notADefinition = 42;
`;

beforeAll(async () => {
  ctx = await createTestContext();
  await writeWorkspaceFile(
    ctx.admin,
    "lib/greet.ts",
    "export const greet = (name: string): string => `hello ${name}`;\n",
  );
});
afterAll(async () => {
  await ctx.close();
});

describe("writing a .ts file", () => {
  it("registers each exported definition, importing another workspace file, as a new global role_based workflow", async () => {
    const written = await writeWorkspaceFile(ctx.admin, "flows/greeter.ts", GREETER);
    expect(written.workflows.map((w) => [w.name, w.type]).sort()).toEqual([
      ["choices", "data_provider"],
      ["hello", "workflow"],
      ["lookup-tool", "tool"],
    ]);
    const hello = await getWorkflow(workflowId(written, "hello"));
    expect(hello).toMatchObject({
      name: "hello",
      description: "Says hello",
      category: "Demo",
      tags: ["demo"],
      path: "flows/greeter.ts",
      exportName: "hello",
      organizationId: null,
      accessLevel: "role_based",
      isActive: true,
      timeoutSeconds: 1800,
      endpointEnabled: false,
      executionMode: "sync",
      allowedMethods: ["POST"],
      cacheTtlSeconds: 300,
      roleIds: [],
    });
    // The input schema: a parameter with a default is optional.
    expect(hello.parametersSchema).toMatchObject({
      type: "object",
      properties: { name: { type: "string" }, times: { type: "integer", default: 1 } },
      required: ["name"],
    });
    expect(await getWorkflow(workflowId(written, "lookup-tool"))).toMatchObject({ exportName: "lookup" });
  });

  it("a syntax error is 422 and the previous version stays, with its workflows active", async () => {
    const before = await writeWorkspaceFile(ctx.admin, "flows/stable.ts", workflowsFile("stable"));
    const broken = await put({
      path: "flows/stable.ts",
      content: `${workflowsFile("stable")}\nexport const x = ;\n`,
    });
    expect(broken.statusCode).toBe(422);
    expect(broken.json()).toMatchObject({ details: { diagnostics: [{ line: 3, severity: "error" }] } });
    expect(await read("flows/stable.ts")).toBe(workflowsFile("stable"));
    expect(await getWorkflow(workflowId(before, "stable"))).toMatchObject({ isActive: true });
  });

  it("a module that throws while loading is 422 with the message as a diagnostic; nothing is saved", async () => {
    const response = await put({
      path: "flows/throws.ts",
      content: `${workflowsFile("fine")}\nthrow new Error("boom at load time");\n`,
    });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({
      details: {
        diagnostics: [{ message: expect.stringContaining("boom at load time") as string, severity: "error" }],
      },
    });
    const list = (await ctx.admin.request("GET", "/api/workflows?limit=1000")).json<{ items: Workflow[] }>();
    expect(list.items.map((w) => w.name)).not.toContain("fine");
  });

  it("a name another file already uses in the same scope is 409 naming that file; twice in one file too", async () => {
    const clash = await put({
      path: "flows/copycat.ts",
      content:
        'import { workflow } from "@bifrost/sdk";\nexport const mine = workflow({ name: "hello", run: () => 1 });\n',
    });
    expect(clash.statusCode).toBe(409);
    expect(clash.json<{ message: string }>().message).toContain("flows/greeter.ts");
    expect(clash.json()).toMatchObject({
      error: "conflict",
      details: { path: "flows/greeter.ts", name: "hello" },
    });

    const twice = await put({
      path: "flows/twice.ts",
      content:
        'import { workflow } from "@bifrost/sdk";\nexport const a = workflow({ name: "same", run: () => 1 });\nexport const b = workflow({ name: "same", run: () => 2 });\n',
    });
    expect(twice.statusCode).toBe(409);
    expect(twice.json<{ message: string }>().message).toContain("flows/twice.ts");
  });

  it("two files racing for one name: one wins, the other is 409", async () => {
    const answers = await Promise.all(
      ["flows/race-1.ts", "flows/race-2.ts"].map((path) => put({ path, content: workflowsFile("racer") })),
    );
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 409]);
  });

  it("names are unique per scope: once a workflow belongs to an organization, a global one may take its name", async () => {
    const first = await writeWorkspaceFile(ctx.admin, "flows/scoped.ts", workflowsFile("report"));
    const id = workflowId(first, "report");
    expect(
      (await ctx.admin.request("PATCH", `/api/workflows/${id}`, { organizationId: ctx.orgA.id })).statusCode,
    ).toBe(200);
    const global = await writeWorkspaceFile(ctx.admin, "flows/global-report.ts", workflowsFile("report"));
    expect((await getWorkflow(workflowId(global, "report"))).organizationId).toBeNull();
    // Rewriting the first file keeps its row in organization A: still no clash.
    const again = await writeWorkspaceFile(
      ctx.admin,
      "flows/scoped.ts",
      `${workflowsFile("report")}\n// edited\n`,
    );
    expect(workflowId(again, "report")).toBe(id);
    expect((await getWorkflow(id)).organizationId).toBe(ctx.orgA.id);
    // Moving it back to global now clashes.
    expect(
      (await ctx.admin.request("PATCH", `/api/workflows/${id}`, { organizationId: null })).statusCode,
    ).toBe(409);
  });

  it("removing an export marks its workflow inactive (the row stays for history); adding it back revives the same row", async () => {
    const both = await writeWorkspaceFile(ctx.admin, "flows/pair.ts", workflowsFile("keepMe", "dropMe"));
    const dropped = workflowId(both, "dropMe");
    const one = await writeWorkspaceFile(ctx.admin, "flows/pair.ts", workflowsFile("keepMe"));
    expect(one.workflows.map((w) => w.name)).toEqual(["keepMe"]);
    expect(await getWorkflow(dropped)).toMatchObject({ name: "dropMe", isActive: false });
    // An inactive workflow does not hold its name.
    await writeWorkspaceFile(ctx.admin, "flows/elsewhere.ts", workflowsFile("dropMe"));
    const back = await put({ path: "flows/pair.ts", content: workflowsFile("keepMe", "dropMe") });
    expect(back.statusCode).toBe(409);
    expect((await ctx.admin.request("DELETE", "/api/files/editor?path=flows/elsewhere.ts")).statusCode).toBe(
      204,
    );
    const revived = await writeWorkspaceFile(ctx.admin, "flows/pair.ts", workflowsFile("keepMe", "dropMe"));
    expect(workflowId(revived, "dropMe")).toBe(dropped);
    expect(await getWorkflow(dropped)).toMatchObject({ isActive: true });
  });

  it("deleting a file deactivates its workflows; renaming one deactivates the old rows and makes new ones", async () => {
    const written = await writeWorkspaceFile(ctx.admin, "flows/moving.ts", workflowsFile("mover"));
    const oldId = workflowId(written, "mover");
    const moved = await ctx.admin.request("POST", "/api/files/editor/rename", {
      from: "flows/moving.ts",
      to: "flows/moved.ts",
    });
    expect(moved.statusCode, moved.body).toBe(200);
    const newId = moved.json<{ workflows: Array<{ id: string; name: string }> }>().workflows[0]?.id ?? "";
    expect(newId).not.toBe(oldId);
    expect(await getWorkflow(oldId)).toMatchObject({ isActive: false, path: "flows/moving.ts" });
    expect(await getWorkflow(newId)).toMatchObject({ isActive: true, path: "flows/moved.ts", name: "mover" });

    expect((await ctx.admin.request("DELETE", "/api/files/editor?path=flows/moved.ts")).statusCode).toBe(204);
    expect(await getWorkflow(newId)).toMatchObject({ isActive: false });
  });

  it("a rename whose imports break at the new place is 422 and changes nothing", async () => {
    await writeWorkspaceFile(
      ctx.admin,
      "flows/importer.ts",
      'import { greet } from "../lib/greet";\nexport const g = greet;\n',
    );
    const moved = await ctx.admin.request("POST", "/api/files/editor/rename", {
      from: "flows/importer.ts",
      to: "deep/er/importer.ts",
    });
    expect(moved.statusCode).toBe(422);
    expect(await read("flows/importer.ts")).toContain("greet");
  });
});

describe("the workspace version", () => {
  it("changes with every write and delete, and the compiled snapshot carries the same version", async () => {
    const workspace = ctx.app.services.workspace;
    const v1 = await workspace.getVersion();
    expect(await workspace.getVersion()).toBe(v1);
    await writeWorkspaceFile(ctx.admin, "notes/readme.md", "hello");
    const v2 = await workspace.getVersion();
    expect(v2).not.toBe(v1);
    const snapshot = await workspace.compiledSnapshot();
    expect(snapshot.version).toBe(v2);
    expect(snapshot.files.map((f) => f.path)).toContain("flows/greeter.ts");
    expect(snapshot.files.map((f) => f.path)).not.toContain("notes/readme.md");
    expect((await workspace.compiledFiles()).length).toBe(snapshot.files.length);
    await ctx.admin.request("DELETE", "/api/files/editor?path=notes/readme.md");
    expect(await workspace.getVersion()).toBe(v1);
  });
});
