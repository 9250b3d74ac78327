import {
  batchAnswerSchema,
  batchDeleteAnswerSchema,
  batchDeleteSchema,
  countAnswerSchema,
  createTableSchema,
  documentBatchSchema,
  documentCountSchema,
  documentDetailSchema,
  documentPageSchema,
  documentParamsSchema,
  documentQuerySchema,
  insertDocumentSchema,
  listOf,
  patchDocumentSchema,
  tableListQuerySchema,
  tableParamsSchema,
  tableSchema,
  tableScopeQuerySchema,
  updateTableSchema,
  upsertDocumentSchema,
} from "@bifrost/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { DocumentsService } from "../../services/tables/documents-service.js";
import type { TableCaller, TablesService } from "../../services/tables/tables-service.js";
import { actorOf, requirePrincipal } from "../access.js";
import { protectedErrors } from "./shared.js";
import { dataScopeOf, type Principal } from "../../principal.js";

// Platform admins name the scope with `?scope=global|<orgId>` (names are looked up there, then
// global); a run's SDK always acts in its run's organization (principal.ts, dataScopeOf).
const adminOrRun = { access: "platformAdminOrRun" as const };
const tags = ["tables"];
const querystring = tableScopeQuerySchema;

/** Who asks, and in which scope, as the tables service takes it. */
function tableCallerOf(
  request: { principal: Principal | null; ip: string; id: string },
  scope: string | null | undefined,
): TableCaller {
  const principal = requirePrincipal(request);
  return {
    scope: dataScopeOf(principal, scope === "global" ? null : scope),
    userId: principal.userId,
    actor: actorOf(request),
  };
}

export const tableRoutes: FastifyPluginAsyncZod<{
  tables: TablesService;
  documents: DocumentsService;
}> = async (app, { tables, documents }) => {
  const who = (request: { principal: Principal | null; ip: string; id: string; query: { scope?: string } }) =>
    tableCallerOf(request, request.query.scope);

  app.post(
    "/api/tables",
    {
      config: adminOrRun,
      schema: {
        tags,
        summary: "Create a table; organizationId (platform admins) is its organization, absent: global",
        body: createTableSchema,
        response: { 201: tableSchema, ...protectedErrors },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await tables.create(tableCallerOf(request, request.body.organizationId), request.body)),
  );
  app.get(
    "/api/tables",
    {
      config: adminOrRun,
      schema: {
        tags,
        summary: "Tables: a run's organization and global ones; platform admins all, or one scope",
        querystring: tableListQuerySchema,
        response: { 200: listOf(tableSchema), ...protectedErrors },
      },
    },
    (request) => tables.list(tableCallerOf(request, undefined), request.query),
  );
  app.get(
    "/api/tables/:idOrName",
    {
      config: adminOrRun,
      schema: {
        tags,
        params: tableParamsSchema,
        querystring,
        response: { 200: tableSchema, ...protectedErrors },
      },
    },
    (request) => tables.get(who(request), request.params.idOrName),
  );
  app.patch(
    "/api/tables/:idOrName",
    {
      config: adminOrRun,
      schema: {
        tags,
        params: tableParamsSchema,
        querystring,
        body: updateTableSchema,
        response: { 200: tableSchema, ...protectedErrors },
      },
    },
    (request) => tables.update(who(request), request.params.idOrName, request.body),
  );
  app.delete(
    "/api/tables/:idOrName",
    {
      config: adminOrRun,
      schema: {
        tags,
        summary: "Delete a table and its documents",
        params: tableParamsSchema,
        querystring,
        response: { 204: z.null(), ...protectedErrors },
      },
    },
    async (request, reply) => {
      await tables.delete(who(request), request.params.idOrName);
      return reply.code(204).send(null);
    },
  );

  app.post(
    "/api/tables/:idOrName/documents",
    {
      config: adminOrRun,
      schema: {
        tags,
        summary: "Insert a document (id generated when absent; 409 when taken); a missing table is created",
        params: tableParamsSchema,
        querystring,
        body: insertDocumentSchema,
        response: { 201: documentDetailSchema, ...protectedErrors },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await documents.insert(who(request), request.params.idOrName, request.body)),
  );
  app.post(
    "/api/tables/:idOrName/documents/upsert",
    {
      config: adminOrRun,
      schema: {
        tags,
        summary: "Insert or replace the document with this id (one statement); a missing table is created",
        params: tableParamsSchema,
        querystring,
        body: upsertDocumentSchema,
        response: { 200: documentDetailSchema, ...protectedErrors },
      },
    },
    (request) => documents.upsert(who(request), request.params.idOrName, request.body),
  );
  app.post(
    "/api/tables/:idOrName/documents/query",
    {
      config: adminOrRun,
      schema: {
        tags,
        summary:
          "Documents matching `where` (API.md query DSL), ordered by a field of data, a page at a time",
        params: tableParamsSchema,
        querystring,
        body: documentQuerySchema,
        response: { 200: documentPageSchema, ...protectedErrors },
      },
    },
    (request) => documents.query(who(request), request.params.idOrName, request.body),
  );
  app.post(
    "/api/tables/:idOrName/documents/count",
    {
      config: adminOrRun,
      schema: {
        tags,
        params: tableParamsSchema,
        querystring,
        body: documentCountSchema,
        response: { 200: countAnswerSchema, ...protectedErrors },
      },
    },
    (request) => documents.count(who(request), request.params.idOrName, request.body.where),
  );
  app.post(
    "/api/tables/:idOrName/documents/batch",
    {
      config: adminOrRun,
      schema: {
        tags,
        summary: "Insert or upsert up to 1,000 documents in one statement; a missing table is created",
        params: tableParamsSchema,
        querystring,
        body: documentBatchSchema,
        response: { 200: batchAnswerSchema, ...protectedErrors },
      },
    },
    (request) => documents.batch(who(request), request.params.idOrName, request.body),
  );
  app.post(
    "/api/tables/:idOrName/documents/batch-delete",
    {
      config: adminOrRun,
      schema: {
        tags,
        params: tableParamsSchema,
        querystring,
        body: batchDeleteSchema,
        response: { 200: batchDeleteAnswerSchema, ...protectedErrors },
      },
    },
    (request) => documents.deleteMany(who(request), request.params.idOrName, request.body.ids),
  );
  app.get(
    "/api/tables/:idOrName/documents/:docId",
    {
      config: adminOrRun,
      schema: {
        tags,
        params: documentParamsSchema,
        querystring,
        response: { 200: documentDetailSchema, ...protectedErrors },
      },
    },
    (request) => documents.get(who(request), request.params.idOrName, request.params.docId),
  );
  app.patch(
    "/api/tables/:idOrName/documents/:docId",
    {
      config: adminOrRun,
      schema: {
        tags,
        summary: "Shallow merge: the given top-level fields replace the stored ones",
        params: documentParamsSchema,
        querystring,
        body: patchDocumentSchema,
        response: { 200: documentDetailSchema, ...protectedErrors },
      },
    },
    (request) =>
      documents.update(who(request), request.params.idOrName, request.params.docId, request.body.data),
  );
  app.delete(
    "/api/tables/:idOrName/documents/:docId",
    {
      config: adminOrRun,
      schema: {
        tags,
        params: documentParamsSchema,
        querystring,
        response: { 204: z.null(), ...protectedErrors },
      },
    },
    async (request, reply) => {
      await documents.delete(who(request), request.params.idOrName, request.params.docId);
      return reply.code(204).send(null);
    },
  );
};
