import {
  createFormSchema,
  errorBodySchema,
  executeAcceptedSchema,
  executeSyncResultSchema,
  formExecuteRequestSchema,
  formFieldParamsSchema,
  formOptionsRequestSchema,
  formOptionsResultSchema,
  formSchema,
  formStartupResultSchema,
  formUploadRequestSchema,
  formUploadResultSchema,
  listOf,
  listQuerySchema,
} from "@bifrost/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { FormRuns } from "../../services/forms/form-runs.js";
import type { FormsService } from "../../services/forms/forms-service.js";
import { actorOf, requirePrincipal } from "../access.js";
import { idParams, originOf, platformAdminOnly, protectedErrors } from "./shared.js";

const authenticated = { access: "authenticated" as const };
const runErrors = { ...protectedErrors, 503: errorBodySchema, 504: errorBodySchema };

/** API.md "Forms": platform admins write forms; whoever may run a form uses the run routes. */
export const formRoutes: FastifyPluginAsyncZod<{ forms: FormsService; runs: FormRuns }> = async (
  app,
  { forms, runs },
) => {
  app.post(
    "/api/forms",
    {
      config: platformAdminOnly,
      schema: { tags: ["forms"], body: createFormSchema, response: { 201: formSchema, ...protectedErrors } },
    },
    async (request, reply) =>
      reply.code(201).send(await forms.create(requirePrincipal(request), request.body, actorOf(request))),
  );
  app.get(
    "/api/forms",
    {
      config: authenticated,
      schema: {
        tags: ["forms"],
        summary: "The forms the caller may run; platform admins see all",
        querystring: listQuerySchema,
        response: { 200: listOf(formSchema), ...protectedErrors },
      },
    },
    (request) => forms.list(requirePrincipal(request), request.query),
  );
  app.get(
    "/api/forms/:id",
    {
      config: authenticated,
      schema: { tags: ["forms"], params: idParams, response: { 200: formSchema, ...protectedErrors } },
    },
    (request) => forms.get(requirePrincipal(request), request.params.id),
  );
  app.put(
    "/api/forms/:id",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["forms"],
        summary: "Replace a form, its fields and its roles",
        params: idParams,
        body: createFormSchema,
        response: { 200: formSchema, ...protectedErrors },
      },
    },
    (request) => forms.replace(requirePrincipal(request), request.params.id, request.body, actorOf(request)),
  );
  app.delete(
    "/api/forms/:id",
    {
      config: platformAdminOnly,
      schema: { tags: ["forms"], params: idParams, response: { 204: z.null(), ...protectedErrors } },
    },
    async (request, reply) => {
      await forms.delete(requirePrincipal(request), request.params.id, actorOf(request));
      return reply.code(204).send(null);
    },
  );
  app.post(
    "/api/forms/:id/startup",
    {
      config: authenticated,
      schema: {
        tags: ["forms"],
        summary: "Run the launch workflow (sync) with the allowed query parameters; answers its result",
        params: idParams,
        querystring: z.record(z.string(), z.string()),
        response: { 200: formStartupResultSchema, ...runErrors },
      },
    },
    (request) => runs.startup(requirePrincipal(request), request.params.id, request.query),
  );
  app.post(
    "/api/forms/:id/fields/:fieldName/options",
    {
      config: authenticated,
      schema: {
        tags: ["forms"],
        summary: "The options of a choice field given the other values (a data provider's, cached)",
        params: formFieldParamsSchema,
        body: formOptionsRequestSchema,
        response: { 200: formOptionsResultSchema, ...runErrors },
      },
    },
    (request) =>
      runs.options(
        requirePrincipal(request),
        request.params.id,
        request.params.fieldName,
        request.body.values,
      ),
  );
  app.post(
    "/api/forms/:id/execute",
    {
      config: authenticated,
      schema: {
        tags: ["forms"],
        summary: "Check the values against the fields, then run the workflow (202, or 200 when sync)",
        params: idParams,
        body: formExecuteRequestSchema,
        response: { 200: executeSyncResultSchema, 202: executeAcceptedSchema, ...runErrors },
      },
    },
    async (request, reply) => {
      const answer = await runs.execute(requirePrincipal(request), request.params.id, request.body);
      return answer.mode === "sync" ? reply.code(200).send(answer.body) : reply.code(202).send(answer.body);
    },
  );
  app.post(
    "/api/forms/:id/upload",
    {
      config: authenticated,
      schema: {
        tags: ["forms"],
        summary:
          "A signed URL to PUT one file of a file field, and the path to submit as { path } " +
          "(429 past 5 pending uploads of the field until the form is submitted)",
        params: idParams,
        body: formUploadRequestSchema,
        response: { 200: formUploadResultSchema, ...protectedErrors, 429: errorBodySchema },
      },
    },
    (request) => runs.upload(requirePrincipal(request), request.params.id, request.body, originOf(request)),
  );
};
