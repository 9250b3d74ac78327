import { errorBodySchema, livenessSchema, readinessSchema } from "@bifrost/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { ReadinessService } from "../../services/health/readiness.js";

export const healthRoutes: FastifyPluginAsyncZod<{ readiness: ReadinessService }> = async (
  app,
  { readiness },
) => {
  app.get(
    "/health",
    {
      config: { access: "public" },
      schema: { tags: ["health"], summary: "The process is alive", response: { 200: livenessSchema } },
    },
    () => ({ status: "ok" as const }),
  );

  app.get(
    "/health/ready",
    {
      config: { access: "public" },
      schema: {
        tags: ["health"],
        summary: "Every backing service of this process answers",
        response: { 200: readinessSchema, 503: readinessSchema, 500: errorBodySchema },
      },
    },
    async (_request, reply) => {
      const result = await readiness.check();
      return reply.code(result.status === "ok" ? 200 : 503).send(result);
    },
  );
};
