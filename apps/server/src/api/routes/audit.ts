import { auditEntrySchema, auditQuerySchema, errorBodySchema, listOf } from "@bifrost/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { AuditLog } from "../../services/audit/audit-log.js";

export const auditRoutes: FastifyPluginAsyncZod<{ audit: AuditLog }> = async (app, { audit }) => {
  app.get(
    "/api/audit",
    {
      config: { access: "platformAdmin" },
      schema: {
        tags: ["audit"],
        summary: "Who changed what, newest first, filtered by actor, action and time",
        querystring: auditQuerySchema,
        response: {
          200: listOf(auditEntrySchema),
          401: errorBodySchema,
          403: errorBodySchema,
          422: errorBodySchema,
        },
      },
    },
    (request) => audit.list(request.query),
  );
};
