import {
  configEntrySchema,
  configListQuerySchema,
  createConfigSchema,
  listOf,
  sdkConfigDeleteResultSchema,
  sdkConfigGetResultSchema,
  sdkConfigItemSchema,
  sdkConfigKeySchema,
  sdkConfigListResultSchema,
  sdkConfigSetSchema,
  updateConfigSchema,
} from "@bifrost/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { ConfigService } from "../../services/config/config-service.js";
import { actorOf, requirePrincipal } from "../access.js";
import { idParams, platformAdminOnly, protectedErrors } from "./shared.js";
import { runScopeOf } from "../../principal.js";

const runOnly = { access: "run" as const };

export const configRoutes: FastifyPluginAsyncZod<{ config: ConfigService }> = async (app, { config }) => {
  app.post(
    "/api/config",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["config"],
        summary:
          "Create a config entry, global or (organizationId) one organization's; secrets are stored sealed",
        body: createConfigSchema,
        response: { 201: configEntrySchema, ...protectedErrors },
      },
    },
    async (request, reply) => reply.code(201).send(await config.create(request.body, actorOf(request))),
  );
  app.get(
    "/api/config",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["config"],
        summary: 'Config entries of every scope (narrow with scope=global|<orgId>); secrets show "[SECRET]"',
        querystring: configListQuerySchema,
        response: { 200: listOf(configEntrySchema), ...protectedErrors },
      },
    },
    (request) => config.list(requirePrincipal(request), request.query),
  );
  app.put(
    "/api/config/:id",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["config"],
        params: idParams,
        body: updateConfigSchema,
        response: { 200: configEntrySchema, ...protectedErrors },
      },
    },
    (request) => config.update(requirePrincipal(request), request.params.id, request.body, actorOf(request)),
  );
  app.delete(
    "/api/config/:id",
    {
      config: platformAdminOnly,
      schema: { tags: ["config"], params: idParams, response: { 204: z.null(), ...protectedErrors } },
    },
    async (request, reply) => {
      await config.remove(requirePrincipal(request), request.params.id, actorOf(request));
      return reply.code(204).send(null);
    },
  );

  // The SDK's routes: a run reads its organization's entries, then global ones, and writes its own.
  app.post(
    "/api/sdk/config/get",
    {
      config: runOnly,
      schema: {
        tags: ["sdk"],
        summary: "The run's organization's value of a key, else the global one; a secret comes back in clear",
        body: sdkConfigKeySchema,
        response: { 200: sdkConfigGetResultSchema, ...protectedErrors },
      },
    },
    (request) => config.get(runScopeOf(requirePrincipal(request)), request.body.key),
  );
  app.post(
    "/api/sdk/config/set",
    {
      config: runOnly,
      schema: {
        tags: ["sdk"],
        summary: "Write a key in the run's organization (type inferred from the value, or secret)",
        body: sdkConfigSetSchema,
        response: { 200: sdkConfigItemSchema, ...protectedErrors },
      },
    },
    (request) => config.set(runScopeOf(requirePrincipal(request)), request.body, actorOf(request)),
  );
  app.post(
    "/api/sdk/config/list",
    {
      config: runOnly,
      schema: {
        tags: ["sdk"],
        summary: "Global entries overridden by the run's organization's; secrets show \"[SECRET]\"",
        response: { 200: sdkConfigListResultSchema, ...protectedErrors },
      },
    },
    async (request) => ({ items: await config.listMerged(runScopeOf(requirePrincipal(request))) }),
  );
  app.post(
    "/api/sdk/config/delete",
    {
      config: runOnly,
      schema: {
        tags: ["sdk"],
        summary: "Delete the run's organization's entry of a key (a global entry is never touched)",
        body: sdkConfigKeySchema,
        response: { 200: sdkConfigDeleteResultSchema, ...protectedErrors },
      },
    },
    async (request) => ({
      deleted: await config.delete(runScopeOf(requirePrincipal(request)), request.body.key, actorOf(request)),
    }),
  );
};
