import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { integrationMappings, integrations } from "../../src/db/schema/index.js";
import { rotateSecretKey } from "../../src/services/config/rotate-secret-key.js";
import { TEST_SECRET_KEY } from "../support/app.js";
import { createEngine, type Engine } from "../support/engine.js";

const WORKFLOWS = `
import { workflow, integrations, z } from "@bifrost/sdk";

export const readIntegration = workflow({
  params: z.object({ name: z.string() }),
  async run({ name }, ctx) {
    const integration = await integrations.get(name);
    if (integration) ctx.log.info("api key " + String(integration.config.apiKey));
    return {
      integration,
      apiKeyReversed: integration ? String(integration.config.apiKey).split("").reverse().join("") : null,
      mappings: await integrations.listMappings(name),
      own: await integrations.getMapping(name),
    };
  },
});

export const manageMapping = workflow({
  params: z.object({ name: z.string(), entityId: z.string() }),
  async run({ name, entityId }) {
    const upserted = await integrations.upsertMapping(name, { entityId, config: { region: "eu" } });
    const deleted = await integrations.deleteMapping(name);
    const deletedAgain = await integrations.deleteMapping(name);
    return { upserted, deleted, deletedAgain };
  },
});
`;

const DEFAULT_KEY = "default-api-key-0123456789";
const ORG_A_KEY = "contoso-api-key-9876543210";

type RunResult = {
  status: string;
  result: Record<string, unknown>;
  executionId: string;
  error: string | null;
};
const reverse = (text: unknown): string => String(text).split("").reverse().join("");

