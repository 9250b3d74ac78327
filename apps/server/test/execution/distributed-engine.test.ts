import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import amqp from "amqplib";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { runAccountsJourney } from "../support/accounts-journey.js";
import { firstAdminToken, runEngineJourney } from "../support/engine-journey.js";
import { SmtpSink } from "../support/smtp-sink.js";
import {
  runConcurrencyLimitJourney,
  runFairnessJourney,
  runRetryJourney,
  writePolicyWorkflows,
} from "../support/fairness-journey.js";
import { call } from "../support/login-journey.js";
import { eventually, freePort, getJson, startServer, type ServerProcess } from "../support/server-process.js";
import { TEST_RABBITMQ_URL, TEST_REDIS_URL, uniqueId } from "../support/services.js";

// api, worker and scheduler as separate processes on PostgreSQL, Redis and RabbitMQ. A namespace of
// this file's own keeps its queue and keys apart from every other test on the shared services.

const LEASE_SECONDS = 5;
type Execution = { id: string; status: string; attempt: number; completedAt: string | null };

async function waitReady(server: ServerProcess, url: string): Promise<void> {
  const ready = eventually(
    async () => ((await getJson(`${url}/health/ready`))?.status === 200 ? true : undefined),
    {
      timeoutMs: 60_000,
      intervalMs: 250,
      what: `${url} to be ready`,
    },
  );
  const exited = server.exited.then((code) => {
    throw new Error(`exited (${code}) before ready:\n${server.output()}`);
  });
  await Promise.race([ready, exited]);
}

describe("the engine with api, worker and scheduler as separate processes", () => {
  let database: TestDatabase;
  let dataDir: string;
  let env: Record<string, string>;
  const namespace = `t${uniqueId()}`;
  const servers: ServerProcess[] = [];
  let apiUrl: string;
  let token: string;
  let currentWorker: ServerProcess | undefined;
  const smtp = new SmtpSink();

  const startWorker = async (): Promise<ServerProcess> => {
    const healthPort = await freePort();
    const worker = startServer("worker", { ...env, BIFROST_HEALTH_PORT: String(healthPort) });
    servers.push(worker);
    await waitReady(worker, `http://127.0.0.1:${healthPort}`);
    currentWorker = worker;
    return worker;
  };

  beforeAll(async () => {
    await smtp.start();
    database = await createTestDatabase();
    dataDir = mkdtempSync(path.join(tmpdir(), "bifrost-engine-"));
    const apiPort = await freePort();
    apiUrl = `http://127.0.0.1:${apiPort}`;
    env = {
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      RABBITMQ_URL: TEST_RABBITMQ_URL,
      BIFROST_NAMESPACE: namespace,
      BIFROST_SECRET_KEY: randomBytes(36).toString("base64url"),
      BIFROST_DATA_DIR: dataDir,
      BIFROST_MFA_REQUIRED: "false",
      BIFROST_API_URL: apiUrl,
      BIFROST_PUBLIC_URL: apiUrl,
      BIFROST_SMTP_URL: smtp.url,
      BIFROST_MAX_WORKERS: "10",
      BIFROST_EXECUTION_LEASE_SECONDS: String(LEASE_SECONDS),
      BIFROST_LOG_LEVEL: "warn",
    };
    const api = startServer("api", { ...env, PORT: String(apiPort) });
    servers.push(api);
    await waitReady(api, apiUrl);
    const schedulerPort = await freePort();
    const scheduler = startServer("scheduler", { ...env, BIFROST_HEALTH_PORT: String(schedulerPort) });
    servers.push(scheduler);
    await waitReady(scheduler, `http://127.0.0.1:${schedulerPort}`);
    await startWorker();
    token = await firstAdminToken(apiUrl);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    const connection = await amqp.connect(TEST_RABBITMQ_URL);
    const channel = await connection.createChannel();
    for (const queue of [`${namespace}.workflow-executions`, `${namespace}.workflow-executions.dead`]) {
      await channel.deleteQueue(queue);
    }
    await connection.close();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
    await smtp.stop();
  });

  it("a workflow written through the API runs sync and async, with logs and the WebSocket update", async () => {
    await runEngineJourney(apiUrl, token);
  });

  it("an invitation and a reset arrive by mail, each link works once, a reset ends the logins, and mail waits out a mail server that is down", async () => {
    await runAccountsJourney(apiUrl, token, smtp, async (email) => {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        await client.query(
          `update account_tokens set expires_at = now() - interval '1 minute'
            where user_id = (select id from users where email = $1)`,
          [email],
        );
      } finally {
        await client.end();
      }
    });
  }, 90_000);

  it("an organization's backlog of 500 runs does not hold back another organization's run", async () => {
    await writePolicyWorkflows(apiUrl, token);
    const figures = await runFairnessJourney(apiUrl, token, { backlog: 500, runMs: 200 });
    console.info("distributed fairness:", figures);
  });

  it("an organization limited to 2 never has more than 2 runs running, with two workers", async () => {
    const first = currentWorker;
    const second = await startWorker();
    try {
      await runConcurrencyLimitJourney(apiUrl, token, 16);
    } finally {
      await second.stop();
      currentWorker = first;
    }
  });

  it("a workflow failing twice succeeds on its third attempt under its retry policy; a UserError is not retried", async () => {
    await runRetryJourney(apiUrl, token);
  });

  it("a worker killed with 20 runs in flight: every run ends, none is lost or run twice, interrupted ones are attempt 2", async () => {
    const auth = { authorization: `Bearer ${token}` };
    const execute = async (inputData: Record<string, unknown>): Promise<string> => {
      const r = await call(
        `${apiUrl}/api/workflows/execute`,
        "POST",
        { workflowName: "nap", inputData },
        auth,
      );
      expect(r.status).toBe(202);
      return String(r.body.executionId);
    };
    const get = async (id: string): Promise<Execution> =>
      (await call(`${apiUrl}/api/executions/${id}`, "GET", undefined, auth)).body as Execution;

    // Quick runs that finish before the kill: they must never run again.
    const quick = await Promise.all(Array.from({ length: 5 }, () => execute({ ms: 10 })));
    const finished = await Promise.all(
      quick.map((id) =>
        eventually(async () => ((await get(id)).completedAt ? get(id) : undefined), {
          timeoutMs: 20_000,
          what: "the quick runs to finish",
        }),
      ),
    );
    const slow = await Promise.all(Array.from({ length: 20 }, () => execute({ ms: 4_000 })));
    await eventually(
      async () => {
        const states = await Promise.all(slow.map(get));
        return states.filter((s) => s.status === "Running").length >= 10 ? true : undefined;
      },
      { timeoutMs: 20_000, what: "ten runs to be Running" },
    );
    const worker = currentWorker;
    if (!worker) throw new Error("no worker");
    const runningBefore = (await Promise.all(slow.map(get)))
      .filter((s) => s.status === "Running")
      .map((s) => s.id);
    worker.child.kill("SIGKILL");
    await worker.exited;
    await startWorker();

    const ended = await Promise.all(
      slow.map((id) =>
        eventually(
          async () => {
            const e = await get(id);
            return e.completedAt ? e : undefined;
          },
          { timeoutMs: 60_000, intervalMs: 250, what: `run ${id} to end after the worker died` },
        ),
      ),
    );
    expect(ended.map((e) => e.status)).toEqual(slow.map(() => "Success"));
    for (const id of runningBefore) expect(ended.find((e) => e.id === id)?.attempt, id).toBe(2);
    for (const before of finished) expect(await get(before.id)).toEqual(before);
  }, 120_000);
});
