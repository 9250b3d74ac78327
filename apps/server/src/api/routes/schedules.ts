import {
  createScheduleSchema,
  listOf,
  scheduleListQuerySchema,
  scheduleSchema,
  scheduleValidationSchema,
  updateScheduleSchema,
  validateScheduleSchema,
} from "@bifrost/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { SchedulesService } from "../../services/schedules/schedules-service.js";
import { actorOf } from "../access.js";
import { idParams, platformAdminOnly, protectedErrors } from "./shared.js";

/** `/api/schedules` (API.md "Config, tables, schedules"): cron schedules, platform admins only. */
export const scheduleRoutes: FastifyPluginAsyncZod<{ schedules: SchedulesService }> = async (
  app,
  { schedules },
) => {
  app.post(
    "/api/schedules",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["schedules"],
        summary: "Create a cron schedule of a workflow; its runs act as the system user",
        body: createScheduleSchema,
        response: { 201: scheduleSchema, ...protectedErrors },
      },
    },
    async (request, reply) => reply.code(201).send(await schedules.create(request.body, actorOf(request))),
  );
  app.get(
    "/api/schedules",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["schedules"],
        querystring: scheduleListQuerySchema,
        response: { 200: listOf(scheduleSchema), ...protectedErrors },
      },
    },
    (request) => schedules.list(request.query),
  );
  app.post(
    "/api/schedules/validate",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["schedules"],
        summary: "Check a cron expression and timezone; preview the next 5 fire times",
        body: validateScheduleSchema,
        response: { 200: scheduleValidationSchema, ...protectedErrors },
      },
    },
    (request) => schedules.validate(request.body.cron, request.body.timezone),
  );
  app.patch(
    "/api/schedules/:id",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["schedules"],
        params: idParams,
        body: updateScheduleSchema,
        response: { 200: scheduleSchema, ...protectedErrors },
      },
    },
    (request) => schedules.update(request.params.id, request.body, actorOf(request)),
  );
  app.delete(
    "/api/schedules/:id",
    {
      config: platformAdminOnly,
      schema: { tags: ["schedules"], params: idParams, response: { 204: z.null(), ...protectedErrors } },
    },
    async (request, reply) => {
      await schedules.remove(request.params.id, actorOf(request));
      return reply.code(204).send(null);
    },
  );
};
