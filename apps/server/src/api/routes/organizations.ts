import {
  createOrganizationSchema,
  listOf,
  listQuerySchema,
  organizationSchema,
  updateOrganizationSchema,
} from "@bifrost/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../access.js";
import type { OrganizationsService } from "../../services/organizations/organizations-service.js";
import { idParams, platformAdminOnly, protectedErrors } from "./shared.js";

export const organizationRoutes: FastifyPluginAsyncZod<{ organizations: OrganizationsService }> = async (
  app,
  { organizations },
) => {
  app.post(
    "/api/organizations",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["organizations"],
        body: createOrganizationSchema,
        response: { 201: organizationSchema, ...protectedErrors },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await organizations.create(request.body, actorOf(request))),
  );
  app.get(
    "/api/organizations",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["organizations"],
        querystring: listQuerySchema,
        response: { 200: listOf(organizationSchema), ...protectedErrors },
      },
    },
    (request) => organizations.list(request.query),
  );
  app.get(
    "/api/organizations/:id",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["organizations"],
        params: idParams,
        response: { 200: organizationSchema, ...protectedErrors },
      },
    },
    (request) => organizations.get(request.params.id),
  );
  app.patch(
    "/api/organizations/:id",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["organizations"],
        params: idParams,
        body: updateOrganizationSchema,
        response: { 200: organizationSchema, ...protectedErrors },
      },
    },
    (request) => organizations.update(request.params.id, request.body, actorOf(request)),
  );
  app.delete(
    "/api/organizations/:id",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["organizations"],
        summary: "Soft delete: its users can no longer sign in",
        params: idParams,
        response: { 204: z.null(), ...protectedErrors },
      },
    },
    async (request, reply) => {
      await organizations.delete(request.params.id, actorOf(request));
      return reply.code(204).send(null);
    },
  );
};
