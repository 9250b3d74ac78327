import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OrganizationsRepository } from "../../src/repositories/organizations.js";
import { WorkflowsRepository } from "../../src/repositories/workflows.js";
import { RunnableWorkflows } from "../../src/services/workflows/runnable-workflows.js";
import { createTestContext, expectAccessMatrix, type Client, type TestContext } from "../support/context.js";
import { workflowId, workflowsFile, writeWorkspaceFile } from "../workspace/workspace-fixtures.js";
import { type Caller } from "../../src/principal.js";

// The registry: who sees which workflow (DESIGN.md §4) and the settings platform admins change.

let ctx: TestContext;
const ids: Record<string, string> = {};
const UNKNOWN = "00000000-0000-4000-8000-0000000000cc";

type Workflow = { id: string; name: string; isActive: boolean; roleIds: string[]; [key: string]: unknown };
type Page = { items: Workflow[]; nextCursor: string | null };

const id = (name: string): string => ids[name] ?? "";
const listNames = async (client: Client, query = ""): Promise<string[]> => {
  const response = await client.request("GET", `/api/workflows?limit=1000${query}`);
  expect(response.statusCode, response.body).toBe(200);
  return response
    .json<Page>()
    .items.map((w) => w.name)
    .sort();
};
const patch = (name: string, payload: object) =>
  ctx.admin.request("PATCH", `/api/workflows/${id(name)}`, payload);
const callerOf = (client: Client, organizationId: string, isSuperuser = false): Caller => ({
  userId: client.userId,
  organizationId,
  isSuperuser,
});

beforeAll(async () => {
  ctx = await createTestContext();
  const names = ["openGlobal", "roleGlobal", "lockedGlobal", "openA", "roleA", "openB", "retired"];
  const written = await writeWorkspaceFile(ctx.admin, "flows/registry.ts", workflowsFile(...names));
  for (const name of names) ids[name] = workflowId(written, name);
  const settings: Record<string, object> = {
    openGlobal: { accessLevel: "authenticated" },
    roleGlobal: { roleIds: [ctx.roleId] },
    openA: { accessLevel: "authenticated", organizationId: ctx.orgA.id },
    roleA: { organizationId: ctx.orgA.id, roleIds: [ctx.roleId] },
    openB: { accessLevel: "authenticated", organizationId: ctx.orgB.id },
    retired: { accessLevel: "authenticated" },
  };
  for (const [name, payload] of Object.entries(settings))
    expect((await patch(name, payload)).statusCode).toBe(200);
  // `retired` leaves the file: inactive from now on.
  await writeWorkspaceFile(
    ctx.admin,
    "flows/registry.ts",
    workflowsFile(...names.filter((n) => n !== "retired")),
  );
});
afterAll(async () => {
  await ctx.close();
});

