import {
  assignRoleUsersSchema,
  createRoleSchema,
  listOf,
  listQuerySchema,
  roleDetailSchema,
  roleMemberSchema,
  roleSchema,
  updateRoleSchema,
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
  app.get(
    "/api/roles/:id",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["roles"],
        summary: "A role and the forms and workflows it opens",
        params: idParams,
        response: { 200: roleDetailSchema, ...protectedErrors },
      },
    },
    (request) => roles.get(request.params.id),
  );
  app.get(
    "/api/roles/:id/users",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["roles"],
        summary: "The users who hold the role",
        params: idParams,
        response: { 200: z.object({ items: z.array(roleMemberSchema) }), ...protectedErrors },
      },
    },
    (request) => roles.members(request.params.id),
  );
  app.delete(
    "/api/roles/:id/users/:userId",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["roles"],
        summary: "Take the role from a user (on their next request, on every API process)",
        params: idParams.extend({ userId: z.guid() }),
        response: { 204: z.null(), ...protectedErrors },
      },
    },
    async (request, reply) => {
      await roles.removeUser(request.params.id, request.params.userId, actorOf(request));
      return reply.code(204).send(null);
    },
  );
  app.patch(
    "/api/roles/:id",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["roles"],
        summary: "Rename a role or change its description",
        params: idParams,
        body: updateRoleSchema,
        response: { 200: roleSchema, ...protectedErrors },
      },
    },
    (request) => roles.update(request.params.id, request.body, actorOf(request)),
  );
  app.delete(
    "/api/roles/:id",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["roles"],
        summary: "Delete a role: every membership and every form's and workflow's use of it go with it",
        params: idParams,
        response: { 204: z.null(), ...protectedErrors },
      },
    },
    async (request, reply) => {
      await roles.delete(request.params.id, actorOf(request));
      return reply.code(204).send(null);
    },
  );
};
