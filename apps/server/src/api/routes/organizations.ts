import {
  createOrganizationSchema,
  errorBodySchema,
  listOf,
  listQuerySchema,
  organizationSchema,
  updateOrganizationSchema,
} from "@bifrost/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../access.js";
import type { OrganizationsService } from "../../services/organizations/organizations-service.js";

const errors = {
  401: errorBodySchema,
  403: errorBodySchema,
  404: errorBodySchema,
  409: errorBodySchema,
  422: errorBodySchema,
};
const idParams = z.object({ id: z.guid() });
const config = { access: "platformAdmin" as const };

export const organizationRoutes: FastifyPluginAsyncZod<{ organizations: OrganizationsService }> = async (
  app,
  { organizations },
) => {
  app.post(
    "/api/organizations",
    {
      config,
      schema: {
        tags: ["organizations"],
        body: createOrganizationSchema,
        response: { 201: organizationSchema, ...errors },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await organizations.create(request.body, actorOf(request))),
  );
  app.get(
    "/api/organizations",
    {
      config,
      schema: {
        tags: ["organizations"],
        querystring: listQuerySchema,
        response: { 200: listOf(organizationSchema), ...errors },
      },
    },
    (request) => organizations.list(request.query),
  );
  app.get(
    "/api/organizations/:id",
    {
      config,
      schema: { tags: ["organizations"], params: idParams, response: { 200: organizationSchema, ...errors } },
    },
    (request) => organizations.get(request.params.id),
  );
  app.patch(
    "/api/organizations/:id",
    {
      config,
      schema: {
        tags: ["organizations"],
        params: idParams,
        body: updateOrganizationSchema,
        response: { 200: organizationSchema, ...errors },
      },
    },
    (request) => organizations.update(request.params.id, request.body, actorOf(request)),
  );
  app.delete(
    "/api/organizations/:id",
    {
      config,
      schema: {
        tags: ["organizations"],
        summary: "Soft delete: its users can no longer sign in",
        params: idParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await organizations.delete(request.params.id, actorOf(request));
      return reply.code(204).send(null);
    },
  );
};
