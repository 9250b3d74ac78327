import { WORKFLOW_KEY_HEADER } from "@bifrost/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { ENDPOINT_METHODS, type EndpointService } from "../../services/endpoints/endpoint-service.js";
import { actorOf } from "../access.js";

/**
 * `ANY /api/endpoints/{workflowName}` (API.md): public for the token check, authenticated by the
 * workflow key in `X-Bifrost-Key` (services/endpoints). Hidden from the static OpenAPI document:
 * `/api/openapi.json` lists the enabled endpoints a signed-in caller may see, with their parameter
 * schema, instead.
 */
export const endpointRoutes: FastifyPluginAsyncZod<{ endpoints: EndpointService }> = async (
  app,
  { endpoints },
) => {
  app.route({
    method: [...ENDPOINT_METHODS],
    url: "/api/endpoints/:workflowName",
    config: { access: "public" },
    schema: { hide: true },
    handler: async (request, reply) => {
      const key = request.headers[WORKFLOW_KEY_HEADER];
      const answer = await endpoints.call({
        workflowName: (request.params as { workflowName: string }).workflowName,
        method: request.method,
        key: typeof key === "string" ? key : undefined,
        query: (request.query ?? {}) as Record<string, unknown>,
        body: request.body,
        actor: actorOf(request),
      });
      return reply.code(answer.mode === "sync" ? 200 : 202).send(answer.body);
    },
  });
};
