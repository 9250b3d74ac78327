import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configs } from "../../src/db/schema/index.js";
import { TEST_SECRET_KEY } from "../support/app.js";
import { createEngine, type Engine } from "../support/engine.js";
import { eventually, freePort, startServer, type ServerProcess } from "../support/server-process.js";

const WORKFLOWS = `
import { workflow, config, z } from "@bifrost/sdk";

export const storeSecret = workflow({
  params: z.object({ key: z.string(), value: z.string() }),
  async run({ key, value }, ctx) {
    await config.set(key, value, { secret: true });
    const read = await config.get(key);
    ctx.log.info("the secret is " + String(read));
    return { read };
  },
});

export const checkSecret = workflow({
  params: z.object({ key: z.string(), expected: z.string() }),
  async run({ key, expected }) {
    const read = await config.get(key);
    return { same: read === expected };
  },
});

export const readKey = workflow({
  params: z.object({ key: z.string() }),
  async run({ key }) {
    return { value: await config.get(key, "none"), list: await config.list() };
  },
});

export const probe = workflow({
  params: z.object({ key: z.string() }),
  async run({ key }) {
    const got = await config.get(key, "not found");
    const list = await config.list();
    const deleted = await config.delete(key);
    return { got, list, deleted };
  },
});

export const overwrite = workflow({
  params: z.object({ key: z.string(), value: z.string() }),
  async run({ key, value }) {
    return await config.set(key, value);
  },
});
`;

const SECRET = "sk-live-0123456789abcdef";
const NEW_KEY = "the-rotated-secret-key-0123456789-abcdefghij";
const PASSWORD = "a test user's passphrase";

type RunResult = { status: string; result: Record<string, unknown>; executionId: string };

