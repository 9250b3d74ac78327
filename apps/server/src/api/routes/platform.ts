import { platformWorkerSchema } from "@bifrost/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { PlatformWorkersRepository } from "../../repositories/platform-workers.js";
import { platformAdminOnly, protectedErrors } from "./shared.js";

/** A worker is listed while its heartbeat (every 10 s) is younger than this. */
const ALIVE_WITHIN_MS = 30_000;

export const platformRoutes: FastifyPluginAsyncZod<{ workers: PlatformWorkersRepository }> = async (
  app,
  { workers },
) => {
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
};