describe("integrations: config, mappings per organization and global", () => {
  let engine: Engine;
  let id: string;

  const run = async (workflowName: string, organizationId: string, inputData: object): Promise<RunResult> => {
    const response = await engine.execute(engine.admin, {
      workflowName,
      inputData,
      organizationId,
      sync: true,
    });
    expect(response.statusCode).toBe(200);
    const body = response.json<RunResult>();
    expect(body.status, JSON.stringify(body)).toBe("Success");
    return body;
  };

  beforeAll(async () => {
    engine = await createEngine();
    await engine.writeWorkflow("integration-flows.ts", WORKFLOWS);
    const created = await engine.admin.request("POST", "/api/integrations", {
      name: "psa",
      description: "A PSA",
      configSchema: [
        { key: "baseUrl", type: "string", required: true },
        { key: "apiKey", type: "string", secret: true },
        { key: "retries", type: "int", default: 3 },
        { key: "region", type: "string" },
      ],
    });
    expect(created.statusCode, created.body).toBe(201);
    id = created.json<{ id: string }>().id;
  }, 60_000);
  afterAll(async () => engine?.close());

  it("defaults and mapping secrets are sealed in the rows and never in REST answers", async () => {
    const defaults = await engine.admin.request("PUT", `/api/integrations/${id}/config`, {
      config: { baseUrl: "https://global.example", apiKey: DEFAULT_KEY },
    });
    expect(defaults.statusCode, defaults.body).toBe(200);
    expect(defaults.json()).toMatchObject({
      defaults: { baseUrl: "https://global.example", apiKey: "[SECRET]" },
    });
    const bad = await engine.admin.request("PUT", `/api/integrations/${id}/config`, {
      config: { retries: "many", unknown: 1 },
    });
    expect(bad.statusCode).toBe(422);

    const own = await engine.admin.request("POST", `/api/integrations/${id}/mappings`, {
      organizationId: engine.orgA.id,
      entityId: "contoso-1",
      entityName: "Contoso",
      config: { baseUrl: "https://contoso.example", apiKey: ORG_A_KEY },
    });
    expect(own.statusCode, own.body).toBe(201);
    const duplicate = await engine.admin.request("POST", `/api/integrations/${id}/mappings`, {
      organizationId: engine.orgA.id,
    });
    expect(duplicate.statusCode).toBe(409);
    const global = await engine.admin.request("POST", `/api/integrations/${id}/mappings/batch`, {
      mappings: [{ entityId: "shared", entityName: "Everyone" }],
    });
    expect(global.statusCode, global.body).toBe(200);

    const answers = [
      await engine.admin.request("GET", `/api/integrations/${id}`),
      await engine.admin.request("GET", "/api/integrations/by-name/psa"),
      await engine.admin.request("GET", "/api/integrations"),
      await engine.admin.request("GET", `/api/integrations/${id}/mappings`),
      await engine.admin.request("GET", `/api/integrations/${id}/mappings/${own.json<{ id: string }>().id}`),
    ];
    for (const answer of answers) {
      expect(answer.statusCode).toBe(200);
      expect(answer.body).not.toContain(DEFAULT_KEY);
      expect(answer.body).not.toContain(ORG_A_KEY);
    }
    expect(answers[4]?.json()).toMatchObject({ entityId: "contoso-1", config: { apiKey: "[SECRET]" } });

    const [row] = await engine.app.database.db.select().from(integrations).where(eq(integrations.id, id));
    expect(String(row?.defaults.apiKey)).toMatch(/^v1\./);
    const mappings = await engine.app.database.db
      .select()
      .from(integrationMappings)
      .where(eq(integrationMappings.integrationId, id));
    expect(JSON.stringify(mappings)).not.toContain(ORG_A_KEY);
    expect(JSON.stringify(row)).not.toContain(DEFAULT_KEY);

    const tested = await engine.admin.request("POST", `/api/integrations/${id}/test`, {
      organizationId: engine.orgA.id,
    });
    expect(tested.json()).toEqual({ ok: true, problems: [] });
  });

  it("organization A reads its own mapping, B falls back to the global one and never sees A's", async () => {
    const a = await run("readIntegration", engine.orgA.id, { name: "psa" });
    expect(a.result.integration).toEqual({
      entityId: "contoso-1",
      entityName: "Contoso",
      config: { baseUrl: "https://contoso.example", apiKey: "[REDACTED]", retries: 3 },
      oauth: null,
    });
    expect(reverse(a.result.apiKeyReversed)).toBe(ORG_A_KEY);
    const logs = await engine.admin.request("GET", `/api/executions/${a.executionId}/logs`);
    expect(logs.body).toContain("api key [REDACTED]");
    expect(logs.body).not.toContain(ORG_A_KEY);

    const b = await run("readIntegration", engine.orgB.id, { name: "psa" });
    expect(b.result.integration).toEqual({
      entityId: "shared",
      entityName: "Everyone",
      config: { baseUrl: "https://global.example", apiKey: "[REDACTED]", retries: 3 },
      oauth: null,
    });
    expect(reverse(b.result.apiKeyReversed)).toBe(DEFAULT_KEY);
    expect(b.result.own).toBeNull();
    expect(b.result.mappings).toEqual([
      { organizationId: null, entityId: "shared", entityName: "Everyone", config: {} },
    ]);
    expect(JSON.stringify(b.result)).not.toContain("contoso");
  });

  it("a run manages only its own organization's mapping", async () => {
    const b = await run("manageMapping", engine.orgB.id, { name: "psa", entityId: "fabrikam-1" });
    expect(b.result).toMatchObject({
      upserted: { organizationId: engine.orgB.id, entityId: "fabrikam-1", config: { region: "eu" } },
      deleted: true,
      deletedAgain: false,
    });
    const listed = await engine.admin.request("GET", `/api/integrations/${id}/mappings`);
    const items = listed.json<{ items: Array<{ organizationId: string | null; entityId: string }> }>().items;
    expect(items.map((m) => [m.organizationId, m.entityId]).sort()).toEqual(
      [
        [engine.orgA.id, "contoso-1"],
        [null, "shared"],
      ].sort(),
    );
  });

  it("no mapping for the organization nor global: get answers null; an unknown integration fails", async () => {
    const created = await engine.admin.request("POST", "/api/integrations", { name: "unmapped" });
    expect(created.statusCode).toBe(201);
    const body = await run("readIntegration", engine.orgB.id, { name: "unmapped" });
    expect(body.result).toMatchObject({ integration: null, mappings: [], own: null });
    const unknown = await engine.execute(engine.admin, {
      workflowName: "readIntegration",
      inputData: { name: "nope" },
      organizationId: engine.orgB.id,
      sync: true,
    });
    expect(unknown.json<RunResult>()).toMatchObject({ status: "Failed" });
    const deleted = await engine.admin.request(
      "DELETE",
      `/api/integrations/${created.json<{ id: string }>().id}`,
    );
    expect(deleted.statusCode).toBe(204);
    expect((await engine.admin.request("GET", "/api/integrations/by-name/unmapped")).statusCode).toBe(404);
  });

  it("rotate-secret-key re-encrypts the secret config values; the runs read the same values after", async () => {
    const db = engine.app.database.db;
    const before = await db.select().from(integrations).where(eq(integrations.id, id));
    const newKey = "another-secret-key-0123456789-abcdefghijklmn";
    const counts = await rotateSecretKey(db, { oldKey: TEST_SECRET_KEY, newKey });
    expect(counts).toMatchObject({ "integration default secrets": 1, "integration mapping secrets": 1 });
    const after = await db.select().from(integrations).where(eq(integrations.id, id));
    expect(after[0]?.defaults.apiKey).not.toBe(before[0]?.defaults.apiKey);
    // Back to the key the engine runs with: the values still open.
    await rotateSecretKey(db, { oldKey: newKey, newKey: TEST_SECRET_KEY });
    const a = await run("readIntegration", engine.orgA.id, { name: "psa" });
    expect(reverse(a.result.apiKeyReversed)).toBe(ORG_A_KEY);
  });
});
