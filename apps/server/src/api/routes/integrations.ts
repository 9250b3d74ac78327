import {
  batchMappingsSchema,
  createIntegrationSchema,
  integrationConfigSchema,
  integrationMappingParams,
  integrationMappingSchema,
  integrationNameParams,
  integrationSchema,
  integrationTestResultSchema,
  oauthAuthorizeSchema,
  sdkDeleteMappingResultSchema,
  sdkIntegrationGetResultSchema,
  sdkIntegrationNameSchema,
  sdkMappingListResultSchema,
  sdkMappingResultSchema,
  sdkMappingSchema,
  sdkUpsertMappingSchema,
  updateIntegrationSchema,
  updateMappingSchema,
  upsertMappingSchema,
} from "@bifrost/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { IntegrationRuns } from "../../services/integrations/integration-runs.js";
import type { IntegrationsService } from "../../services/integrations/integrations-service.js";
import { actorOf, requirePrincipal } from "../access.js";
import { idParams, platformAdminOnly, protectedErrors } from "./shared.js";
import { runScopeOf } from "../../principal.js";

const runOnly = { access: "run" as const };
const admin = <S extends object>(schema: S) => ({
  config: platformAdminOnly,
  schema: { tags: ["integrations"], ...schema },
});
const sdk = <B extends z.ZodType, R extends z.ZodType>(summary: string, body: B, result: R) => ({
  config: runOnly,
  schema: { tags: ["sdk"], summary, body, response: { 200: result, ...protectedErrors } },
});

const ok = <S extends z.ZodType>(schema: S) => ({ 200: schema, ...protectedErrors });

export const integrationRoutes: FastifyPluginAsyncZod<{
  integrations: IntegrationsService;
  runs: IntegrationRuns;
}> = async (app, { integrations, runs }) => {
  app.post(
    "/api/integrations",
    admin({ body: createIntegrationSchema, response: { 201: integrationSchema, ...protectedErrors } }),
    async (request, reply) => reply.code(201).send(await integrations.create(request.body, actorOf(request))),
  );
  app.get(
    "/api/integrations",
    admin({ response: ok(z.object({ items: z.array(integrationSchema) })) }),
    async () => ({
      items: await integrations.list(),
    }),
  );
  app.get(
    "/api/integrations/by-name/:name",
    admin({ params: integrationNameParams, response: ok(integrationSchema) }),
    (request) => integrations.getByName(request.params.name),
  );
  app.get("/api/integrations/:id", admin({ params: idParams, response: ok(integrationSchema) }), (request) =>
    integrations.get(request.params.id),
  );
  app.put(
    "/api/integrations/:id",
    admin({ params: idParams, body: updateIntegrationSchema, response: ok(integrationSchema) }),
    (request) => integrations.update(request.params.id, request.body, actorOf(request)),
  );
  app.delete(
    "/api/integrations/:id",
    admin({ summary: "Soft delete", params: idParams, response: { 204: z.null(), ...protectedErrors } }),
    async (request, reply) => {
      await integrations.remove(request.params.id, actorOf(request));
      return reply.code(204).send(null);
    },
  );
  app.put(
    "/api/integrations/:id/config",
    admin({
      summary:
        'Integration-level defaults; secrets stored sealed ("[SECRET]" keeps a value, null removes a key)',
      params: idParams,
      body: integrationConfigSchema,
      response: ok(integrationSchema),
    }),
    (request) => integrations.setDefaults(request.params.id, request.body.config, actorOf(request)),
  );
  app.post(
    "/api/integrations/:id/test",
    admin({
      summary:
        "Whether required config is present and (with OAuth) a token can be had, for an organization or global",
      params: idParams,
      body: oauthAuthorizeSchema,
      response: ok(integrationTestResultSchema),
    }),
    (request) => integrations.test(request.params.id, request.body.organizationId ?? null),
  );

  app.post(
    "/api/integrations/:id/mappings",
    admin({
      params: idParams,
      body: upsertMappingSchema,
      response: { 201: integrationMappingSchema, ...protectedErrors },
    }),
    async (request, reply) =>
      reply
        .code(201)
        .send(await integrations.createMapping(request.params.id, request.body, actorOf(request))),
  );
  app.get(
    "/api/integrations/:id/mappings",
    admin({ params: idParams, response: ok(z.object({ items: z.array(integrationMappingSchema) })) }),
    async (request) => ({ items: await integrations.listMappings(request.params.id) }),
  );
  app.post(
    "/api/integrations/:id/mappings/batch",
    admin({
      summary: "Create or replace the mappings of several scopes",
      params: idParams,
      body: batchMappingsSchema,
      response: ok(z.object({ items: z.array(integrationMappingSchema) })),
    }),
    async (request) => ({
      items: await integrations.batchMappings(request.params.id, request.body.mappings, actorOf(request)),
    }),
  );
  app.get(
    "/api/integrations/:id/mappings/:mappingId",
    admin({ params: integrationMappingParams, response: ok(integrationMappingSchema) }),
    (request) => integrations.getMapping(request.params.id, request.params.mappingId),
  );
  app.put(
    "/api/integrations/:id/mappings/:mappingId",
    admin({
      params: integrationMappingParams,
      body: updateMappingSchema,
      response: ok(integrationMappingSchema),
    }),
    (request) =>
      integrations.updateMapping(request.params.id, request.params.mappingId, request.body, actorOf(request)),
  );
  app.delete(
    "/api/integrations/:id/mappings/:mappingId",
    admin({ params: integrationMappingParams, response: { 204: z.null(), ...protectedErrors } }),
    async (request, reply) => {
      await integrations.deleteMapping(request.params.id, request.params.mappingId, actorOf(request));
      return reply.code(204).send(null);
    },
  );

  // The SDK's routes: always the run's organization (then the global mapping for reads).
  app.post(
    "/api/sdk/integrations/get",
    sdk(
      "The integration as the run's organization sees it: merged config (secrets in clear), a fresh OAuth token",
      sdkIntegrationNameSchema,
      sdkIntegrationGetResultSchema,
    ),
    async (request) => ({
      integration: await runs.get(runScopeOf(requirePrincipal(request)), request.body.name),
    }),
  );
  app.post(
    "/api/sdk/integrations/mappings/list",
    sdk(
      "The run's organization's mapping and the global one",
      sdkIntegrationNameSchema,
      sdkMappingListResultSchema,
    ),
    async (request) => ({
      items: await runs.listMappings(runScopeOf(requirePrincipal(request)), request.body.name),
    }),
  );
  app.post(
    "/api/sdk/integrations/mappings/get",
    sdk("The run's organization's own mapping, or null", sdkIntegrationNameSchema, sdkMappingResultSchema),
    async (request) => ({
      mapping: await runs.getMapping(runScopeOf(requirePrincipal(request)), request.body.name),
    }),
  );
  app.post(
    "/api/sdk/integrations/mappings/upsert",
    sdk("Create or replace the run's organization's mapping", sdkUpsertMappingSchema, sdkMappingSchema),
    (request) => runs.upsertMapping(runScopeOf(requirePrincipal(request)), request.body, actorOf(request)),
  );
  app.post(
    "/api/sdk/integrations/mappings/delete",
    sdk("Delete the run's organization's mapping", sdkIntegrationNameSchema, sdkDeleteMappingResultSchema),
    async (request) => ({
      deleted: await runs.deleteMapping(
        runScopeOf(requirePrincipal(request)),
        request.body.name,
        actorOf(request),
      ),
    }),
  );
};