describe("who sees which workflow", () => {
  it("an organization user lists the active workflows of their organization and global ones, role_based only with the role", async () => {
    expect(await listNames(ctx.orgA.withRole)).toEqual(["openA", "openGlobal", "roleA", "roleGlobal"]);
    expect(await listNames(ctx.orgA.withoutRole)).toEqual(["openA", "openGlobal"]);
    expect(await listNames(ctx.orgB.withRole)).toEqual(["openB", "openGlobal", "roleGlobal"]);
    expect(await listNames(ctx.orgA.withoutRole, "&type=workflow")).toEqual(["openA", "openGlobal"]);
    expect(await listNames(ctx.orgA.withoutRole, "&type=tool")).toEqual([]);
    // A scope filter does not widen an organization user's list.
    expect(await listNames(ctx.orgA.withRole, `&scope=${ctx.orgB.id}&isActive=false`)).toEqual([
      "openA",
      "openGlobal",
      "roleA",
      "roleGlobal",
    ]);
  });

  it("another organization's workflow, a role_based one without the role, or an inactive one is 404 by id", async () => {
    await expectAccessMatrix(
      ctx,
      { method: "GET", url: `/api/workflows/${id("roleA")}` },
      { allowed: ctx.orgA.withRole, hidden: [ctx.orgA.withoutRole, ctx.orgB.withRole] },
    );
    await expectAccessMatrix(
      ctx,
      { method: "GET", url: `/api/workflows/${id("openB")}` },
      { allowed: ctx.orgB.withoutRole, hidden: [ctx.orgA.withRole] },
    );
    expect((await ctx.orgA.withRole.request("GET", `/api/workflows/${id("retired")}`)).statusCode).toBe(404);
    expect((await ctx.admin.request("GET", `/api/workflows/${id("retired")}`)).json()).toMatchObject({
      isActive: false,
    });
    expect((await ctx.admin.request("GET", `/api/workflows/${UNKNOWN}`)).statusCode).toBe(404);
  });

  it("platform admins see every workflow, inactive ones too, and filter by scope, type and isActive", async () => {
    const all = ["lockedGlobal", "openA", "openB", "openGlobal", "retired", "roleA", "roleGlobal"];
    expect(await listNames(ctx.admin)).toEqual(expect.arrayContaining(all));
    expect(await listNames(ctx.admin, "&scope=global")).toEqual(
      expect.arrayContaining(["lockedGlobal", "openGlobal", "retired", "roleGlobal"]),
    );
    expect(await listNames(ctx.admin, `&scope=${ctx.orgA.id}`)).toEqual(["openA", "roleA"]);
    expect(await listNames(ctx.admin, "&isActive=false")).toEqual(["retired"]);
    expect(await listNames(ctx.admin, "&type=tool")).toEqual([]);
    expect((await ctx.admin.request("GET", "/api/workflows?type=nonsense")).statusCode).toBe(422);
    expect((await ctx.admin.request("GET", "/api/workflows?isActive=maybe")).statusCode).toBe(422);
  });

  it("lists page with a cursor", async () => {
    const first = (await ctx.admin.request("GET", "/api/workflows?limit=3")).json<Page>();
    expect(first.items).toHaveLength(3);
    expect(first.nextCursor).not.toBeNull();
    const rest = (
      await ctx.admin.request("GET", `/api/workflows?limit=1000&cursor=${first.nextCursor ?? ""}`)
    ).json<Page>();
    const seen = [...first.items, ...rest.items].map((w) => w.id);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(Object.values(ids)));
  });
});

