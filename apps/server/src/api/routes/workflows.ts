import { listOf, updateWorkflowSchema, workflowListQuerySchema, workflowSchema } from "@bifrost/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { WorkflowsService } from "../../services/workflows/workflows-service.js";
import { actorOf, requirePrincipal } from "../access.js";
import { idParams, platformAdminOnly, protectedErrors } from "./shared.js";

export const workflowRoutes: FastifyPluginAsyncZod<{ workflows: WorkflowsService }> = async (
  app,
  { workflows },
) => {
  app.get(
    "/api/workflows",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["workflows"],
        summary:
          "The workflows the caller may run, optionally of one type; platform admins see all (inactive too) and may filter by scope and isActive",
        querystring: workflowListQuerySchema,
        response: { 200: listOf(workflowSchema), ...protectedErrors },
      },
    },
    (request) => workflows.list(requirePrincipal(request), request.query),
  );
  app.get(
    "/api/workflows/:id",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["workflows"],
        params: idParams,
        response: { 200: workflowSchema, ...protectedErrors },
      },
    },
    (request) => workflows.get(requirePrincipal(request), request.params.id),
  );
  app.patch(
    "/api/workflows/:id",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["workflows"],
        summary:
          "Change a workflow's settings; roleIds replaces its roles, organizationId null makes it global",
        params: idParams,
        body: updateWorkflowSchema,
        response: { 200: workflowSchema, ...protectedErrors },
      },
    },
    (request) =>
      workflows.update(requirePrincipal(request), request.params.id, request.body, actorOf(request)),
  );
};
