import {
  apiProcessSchema,
  platformQueueSchema,
  platformWorkerSchema,
  type ServiceCredentialWarning,
} from "@bifrost/contracts";
import os from "node:os";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { ExecutionBatches } from "../../repositories/execution-batches.js";
import type { PlatformWorkersRepository } from "../../repositories/platform-workers.js";
import { platformAdminOnly, protectedErrors } from "./shared.js";

/** A worker is listed while its heartbeat (every 10 s) is younger than this. */
const ALIVE_WITHIN_MS = 30_000;

export const platformRoutes: FastifyPluginAsyncZod<{
  workers: PlatformWorkersRepository;
  lines: Pick<ExecutionBatches, "lines">;
  apiProcess: { role: string; serviceCredentials: ServiceCredentialWarning[] };
}> = async (app, { workers, lines, apiProcess }) => {
  const startedAt = new Date(Date.now() - process.uptime() * 1000).toISOString();

  app.get(
    "/api/platform/workers",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["platform"],
        summary: "Worker processes and their pools, from their latest heartbeat",
        response: { 200: z.object({ items: z.array(platformWorkerSchema) }), ...protectedErrors },
      },
    },
    async () => ({
      items: (await workers.listAlive(ALIVE_WITHIN_MS)).map((w) => ({
        id: w.id,
        hostname: w.hostname,
        pid: w.pid,
        startedAt: w.startedAt.toISOString(),
        lastSeenAt: w.lastSeenAt.toISOString(),
        state: w.state,
      })),
    }),
  );

  app.get(
    "/api/platform/queue",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["platform"],
        summary:
          "Runs not ended per organization: waiting in its line, queued for the workers, running; and its concurrency limit",
        response: { 200: platformQueueSchema, ...protectedErrors },
      },
    },
    () => lines.lines(),
  );

  // API processes send no heartbeat: the one that answers describes itself. Replicas started with the
  // same service URLs find the same.
  app.get(
    "/api/platform/api-process",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["platform"],
        summary: "The API process that answers, and the services that let it in without a password at start",
        response: { 200: apiProcessSchema, ...protectedErrors },
      },
    },
    async () => ({
      role: apiProcess.role,
      hostname: os.hostname(),
      pid: process.pid,
      startedAt,
      serviceCredentials: apiProcess.serviceCredentials,
    }),
  );
};
