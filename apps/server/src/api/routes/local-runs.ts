import {
  errorBodySchema,
  localRunFinishSchema,
  localRunHeartbeatSchema,
  localRunLogsSchema,
  localRunStartedSchema,
  localRunStartSchema,
} from "@bifrost/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { LocalRuns } from "../../services/execution/local/local-runs.js";
import { actorOf, requireUserPrincipal } from "../access.js";
import { idParams, platformAdminOnly, protectedErrors } from "./shared.js";

/** Room for a batch of log lines (the CLI sends about 1 MiB at most at a time). */
const LOGS_BODY_LIMIT = 4 * 1024 * 1024;

/**
 * Local runs (`bifrost run --local`): started, kept alive, logged and finished by the author's CLI.
 * Platform admins only, and only with their own login — a run's execution token is refused (403), and
 * another admin's local run is not found (404).
 */
export const localRunRoutes: FastifyPluginAsyncZod<{ localRuns: LocalRuns }> = async (app, { localRuns }) => {
  app.post(
    "/api/local-runs",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["executions"],
        summary: "Start a local run: the execution row (marked local), its token and where its code is",
        body: localRunStartSchema,
        response: { 201: localRunStartedSchema, ...protectedErrors },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await localRuns.start(requireUserPrincipal(request), request.body, actorOf(request))),
  );
  app.post(
    "/api/local-runs/:id/heartbeat",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["executions"],
        summary: "Keep a local run alive; answers its status (Cancelling: stop it and finish)",
        params: idParams,
        response: { 200: localRunHeartbeatSchema, ...protectedErrors },
      },
    },
    (request) => localRuns.heartbeat(requireUserPrincipal(request), request.params.id),
  );
  app.post(
    "/api/local-runs/:id/logs",
    {
      config: platformAdminOnly,
      bodyLimit: LOGS_BODY_LIMIT,
      schema: {
        tags: ["executions"],
        summary: "Log lines of a local run, in order (stored and streamed live)",
        params: idParams,
        body: localRunLogsSchema,
        response: { 204: z.null(), ...protectedErrors, 413: errorBodySchema },
      },
    },
    async (request, reply) => {
      await localRuns.appendLogs(requireUserPrincipal(request), request.params.id, request.body.lines);
      return reply.code(204).send(null);
    },
  );
  app.post(
    "/api/local-runs/:id/finish",
    {
      config: platformAdminOnly,
      // A result at its limit, escaped in JSON, with room for the rest of the body.
      bodyLimit: 2 * localRuns.maxResultBytes + 1024 * 1024,
      schema: {
        tags: ["executions"],
        summary: "The outcome of a local run (a result over BIFROST_MAX_RESULT_BYTES fails it)",
        params: idParams,
        body: localRunFinishSchema,
        response: { 200: localRunHeartbeatSchema, ...protectedErrors, 413: errorBodySchema },
      },
    },
    (request) => localRuns.finish(requireUserPrincipal(request), request.params.id, request.body),
  );
};
