import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configs, users } from "../../src/db/schema/index.js";
import { SecretBox } from "../../src/infra/crypto/secret-box.js";
import { CONFIG_SECRET_PURPOSE } from "../../src/services/config/config-service.js";
import { rotateSecretKey } from "../../src/services/config/rotate-secret-key.js";
import { TEST_SECRET_KEY } from "../support/app.js";
import { createTestContext, type TestContext } from "../support/context.js";

type Entry = { id: string; key: string; value: unknown; type: string; organizationId: string | null };

const CLEAR = "very-secret-password-42";

describe("config REST (platform admin)", () => {
  let ctx: TestContext;
  const create = (body: object) => ctx.admin.request("POST", "/api/config", body);
  const rowOf = async (id: string) =>
    (await ctx.app.database.db.select().from(configs).where(eq(configs.id, id)))[0];

  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(async () => ctx?.close());

  it("creates, lists, updates and deletes entries of each type", async () => {
    const made = await create({ key: "retries", value: 3, type: "int", description: "how often" });
    expect(made.statusCode).toBe(201);
    const entry = made.json<Entry>();
    expect(entry).toMatchObject({ key: "retries", value: 3, type: "int", organizationId: null });
    for (const [key, value, type] of [
      ["enabled", true, "bool"],
      ["settings", { a: [1, "x"], b: null }, "json"],
      ["name", "Contoso", "string"],
    ] as const) {
      const response = await create({ key, value, type, organizationId: ctx.orgA.id });
      expect(response.statusCode, response.body).toBe(201);
      expect(response.json()).toMatchObject({ key, value, type, organizationId: ctx.orgA.id });
    }

    const all = (await ctx.admin.request("GET", "/api/config")).json<{ items: Entry[]; nextCursor: null }>();
    expect(all.items.map((e) => e.key).sort()).toEqual(["enabled", "name", "retries", "settings"]);
    const global = (await ctx.admin.request("GET", "/api/config?scope=global")).json<{ items: Entry[] }>();
    expect(global.items.map((e) => e.key)).toEqual(["retries"]);
    const ofA = (await ctx.admin.request("GET", `/api/config?scope=${ctx.orgA.id}`)).json<{
      items: Entry[];
    }>();
    expect(ofA.items).toHaveLength(3);
    const page = await ctx.admin.request("GET", "/api/config?limit=2");
    expect(page.json<{ nextCursor: string | null }>().nextCursor).not.toBeNull();

    const updated = await ctx.admin.request("PUT", `/api/config/${entry.id}`, {
      value: 5,
      description: null,
    });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({ value: 5, description: null, type: "int" });
    const retyped = await ctx.admin.request("PUT", `/api/config/${entry.id}`, { type: "json" });
    expect(retyped.json()).toMatchObject({ value: 5, type: "json" });

    expect((await ctx.admin.request("DELETE", `/api/config/${entry.id}`)).statusCode).toBe(204);
    expect((await ctx.admin.request("DELETE", `/api/config/${entry.id}`)).statusCode).toBe(404);
    expect((await ctx.admin.request("PUT", `/api/config/${entry.id}`, { value: 1 })).statusCode).toBe(404);
  });

  it("a value that does not fit its type is a 422 naming body.value", async () => {
    for (const [value, type] of [
      ["3", "int"],
      [1.5, "int"],
      ["true", "bool"],
      [42, "string"],
      [{ token: "x" }, "secret"],
    ] as const) {
      const response = await create({ key: `bad-${type}`, value, type });
      expect(response.statusCode, `${type} ${JSON.stringify(value)}`).toBe(422);
      expect(response.json()).toMatchObject({
        error: "validation_error",
        details: { fields: [expect.objectContaining({ path: "body.value" })] },
      });
    }
    expect((await create({ key: "missing", type: "json" })).statusCode).toBe(422);
    expect((await create({ key: "t", value: 1, type: "float" })).statusCode).toBe(422);
    expect((await create({ key: "has space", value: "x", type: "string" })).statusCode).toBe(422);
    const unknownOrg = await create({
      key: "orphan",
      value: "x",
      type: "string",
      organizationId: "00000000-0000-4000-8000-0000000000cc",
    });
    expect(unknownOrg.statusCode).toBe(422);

    const made = (await create({ key: "count", value: 1, type: "int" })).json<Entry>();
    expect((await ctx.admin.request("PUT", `/api/config/${made.id}`, { value: "two" })).statusCode).toBe(422);
    expect((await ctx.admin.request("PUT", `/api/config/${made.id}`, { type: "bool" })).statusCode).toBe(422);
  });

  it("a key taken in a scope is a 409; the same key in another scope is fine", async () => {
    expect((await create({ key: "dup", value: "a", type: "string" })).statusCode).toBe(201);
    const again = await create({ key: "dup", value: "b", type: "string" });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: "conflict" });
    expect(
      (await create({ key: "dup", value: "c", type: "string", organizationId: ctx.orgB.id })).statusCode,
    ).toBe(201);
    expect(
      (await create({ key: "dup", value: "d", type: "string", organizationId: ctx.orgB.id })).statusCode,
    ).toBe(409);
  });

  it("secrets are sealed in the row, shown as [SECRET], and never written to the audit log", async () => {
    const made = await create({
      key: "psa-password",
      value: CLEAR,
      type: "secret",
      organizationId: ctx.orgB.id,
    });
    expect(made.statusCode).toBe(201);
    const entry = made.json<Entry>();
    expect(entry.value).toBe("[SECRET]");
    expect(made.body).not.toContain(CLEAR);

    const row = await rowOf(entry.id);
    expect(row?.value).toBeNull();
    expect(row?.secretSealed).toMatch(/^v1\./);
    expect(JSON.stringify(row)).not.toContain(CLEAR);
    expect(new SecretBox(TEST_SECRET_KEY).open(row?.secretSealed ?? "", CONFIG_SECRET_PURPOSE)).toBe(CLEAR);

    const listed = await ctx.admin.request("GET", "/api/config?limit=1000");
    expect(listed.body).not.toContain(CLEAR);
    expect(listed.json<{ items: Entry[] }>().items.find((e) => e.id === entry.id)?.value).toBe("[SECRET]");

    const updated = await ctx.admin.request("PUT", `/api/config/${entry.id}`, { value: `${CLEAR}-2` });
    expect(updated.json()).toMatchObject({ value: "[SECRET]" });
    expect(updated.body).not.toContain(CLEAR);
    // Turning a secret into a plain value needs the new value: the old one is never shown in clear.
    const plain = await ctx.admin.request("PUT", `/api/config/${entry.id}`, { type: "string" });
    expect(plain.statusCode).toBe(422);
    // A plain string turned into a secret gets sealed.
    const token = (await create({ key: "token", value: `${CLEAR}-3`, type: "string" })).json<Entry>();
    const sealed = await ctx.admin.request("PUT", `/api/config/${token.id}`, { type: "secret" });
    expect(sealed.json()).toMatchObject({ value: "[SECRET]", type: "secret" });
    expect(JSON.stringify(await rowOf(token.id))).not.toContain(CLEAR);

    expect((await ctx.admin.request("DELETE", `/api/config/${entry.id}`)).statusCode).toBe(204);
    const audit = await ctx.admin.request("GET", "/api/audit?limit=1000");
    const actions = audit
      .json<{
        items: Array<{ action: string; resourceId: string | null; details: Record<string, unknown> }>;
      }>()
      .items.filter((e) => e.resourceId === entry.id);
    expect(actions.map((e) => e.action).sort()).toEqual(["config.create", "config.delete", "config.update"]);
    expect(actions[0]?.details).toMatchObject({ key: "psa-password", type: "secret" });
    expect(audit.body).not.toContain(CLEAR);
  });

  it("key rotation re-encrypts config secrets and MFA seeds in one go; a value the old key cannot open stops it", async () => {
    const oldBox = new SecretBox(TEST_SECRET_KEY);
    const newKey = "another-root-key-for-rotation-0123456789";
    const secret = (await create({ key: "rotated", value: CLEAR, type: "secret" })).json<Entry>();
    const db = ctx.app.database.db;
    await db
      .update(users)
      .set({ mfaSecretSealed: oldBox.seal("JBSWY3DPEHPK3PXP", "mfa-totp") })
      .where(eq(users.id, ctx.orgA.withRole.userId));

    // A value sealed under some other key aborts the whole rotation: nothing changes.
    const stray = (await create({ key: "stray", value: "x", type: "string" })).json<Entry>();
    await db
      .update(configs)
      .set({
        type: "secret",
        value: null,
        secretSealed: new SecretBox(newKey).seal("x", CONFIG_SECRET_PURPOSE),
      })
      .where(eq(configs.id, stray.id));
    const before = (await rowOf(secret.id))?.secretSealed;
    await expect(rotateSecretKey(db, { oldKey: TEST_SECRET_KEY, newKey })).rejects.toThrow(
      /nothing was changed/,
    );
    expect((await rowOf(secret.id))?.secretSealed).toBe(before);
    await db.delete(configs).where(eq(configs.id, stray.id));

    const counts = await rotateSecretKey(db, { oldKey: TEST_SECRET_KEY, newKey });
    // "token" (made a secret above) and "rotated".
    expect(counts).toMatchObject({ "config secrets": 2, "MFA seeds": 1 });
    const newBox = new SecretBox(newKey);
    expect(newBox.open((await rowOf(secret.id))?.secretSealed ?? "", CONFIG_SECRET_PURPOSE)).toBe(CLEAR);
    const [user] = await db.select().from(users).where(eq(users.id, ctx.orgA.withRole.userId));
    expect(newBox.open(user?.mfaSecretSealed ?? "", "mfa-totp")).toBe("JBSWY3DPEHPK3PXP");
    expect(() => oldBox.open(user?.mfaSecretSealed ?? "", "mfa-totp")).toThrow();
    await expect(rotateSecretKey(db, { oldKey: newKey, newKey })).rejects.toThrow(/key in use/);
  });
});