describe("config and secrets inside runs", () => {
  let engine: Engine;

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
    await engine.writeWorkflow("config-flows.ts", WORKFLOWS);
  }, 60_000);
  afterAll(async () => engine?.close());

  it("a secret set and read by a run is redacted in its log and result, sealed in the row, masked in REST", async () => {
    const body = await run("storeSecret", engine.orgA.id, { key: "apiToken", value: SECRET });
    expect(body.result).toEqual({ read: "[REDACTED]" });

    const logs = await engine.admin.request("GET", `/api/executions/${body.executionId}/logs`);
    const messages = logs.json<{ items: Array<{ message: string }> }>().items.map((l) => l.message);
    expect(messages).toContain("the secret is [REDACTED]");
    expect(logs.body).not.toContain(SECRET);

    const [row] = await engine.app.database.db.select().from(configs).where(eq(configs.key, "apiToken"));
    expect(row).toMatchObject({ type: "secret", value: null, organizationId: engine.orgA.id });
    expect(row?.secretSealed).toMatch(/^v1\./);
    expect(JSON.stringify(row)).not.toContain(SECRET);

    const listed = await engine.admin.request("GET", `/api/config?scope=${engine.orgA.id}`);
    expect(listed.json<{ items: unknown[] }>().items).toContainEqual(
      expect.objectContaining({ key: "apiToken", value: "[SECRET]", type: "secret" }),
    );
    expect(listed.body).not.toContain(SECRET);

    const audit = await engine.admin.request("GET", "/api/audit?limit=1000");
    expect(audit.body).toContain("config.create");
    expect(audit.body).not.toContain(SECRET);

    const checked = await run("checkSecret", engine.orgA.id, { key: "apiToken", expected: SECRET });
    expect(checked.result).toEqual({ same: true });
  });

  it("cascade: organization A sees its own value, B the global one; B reaches none of A's by any SDK call", async () => {
    const global = await engine.admin.request("POST", "/api/config", {
      key: "region",
      value: "global-value",
      type: "string",
    });
    expect(global.statusCode).toBe(201);
    const own = await engine.admin.request("POST", "/api/config", {
      key: "region",
      value: "contoso-value",
      type: "string",
      organizationId: engine.orgA.id,
    });
    expect(own.statusCode).toBe(201);

    expect((await run("readKey", engine.orgA.id, { key: "region" })).result).toMatchObject({
      value: "contoso-value",
    });
    const seenByB = await run("readKey", engine.orgB.id, { key: "region" });
    expect(seenByB.result).toMatchObject({ value: "global-value" });
    expect(JSON.stringify(seenByB.result)).not.toContain("contoso-value");

    // get, list and delete from B: A's secret and A's override stay out of reach and untouched.
    const probed = await run("probe", engine.orgB.id, { key: "apiToken" });
    expect(probed.result).toMatchObject({ got: "not found", deleted: false });
    expect(JSON.stringify(probed.result)).not.toContain("apiToken");
    expect((await run("probe", engine.orgB.id, { key: "region" })).result).toMatchObject({
      got: "global-value",
      deleted: false,
    });

    // B writing the same key makes B's own entry; A's and the global one are left as they were.
    const written = await run("overwrite", engine.orgB.id, { key: "region", value: "fabrikam-value" });
    expect(written.result).toEqual({
      key: "region",
      value: "fabrikam-value",
      type: "string",
      scope: "organization",
    });
    expect((await run("readKey", engine.orgA.id, { key: "region" })).result).toMatchObject({
      value: "contoso-value",
    });
    const rows = await engine.app.database.db.select().from(configs).where(eq(configs.key, "region"));
    expect(rows.map((r) => [r.organizationId, r.value]).sort()).toEqual(
      [
        [engine.orgA.id, "contoso-value"],
        [engine.orgB.id, "fabrikam-value"],
        [null, "global-value"],
      ].sort(),
    );
    const checked = await run("checkSecret", engine.orgA.id, { key: "apiToken", expected: SECRET });
    expect(checked.result).toEqual({ same: true });
  });

  describe("after rotate-secret-key", () => {
    let server: ServerProcess | undefined;
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "bifrost-rotation-"));
    afterAll(async () => {
      await server?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it("the command re-encrypts every secret, and a platform on the new key still reads the same value", async () => {
      const before = await engine.app.database.db.select().from(configs).where(eq(configs.key, "apiToken"));
      const env = { DATABASE_URL: engine.app.testDatabase.url, BIFROST_SECRET_KEY: TEST_SECRET_KEY };
      const rotation = startServer("rotate-secret-key", { ...env, BIFROST_NEW_SECRET_KEY: NEW_KEY });
      expect(await rotation.exited, rotation.output()).toBe(0);
      expect(rotation.output()).toMatch(/config secrets: 1\b/);
      expect(rotation.output()).toMatch(/MFA seeds: 0\b/);
      const after = await engine.app.database.db.select().from(configs).where(eq(configs.key, "apiToken"));
      expect(after[0]?.secretSealed).not.toBe(before[0]?.secretSealed);
      expect(after[0]?.secretSealed).not.toContain(SECRET);

      // The old key no longer opens it: rotating again from the old key fails and changes nothing.
      const again = startServer("rotate-secret-key", { ...env, BIFROST_NEW_SECRET_KEY: `${NEW_KEY}-2` });
      expect(await again.exited).toBe(1);
      expect(again.output()).toContain("nothing was changed");

      // API and worker on the new key, over the same database.
      const port = await freePort();
      server = startServer("start", {
        DATABASE_URL: engine.app.testDatabase.url,
        BIFROST_SECRET_KEY: NEW_KEY,
        BIFROST_MFA_REQUIRED: "false",
        BIFROST_DATA_DIR: dataDir,
        BIFROST_MIN_WORKERS: "1",
        PORT: String(port),
      });
      const url = `http://127.0.0.1:${port}`;
      await eventually(async () => ((await fetch(`${url}/health`)).ok ? true : undefined), {
        timeoutMs: 30_000,
        what: `the server on the new key: ${server.output()}`,
      });
      const login = await fetch(`${url}/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "admin@msp.example", password: PASSWORD }),
      });
      expect(login.status).toBe(200);
      const { accessToken } = (await login.json()) as { accessToken: string };
      const executed = await fetch(`${url}/api/workflows/execute`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${accessToken}` },
        body: JSON.stringify({
          workflowName: "checkSecret",
          inputData: { key: "apiToken", expected: SECRET },
          organizationId: engine.orgA.id,
          sync: true,
        }),
      });
      expect(await executed.json()).toMatchObject({ status: "Success", result: { same: true } });
    }, 90_000);
  });
});