describe("running rights (the runnable-workflow service)", () => {
  const runnable = () =>
    new RunnableWorkflows({
      workflows: new WorkflowsRepository(ctx.app.database.db),
      organizations: new OrganizationsRepository(ctx.app.database.db),
    });

  it("an organization user may run what they see, by id or name; anything else is not found", async () => {
    const workflows = runnable();
    const techA = callerOf(ctx.orgA.withRole, ctx.orgA.id);
    const clerkA = callerOf(ctx.orgA.withoutRole, ctx.orgA.id);
    expect((await workflows.find(techA, { name: "roleA" }))?.id).toBe(id("roleA"));
    expect((await workflows.find(techA, { id: id("openGlobal") }))?.name).toBe("openGlobal");
    expect((await workflows.find(clerkA, { id: id("openA") }))?.name).toBe("openA");
    for (const [caller, ref] of [
      [clerkA, { name: "roleA" }],
      [clerkA, { id: id("roleA") }],
      [clerkA, { id: id("roleGlobal") }],
      [techA, { name: "openB" }],
      [techA, { id: id("openB") }],
      [techA, { name: "retired" }],
      [techA, { name: "no-such-workflow" }],
    ] as const) {
      expect(await workflows.find(caller, ref), JSON.stringify(ref)).toBeUndefined();
    }
  });

  it("a platform admin may run any active workflow; a name resolves in the organization the run is for", async () => {
    const workflows = runnable();
    const admin = callerOf(ctx.admin, "00000000-0000-0000-0000-000000000002", true);
    expect((await workflows.find(admin, { id: id("openB") }))?.name).toBe("openB");
    expect((await workflows.find({ ...admin, organizationId: ctx.orgB.id }, { name: "openB" }))?.id).toBe(
      id("openB"),
    );
    expect(await workflows.find(admin, { name: "openB" })).toBeUndefined();
    expect(await workflows.find(admin, { id: id("retired") })).toBeUndefined();
  });

  it("a trigger (schedule, webhook, form, subscription) names global workflows or its organization's own, never another's", async () => {
    const workflows = runnable();
    // Organization A's trigger: A's and global workflows, whatever their roles (the trigger's rule decides who uses it).
    for (const name of ["openA", "roleA", "openGlobal", "roleGlobal", "lockedGlobal"])
      expect((await workflows.forTrigger(ctx.orgA.id, id(name)))?.name, name).toBe(name);
    // An attacker with a trigger in A naming B's workflow by its id, or an unknown id: nothing. A global trigger (a global form) names global workflows only.
    for (const [organizationId, ref] of [
      [ctx.orgA.id, id("openB")],
      [ctx.orgA.id, UNKNOWN],
      [null, id("openA")],
      [null, id("openB")],
    ] as const) {
      expect(await workflows.forTrigger(organizationId, ref), `${organizationId} → ${ref}`).toBeUndefined();
    }
    // An inactive workflow cannot be started; a subscription may still name it (active: false).
    expect(await workflows.forTrigger(ctx.orgA.id, id("retired"))).toBeUndefined();
    expect((await workflows.forTrigger(ctx.orgA.id, id("retired"), { active: false }))?.name).toBe("retired");
    expect(await workflows.forTrigger(ctx.orgA.id, id("openB"), { active: false })).toBeUndefined();
    // Platform admins' routes (schedules, keys) look up any workflow, inactive included.
    expect((await workflows.byId(id("openB")))?.name).toBe("openB");
    expect((await workflows.byId(id("retired")))?.isActive).toBe(false);
    expect(await workflows.byId(UNKNOWN)).toBeUndefined();
  });

  it("the organization of a run: the one requested (existing, the workflow's own), else the workflow's, else the fallback", async () => {
    const workflows = runnable();
    const fallback = "00000000-0000-0000-0000-000000000002";
    expect(await workflows.organizationFor({ organizationId: null }, undefined, fallback)).toBe(fallback);
    expect(await workflows.organizationFor({ organizationId: ctx.orgA.id }, undefined, fallback)).toBe(
      ctx.orgA.id,
    );
    expect(await workflows.organizationFor({ organizationId: null }, ctx.orgB.id, fallback)).toBe(
      ctx.orgB.id,
    );
    await expect(
      workflows.organizationFor({ organizationId: ctx.orgA.id }, ctx.orgB.id, fallback),
    ).rejects.toThrow("The workflow belongs to another organization");
    await expect(
      workflows.organizationFor({ organizationId: null }, "00000000-0000-4000-8000-0000000000ff", fallback),
    ).rejects.toThrow("Unknown organization");
  });
});

