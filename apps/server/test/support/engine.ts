import { loadConfig } from "../../src/config.js";
import { MemoryBus } from "../../src/infra/bus/memory-bus.js";
import { createLogger } from "../../src/infra/logger.js";
import { MemoryBroker, MemoryWorkQueue } from "../../src/infra/queue/memory-queue.js";
import type { Running } from "../../src/roles/lifecycle.js";
import { startScheduler } from "../../src/roles/scheduler.js";
import { startWorker } from "../../src/roles/worker.js";
import { TEST_SECRET_KEY } from "./app.js";
import { createTestContext, type Client, type TestContext } from "./context.js";

export type Engine = TestContext & {
  /** The API's address: the SDK inside runs calls it. */
  url: string;
  worker: Running;
  scheduler: Running;
  /** Another worker on the same database, queue and bus (closed with the engine). */
  startWorker(env?: Record<string, string>): Promise<Running>;
  /** Writes a workspace file as the platform admin; fails the test unless it is accepted. */
  writeWorkflow(path: string, content: string): Promise<Array<{ id: string; name: string; type: string }>>;
  /** Runs a workflow by name and answers the response. */
  execute(
    client: Client,
    body: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<{ statusCode: number; json<T = Record<string, unknown>>(): T }>;
  close(): Promise<void>;
};

/**
 * The whole engine in one process on the embedded adapters (memory queue and bus) and a fresh
 * PostgreSQL database: the API listening on a real port (children call it over HTTP), a worker
 * with its process pool, and the scheduler's sweeper.
 */
export async function createEngine(env: Record<string, string> = {}): Promise<Engine> {
  const bus = new MemoryBus();
  const queue = new MemoryWorkQueue(new MemoryBroker());
  const ctx = await createTestContext({ bus, queue });
  const url = await ctx.app.app.listen({ host: "127.0.0.1", port: 0 });
  const config = loadConfig("worker", {
    BIFROST_SECRET_KEY: TEST_SECRET_KEY,
    BIFROST_MIN_WORKERS: "1",
    BIFROST_MAX_WORKERS: "4",
    ...env,
  });
  const logger = createLogger({ level: process.env.BIFROST_TEST_LOG_LEVEL ?? "silent", role: "test-worker" });
  const infra = {
    database: ctx.app.database,
    queue,
    bus,
    files: ctx.app.files,
    probes: [],
    close: () => Promise.resolve(),
  };
  const baseEnv = {
    BIFROST_SECRET_KEY: TEST_SECRET_KEY,
    BIFROST_MIN_WORKERS: "1",
    BIFROST_MAX_WORKERS: "4",
    ...env,
  };
  const worker = await startWorker(config, logger, infra, { apiUrl: url });
  const extraWorkers: Running[] = [];
  const scheduler = await startScheduler(config, logger, infra);
  const admin = ctx.admin;
  return {
    ...ctx,
    url,
    worker,
    scheduler,
    async startWorker(more = {}) {
      const extra = await startWorker(loadConfig("worker", { ...baseEnv, ...more }), logger, infra, {
        apiUrl: url,
      });
      extraWorkers.push(extra);
      return extra;
    },
    async writeWorkflow(path, content) {
      const response = await admin.request("PUT", "/api/files/editor/content", { path, content });
      if (response.statusCode !== 200)
        throw new Error(`write ${path}: ${response.statusCode} ${response.body}`);
      return response.json<{ workflows: Array<{ id: string; name: string; type: string }> }>().workflows;
    },
    async execute(client, body, headers = {}) {
      const response = await ctx.app.app.inject({
        method: "POST",
        url: "/api/workflows/execute",
        payload: body,
        headers: { authorization: `Bearer ${client.token}`, ...headers },
      });
      return { statusCode: response.statusCode, json: <T>() => response.json<T>() };
    },
    async close() {
      await scheduler.close();
      for (const extra of extraWorkers) await extra.close();
      await worker.close();
      await ctx.close();
    },
  };
}
