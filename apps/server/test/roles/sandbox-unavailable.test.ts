import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withTimeout } from "../../src/infra/timeouts.js";
import { detectIsolation } from "../../src/services/execution/pool/isolation.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { startEmbedded, type EmbeddedServer } from "../support/embedded-server.js";
import { firstAdminToken, writeWorkspaceFile } from "../support/engine-journey.js";
import { call } from "../support/login-journey.js";
import { eventually, freePort, getJson, startServer, type ServerProcess } from "../support/server-process.js";
import { TEST_RABBITMQ_URL, TEST_REDIS_URL, uniqueId } from "../support/services.js";

// Where the operating system cannot isolate workflow children, a role that runs user code must not
// start by surprise with a weaker sandbox. Unavailability is simulated as a container without
// CAP_SYS_ADMIN has it (Docker's default): the server runs under `setpriv` with the capability dropped
// from its bounding set, so `unshare --pid` fails for it exactly as it would there. Refused: `worker`,
// `api`, `start` on service URLs, and any role with BIFROST_SANDBOX=isolated. Started with the warning
// (logged, and on the Workers page): the embedded `start` by itself, and any role with
// BIFROST_SANDBOX=permission-only.

const WITHOUT_SYS_ADMIN = ["/usr/bin/setpriv", "--bounding-set=-sys_admin", "--inh-caps=-sys_admin", "--"];
const REFUSAL = /workflows cannot be isolated here: .*BIFROST_SANDBOX=permission-only/s;
const WARNING = /workflow children are NOT isolated by the operating system/;

async function exitOf(server: ServerProcess): Promise<number | string> {
  return withTimeout(server.exited, 30_000, () => new Error(`still running:\n${server.output()}`));
}

describe("the sandbox unavailable (a server without CAP_SYS_ADMIN)", () => {
  let database: TestDatabase;
  let dataDir: string;
  let services: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = mkdtempSync(path.join(tmpdir(), "bifrost-sandbox-off-"));
    services = {
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      RABBITMQ_URL: TEST_RABBITMQ_URL,
      BIFROST_NAMESPACE: `sbx${uniqueId()}`,
      BIFROST_SECRET_KEY: randomBytes(36).toString("base64url"),
      BIFROST_DATA_DIR: dataDir,
    };
  });
  afterAll(async () => {
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("is a real simulation: this host isolates, and the same command without the capability cannot", () => {
    expect(detectIsolation().kind).toBe("namespaces");
    const probe = spawnSync(WITHOUT_SYS_ADMIN[0]!, [
      ...WITHOUT_SYS_ADMIN.slice(1),
      "unshare",
      "--pid",
      "--fork",
      "true",
    ]);
    expect(probe.status).not.toBe(0);
    expect(probe.stderr.toString()).toMatch(/Operation not permitted/);
  });

  it.each([
    ["worker", {}],
    ["api", {}],
    ["start on service URLs", {}],
    ["the embedded start with BIFROST_SANDBOX=isolated", { BIFROST_SANDBOX: "isolated" }],
  ])("%s refuses to start, saying why and what to set", async (what, extra) => {
    const role = what.startsWith("worker") ? "worker" : what.startsWith("api") ? "api" : "start";
    const env = what.startsWith("the embedded")
      ? { BIFROST_DATA_DIR: path.join(dataDir, "embedded"), ...extra }
      : { ...services, ...extra };
    const server = startServer(role, { ...env, PORT: String(await freePort()) }, { wrap: WITHOUT_SYS_ADMIN });
    expect(await exitOf(server)).toBe(1);
    expect(server.output()).toMatch(REFUSAL);
    expect(server.output()).toMatch(/not permitted|PID namespace/);
    // Refused before anything opened: no migration ran, nothing listened.
    expect(server.output()).not.toMatch(/database migrations applied/);
  });

  it("worker with BIFROST_SANDBOX=permission-only starts, with the warning", async () => {
    const healthPort = await freePort();
    const worker = startServer(
      "worker",
      { ...services, BIFROST_SANDBOX: "permission-only", BIFROST_HEALTH_PORT: String(healthPort) },
      { wrap: WITHOUT_SYS_ADMIN },
    );
    try {
      await Promise.race([
        eventually(
          async () =>
            (await getJson(`http://127.0.0.1:${healthPort}/health/ready`))?.status === 200 ? true : undefined,
          { timeoutMs: 60_000, intervalMs: 250, what: "the worker to be ready" },
        ),
        worker.exited.then((code) => {
          throw new Error(`worker exited (${code}):\n${worker.output()}`);
        }),
      ]);
      expect(worker.output()).toMatch(WARNING);
      expect(worker.output()).toMatch(/BIFROST_SANDBOX=permission-only/);
    } finally {
      await worker.stop();
    }
  });

  describe("the embedded npm start", () => {
    let embedded: EmbeddedServer;
    let auth: Record<string, string>;

    beforeAll(async () => {
      embedded = await startEmbedded({}, { wrap: WITHOUT_SYS_ADMIN });
      auth = { authorization: `Bearer ${await firstAdminToken(embedded.url)}` };
    }, 120_000);
    afterAll(() => embedded?.close());

    it("starts by itself with the warning, shows it on the Workers page, and still runs workflows", async () => {
      expect(embedded.server.output()).toMatch(WARNING);
      // The API is ready before the worker of `start` has sent its first heartbeat: wait for it.
      const worker = await eventually(
        async () => {
          const workers = await call(`${embedded.url}/api/platform/workers`, "GET", undefined, auth);
          expect(workers.status).toBe(200);
          return (workers.body as { items: Array<{ state: { sandbox?: unknown } }> }).items[0];
        },
        { timeoutMs: 30_000, intervalMs: 250, what: "the worker's first heartbeat" },
      );
      expect(worker?.state.sandbox).toMatchObject({
        kind: "permission-only",
        identity: null,
        reason: expect.stringMatching(/not permitted|PID namespace/) as unknown,
      });
      await writeWorkspaceFile(
        embedded.url,
        auth,
        "hello.ts",
        `import { workflow } from "@bifrost/sdk";\nexport const hello = workflow({ run: () => process.pid });\n`,
      );
      const ran = await call(
        `${embedded.url}/api/workflows/execute`,
        "POST",
        { workflowName: "hello", inputData: {}, sync: true },
        auth,
      );
      // Permission model only: the child is not pid 1 of a namespace of its own.
      expect(ran.body).toMatchObject({ status: "Success" });
      expect((ran.body as { result: number }).result).not.toBe(1);
    });
  });
});
