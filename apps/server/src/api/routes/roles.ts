import {
  assignRoleUsersSchema,
  createRoleSchema,
  listOf,
  listQuerySchema,
  roleSchema,
} from "@bifrost/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { RolesService } from "../../services/roles/roles-service.js";
import { actorOf, requirePrincipal } from "../access.js";
import { idParams, platformAdminOnly, protectedErrors } from "./shared.js";

export const roleRoutes: FastifyPluginAsyncZod<{ roles: RolesService }> = async (app, { roles }) => {
  app.post(
    "/api/roles",
    {
      config: platformAdminOnly,
      schema: { tags: ["roles"], body: createRoleSchema, response: { 201: roleSchema, ...protectedErrors } },
    },
    async (request, reply) => reply.code(201).send(await roles.create(request.body, actorOf(request))),
  );
  app.get(
    "/api/roles",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["roles"],
        querystring: listQuerySchema,
        response: { 200: listOf(roleSchema), ...protectedErrors },
      },
    },
    (request) => roles.list(request.query),
  );
  app.post(
    "/api/roles/:id/users",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["roles"],
        summary: "Give the role to users (already members are left as they are)",
        params: idParams,
        body: assignRoleUsersSchema,
        response: { 204: z.null(), ...protectedErrors },
      },
    },
    async (request, reply) => {
      await roles.assignUsers(request.params.id, request.body.userIds, {
        ...actorOf(request),
        userId: requirePrincipal(request).userId,
      });
      return reply.code(204).send(null);
    },
  );
};