describe("PATCH /api/workflows/{id}", () => {
  it("changes the settings, replaces the roles and is audited", async () => {
    const response = await patch("lockedGlobal", {
      timeoutSeconds: 0,
      accessLevel: "authenticated",
      roleIds: [ctx.roleId],
      endpointEnabled: true,
      executionMode: "async",
      allowedMethods: ["GET", "POST"],
      cacheTtlSeconds: 60,
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      timeoutSeconds: 0,
      accessLevel: "authenticated",
      roleIds: [ctx.roleId],
      endpointEnabled: true,
      executionMode: "async",
      allowedMethods: ["GET", "POST"],
      cacheTtlSeconds: 60,
    });
    expect((await patch("lockedGlobal", { roleIds: [] })).json()).toMatchObject({
      roleIds: [],
      cacheTtlSeconds: 60,
    });
    // A retry policy: the delays take their defaults; null removes it.
    expect(
      (await patch("lockedGlobal", { retryPolicy: { retries: 2, retryOn: ["Timeout"] } })).json(),
    ).toMatchObject({
      retryPolicy: {
        retries: 2,
        initialDelaySeconds: 1,
        backoffMultiplier: 2,
        maxDelaySeconds: 3600,
        retryOn: ["Timeout"],
      },
    });
    expect((await patch("lockedGlobal", { retryPolicy: null })).json()).toMatchObject({ retryPolicy: null });
    const audit = (await ctx.admin.request("GET", "/api/audit?limit=1000")).json<{
      items: Array<{ action: string; resourceId: string; details: Record<string, unknown> }>;
    }>();
    expect(
      audit.items.find((e) => e.action === "workflow.update" && e.resourceId === id("lockedGlobal")),
    ).toMatchObject({
      details: { outcome: "success", name: "lockedGlobal", changed: ["retryPolicy"] },
    });
  });

  it("refuses out-of-range numbers, bad methods, unknown roles and organizations with 422", async () => {
    const invalid: Array<[object, string]> = [
      [{ timeoutSeconds: -1 }, "body.timeoutSeconds"],
      [{ timeoutSeconds: 86_401 }, "body.timeoutSeconds"],
      [{ cacheTtlSeconds: 1.5 }, "body.cacheTtlSeconds"],
      [{ accessLevel: "public" }, "body.accessLevel"],
      [{ executionMode: "later" }, "body.executionMode"],
      [{ allowedMethods: [] }, "body.allowedMethods"],
      [{ allowedMethods: ["GET", "TRACE"] }, "body.allowedMethods.1"],
      [{ allowedMethods: ["GET", "GET"] }, "body.allowedMethods"],
      [{ roleIds: [UNKNOWN] }, "body.roleIds"],
      [{ organizationId: UNKNOWN }, "body.organizationId"],
      [{ organizationId: "not-a-uuid" }, "body.organizationId"],
      [{ retryPolicy: { retries: -1 } }, "body.retryPolicy.retries"],
      [{ retryPolicy: { retries: 26 } }, "body.retryPolicy.retries"],
      [{ retryPolicy: { retries: 1.5 } }, "body.retryPolicy.retries"],
      [{ retryPolicy: { initialDelaySeconds: 1 } }, "body.retryPolicy.retries"],
      [{ retryPolicy: { retries: 2, backoffMultiplier: 0.5 } }, "body.retryPolicy.backoffMultiplier"],
      [{ retryPolicy: { retries: 2, maxDelaySeconds: 86_401 } }, "body.retryPolicy.maxDelaySeconds"],
      [{ retryPolicy: { retries: 2, retryOn: ["Timeout", "Timeout"] } }, "body.retryPolicy.retryOn"],
      [{ retryPolicy: { retries: 2, retryOn: [""] } }, "body.retryPolicy.retryOn.0"],
      [{ retryPolicy: "always" }, "body.retryPolicy"],
    ];
    for (const [payload, field] of invalid) {
      const response = await patch("openGlobal", payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(422);
      expect(response.json(), JSON.stringify(payload)).toMatchObject({
        details: { fields: [{ path: field }] },
      });
    }
    expect(
      (await ctx.admin.request("PATCH", `/api/workflows/${UNKNOWN}`, { timeoutSeconds: 5 })).statusCode,
    ).toBe(404);
    expect((await ctx.admin.request("GET", `/api/workflows/${id("openGlobal")}`)).json()).toMatchObject({
      timeoutSeconds: 1800,
      accessLevel: "authenticated",
    });
  });

  it("is for platform admins only", async () => {
    await expectAccessMatrix(
      ctx,
      { method: "PATCH", url: `/api/workflows/${id("openA")}`, payload: { timeoutSeconds: 60 } },
      { adminOnly: true },
    );
  });
});
