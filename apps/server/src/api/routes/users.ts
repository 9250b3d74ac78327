import {
  adminUserSchema,
  bulkUserActionSchema,
  createUserSchema,
  listOf,
  listQuerySchema,
  meSchema,
  updateProfileSchema,
  updateUserSchema,
} from "@bifrost/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf, requireUserPrincipal } from "../access.js";
import type { UsersService } from "../../services/users/users-service.js";
import { idParams, platformAdminOnly, protectedErrors } from "./shared.js";

export const userRoutes: FastifyPluginAsyncZod<{ users: UsersService }> = async (app, { users }) => {
  app.patch(
    "/api/profile",
    {
      config: { access: "user" },
      schema: {
        tags: ["profile"],
        summary: "Change the caller's own name",
        body: updateProfileSchema,
        response: { 200: meSchema, ...protectedErrors },
      },
    },
    async (request) => {
      const { userId: id, email, isSuperuser, organizationId, roles } = requireUserPrincipal(request);
      await users.updateProfile(id, request.body, actorOf(request));
      return { id, email, name: request.body.name, isSuperuser, organizationId, roles };
    },
  );
  app.post(
    "/api/users",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["users"],
        body: createUserSchema,
        response: { 201: adminUserSchema, ...protectedErrors },
      },
    },
    async (request, reply) => reply.code(201).send(await users.create(request.body, actorOf(request))),
  );
  app.get(
    "/api/users",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["users"],
        querystring: listQuerySchema.extend({ organizationId: z.guid().optional() }),
        response: { 200: listOf(adminUserSchema), ...protectedErrors },
      },
    },
    (request) => users.list(request.query),
  );
  app.get(
    "/api/users/:id",
    {
      config: platformAdminOnly,
      schema: { tags: ["users"], params: idParams, response: { 200: adminUserSchema, ...protectedErrors } },
    },
    (request) => users.get(request.params.id),
  );
  app.patch(
    "/api/users/:id",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["users"],
        params: idParams,
        body: updateUserSchema,
        response: { 200: adminUserSchema, ...protectedErrors },
      },
    },
    (request) => users.update(request.params.id, request.body, actorOf(request)),
  );
  app.delete(
    "/api/users/:id",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["users"],
        summary: "Delete an inactive user",
        params: idParams,
        response: { 204: z.null(), ...protectedErrors },
      },
    },
    async (request, reply) => {
      await users.delete(request.params.id, actorOf(request));
      return reply.code(204).send(null);
    },
  );
  app.post(
    "/api/users/bulk",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["users"],
        summary:
          "One action (move, replace roles, activate, deactivate) on several users, in one transaction: all or none",
        body: bulkUserActionSchema,
        response: { 200: z.object({ updated: z.number().int() }), ...protectedErrors },
      },
    },
    (request) => users.bulk(request.body, actorOf(request)),
  );
};
