import {
  createWorkflowKeySchema,
  createdWorkflowKeySchema,
  listOf,
  workflowKeyListQuerySchema,
  workflowKeySchema,
} from "@bifrost/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { WorkflowKeysService } from "../../services/endpoints/workflow-keys-service.js";
import { actorOf, requirePrincipal } from "../access.js";
import { idParams, platformAdminOnly, protectedErrors } from "./shared.js";

/** API keys of workflow endpoints (API.md `/api/workflow-keys`): platform admins, audited. */
export const workflowKeyRoutes: FastifyPluginAsyncZod<{ keys: WorkflowKeysService }> = async (
  app,
  { keys },
) => {
  app.post(
    "/api/workflow-keys",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["workflow-keys"],
        summary: "Create an endpoint key of a workflow; the raw key appears only in this answer",
        body: createWorkflowKeySchema,
        response: { 201: createdWorkflowKeySchema, ...protectedErrors },
      },
    },
    async (request, reply) => {
      const principal = requirePrincipal(request);
      const created = await keys.create(
        { ...actorOf(request), userId: principal.userId, organizationId: principal.organizationId },
        request.body,
      );
      return reply.code(201).send(created);
    },
  );
  app.get(
    "/api/workflow-keys",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["workflow-keys"],
        summary: "Endpoint keys (never the raw key), optionally of one workflow",
        querystring: workflowKeyListQuerySchema,
        response: { 200: listOf(workflowKeySchema), ...protectedErrors },
      },
    },
    async (request) => ({ items: await keys.list(request.query.workflowId), nextCursor: null }),
  );
  app.delete(
    "/api/workflow-keys/:id",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["workflow-keys"],
        params: idParams,
        response: { 204: z.null(), ...protectedErrors },
      },
    },
    async (request, reply) => {
      await keys.delete(actorOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
};
