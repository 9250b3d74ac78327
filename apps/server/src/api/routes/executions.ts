import {
  errorBodySchema,
  executeAcceptedSchema,
  executeRequestSchema,
  executeSyncResultSchema,
  executionDetailSchema,
  executionListQuerySchema,
  executionLogSchema,
  executionLogsQuerySchema,
  executionSummarySchema,
  listOf,
} from "@bifrost/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { ExecutionQueries } from "../../services/execution/accept/execution-queries.js";
import type { ExecutionService } from "../../services/execution/accept/execution-service.js";
import { requirePrincipal } from "../access.js";
import { idParams, protectedErrors } from "./shared.js";

const authenticated = { access: "authenticated" as const };

const idempotencyHeaders = z.object({
  "idempotency-key": z.string().min(1).max(200).optional(),
});

export const executionRoutes: FastifyPluginAsyncZod<{
  executions: ExecutionService;
  queries: ExecutionQueries;
}> = async (app, { executions, queries }) => {
  app.post(
    "/api/workflows/execute",
    {
      config: authenticated,
      schema: {
        tags: ["executions"],
        summary: "Run a workflow: 202 with the execution id, or 200 with the result when sync",
        headers: idempotencyHeaders,
        body: executeRequestSchema,
        response: {
          200: executeSyncResultSchema,
          202: executeAcceptedSchema,
          ...protectedErrors,
          503: errorBodySchema,
          504: errorBodySchema,
        },
      },
    },
    async (request, reply) => {
      const principal = requirePrincipal(request);
      const answer = await executions.execute(principal, request.body, {
        idempotencyKey: request.headers["idempotency-key"],
        // A run started by another run's SDK (`workflows.execute`) says so in the history.
        triggeredBy: principal.via === "execution" ? "workflow" : "user",
      });
      return answer.mode === "sync" ? reply.code(200).send(answer.body) : reply.code(202).send(answer.body);
    },
  );
  app.get(
    "/api/executions",
    {
      config: authenticated,
      schema: {
        tags: ["executions"],
        summary: "Execution history, newest first: one's own runs, or all for platform admins",
        querystring: executionListQuerySchema,
        response: { 200: listOf(executionSummarySchema), ...protectedErrors },
      },
    },
    (request) => queries.list(requirePrincipal(request), request.query),
  );
  app.get(
    "/api/executions/:id",
    {
      config: authenticated,
      schema: {
        tags: ["executions"],
        params: idParams,
        response: { 200: executionDetailSchema, ...protectedErrors },
      },
    },
    (request) => queries.get(requirePrincipal(request), request.params.id),
  );
  app.get(
    "/api/executions/:id/logs",
    {
      config: authenticated,
      schema: {
        tags: ["executions"],
        summary: "Log lines in sequence order; `cursor` is the last sequence read",
        params: idParams,
        querystring: executionLogsQuerySchema,
        response: { 200: listOf(executionLogSchema), ...protectedErrors },
      },
    },
    (request) => queries.logs(requirePrincipal(request), request.params.id, request.query),
  );
  app.get(
    "/api/executions/:id/result",
    {
      config: authenticated,
      schema: {
        tags: ["executions"],
        summary: "The result as JSON, including results over 1 MB",
        params: idParams,
        response: { 200: z.any().describe("the stored result (JSON)"), ...protectedErrors },
      },
    },
    async (request, reply) => {
      const body = await queries.result(requirePrincipal(request), request.params.id);
      // A Buffer is sent as it is: the stored JSON is not parsed and serialized again.
      return reply.type("application/json").send(body);
    },
  );
  app.post(
    "/api/executions/:id/rerun",
    {
      config: authenticated,
      schema: {
        tags: ["executions"],
        summary:
          "Run an execution's workflow again: same input and organization, a new execution linked to it",
        params: idParams,
        response: { 202: executeAcceptedSchema, ...protectedErrors, 503: errorBodySchema },
      },
    },
    async (request, reply) => {
      const answer = await executions.rerun(requirePrincipal(request), request.params.id);
      const { executionId, status } = answer.body;
      return reply.code(202).send({ executionId, status });
    },
  );
  app.post(
    "/api/executions/:id/cancel",
    {
      config: authenticated,
      schema: {
        tags: ["executions"],
        summary: "Pending or Scheduled: Cancelled at once; Running: Cancelling, then Cancelled",
        params: idParams,
        response: { 200: executionDetailSchema, ...protectedErrors },
      },
    },
    async (request) => {
      const row = await executions.cancel(requirePrincipal(request), request.params.id);
      return queries.get(requirePrincipal(request), row.id);
    },
  );
};
