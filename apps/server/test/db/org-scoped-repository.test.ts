import { sql } from "drizzle-orm";
import { pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OrgScopedRepository } from "../../src/repositories/org-scoped.js";
import { createTestContext, type TestContext } from "../support/context.js";
import { type Caller } from "../../src/principal.js";

// A scoped entity of the test's own, shaped like the real ones to come (workflows, forms, tables).
const things = pgTable("scoped_things", {
  id: uuid("id").primaryKey().defaultRandom(),
  organizationId: uuid("organization_id"),
  name: text("name").notNull(),
  accessLevel: text("access_level").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
const thingRoles = pgTable(
  "scoped_thing_roles",
  { thingId: uuid("thing_id").notNull(), roleId: uuid("role_id").notNull() },
  (t) => [primaryKey({ columns: [t.thingId, t.roleId] })],
);

let ctx: TestContext;
let repository: OrgScopedRepository<typeof things>;
const ids: Record<string, string> = {};
let admin: Caller;
let techA: Caller; // organization A, holds the role
let clerkA: Caller; // organization A, no role
let techB: Caller; // organization B, holds the role

beforeAll(async () => {
  ctx = await createTestContext();
  const db = ctx.app.database.db;
  await db.execute(sql`create table scoped_things (id uuid primary key default gen_random_uuid(), organization_id uuid,
    name text not null, access_level text not null, created_at timestamptz not null default now())`);
  await db.execute(
    sql`create table scoped_thing_roles (thing_id uuid not null, role_id uuid not null, primary key (thing_id, role_id))`,
  );
  repository = new OrgScopedRepository(
    db,
    things,
    {
      id: things.id,
      organizationId: things.organizationId,
      createdAt: things.createdAt,
      name: things.name,
      accessLevel: things.accessLevel,
    },
    { table: thingRoles, entityId: thingRoles.thingId, roleId: thingRoles.roleId },
  );
  const add = async (key: string, organizationId: string | null, name: string, accessLevel: string) => {
    const [row] = await db.insert(things).values({ organizationId, name, accessLevel }).returning();
    ids[key] = row?.id ?? "";
  };
  await add("globalOpen", null, "report", "authenticated");
  await add("globalRoleBased", null, "billing", "role_based");
  await add("aOpen", ctx.orgA.id, "report", "authenticated");
  await add("aRoleBased", ctx.orgA.id, "payroll", "role_based");
  await add("bOpen", ctx.orgB.id, "inventory", "authenticated");
  await db.insert(thingRoles).values([
    { thingId: ids.globalRoleBased ?? "", roleId: ctx.roleId },
    { thingId: ids.aRoleBased ?? "", roleId: ctx.roleId },
  ]);
  const caller = (userId: string, organizationId: string, isSuperuser = false): Caller => ({
    userId,
    organizationId,
    isSuperuser,
  });
  admin = caller(ctx.admin.userId, "00000000-0000-0000-0000-000000000002", true);
  techA = caller(ctx.orgA.withRole.userId, ctx.orgA.id);
  clerkA = caller(ctx.orgA.withoutRole.userId, ctx.orgA.id);
  techB = caller(ctx.orgB.withRole.userId, ctx.orgB.id);
});
afterAll(async () => {
  await ctx.close();
});

const listed = async (caller: Caller, scope?: string): Promise<string[]> =>
  (await repository.list(caller, { limit: 100, scope })).items.map((row) => row.id).sort();
const named = (...keys: string[]): string[] => keys.map((k) => ids[k] ?? "").sort();

describe("OrgScopedRepository", () => {
  it("lists the caller's organization plus global rows, role_based ones only with a shared role", async () => {
    expect(await listed(techA)).toEqual(named("globalOpen", "globalRoleBased", "aOpen", "aRoleBased"));
    expect(await listed(clerkA)).toEqual(named("globalOpen", "aOpen"));
    expect(await listed(techB)).toEqual(named("globalOpen", "globalRoleBased", "bOpen"));
  });

  it("an id of another organization, or of a role_based row without the role, is not found", async () => {
    expect(await repository.findById(techA, ids.bOpen ?? "")).toBeUndefined();
    expect(await repository.findById(clerkA, ids.aRoleBased ?? "")).toBeUndefined();
    expect(await repository.findById(techB, ids.aOpen ?? "")).toBeUndefined();
    expect((await repository.findById(techA, ids.aRoleBased ?? ""))?.name).toBe("payroll");
    expect((await repository.findById(techB, ids.globalOpen ?? ""))?.name).toBe("report");
  });

  it("a name resolves in the caller's organization first, then globally", async () => {
    expect((await repository.findByName(techA, "report"))?.id).toBe(ids.aOpen);
    expect((await repository.findByName(techB, "report"))?.id).toBe(ids.globalOpen);
    expect(await repository.findByName(techB, "payroll")).toBeUndefined();
    expect(await repository.findByName(clerkA, "billing")).toBeUndefined();
  });

  it("platform admins see every organization, skip role checks, and can narrow with a scope", async () => {
    expect(await listed(admin)).toEqual(
      named("globalOpen", "globalRoleBased", "aOpen", "aRoleBased", "bOpen"),
    );
    expect(await listed(admin, "global")).toEqual(named("globalOpen", "globalRoleBased"));
    expect(await listed(admin, ctx.orgB.id)).toEqual(named("bOpen"));
    // An organization user's scope filter is ignored: they never see beyond their own.
    expect(await listed(clerkA, ctx.orgB.id)).toEqual(named("globalOpen", "aOpen"));
    expect((await repository.findById(admin, ids.bOpen ?? ""))?.name).toBe("inventory");
  });
});
