import {
  createEventSourceSchema,
  createEventSubscriptionSchema,
  deliveryIdParamsSchema,
  errorBodySchema,
  eventDeliverySchema,
  eventIdParamsSchema,
  eventSourceSchema,
  eventSubscriptionSchema,
  hookAcceptedSchema,
  hookParamsSchema,
  listOf,
  listQuerySchema,
  receivedEventSchema,
  receivedEventWithDeliveriesSchema,
  subscriptionParamsSchema,
  updateEventSourceSchema,
  updateEventSubscriptionSchema,
} from "@bifrost/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { EventSourcesService } from "../../services/events/event-sources-service.js";
import type { WebhookReceiver } from "../../services/events/webhook-receiver.js";
import { actorOf } from "../access.js";
import { idParams, platformAdminOnly, protectedErrors } from "./shared.js";

const tags = ["events"];

/** Event sources, subscriptions, events and deliveries: platform admins only. */
export const eventRoutes: FastifyPluginAsyncZod<{ events: EventSourcesService }> = async (
  app,
  { events },
) => {
  const config = platformAdminOnly;
  app.post(
    "/api/events/sources",
    {
      config,
      schema: {
        tags,
        body: createEventSourceSchema,
        response: { 201: eventSourceSchema, ...protectedErrors },
      },
    },
    async (request, reply) => reply.code(201).send(await events.create(request.body, actorOf(request))),
  );
  app.get(
    "/api/events/sources",
    {
      config,
      schema: {
        tags,
        querystring: listQuerySchema,
        response: { 200: listOf(eventSourceSchema), ...protectedErrors },
      },
    },
    (request) => events.list(request.query),
  );
  app.get(
    "/api/events/sources/:id",
    { config, schema: { tags, params: idParams, response: { 200: eventSourceSchema, ...protectedErrors } } },
    (request) => events.get(request.params.id),
  );
  app.patch(
    "/api/events/sources/:id",
    {
      config,
      schema: {
        tags,
        params: idParams,
        body: updateEventSourceSchema,
        response: { 200: eventSourceSchema, ...protectedErrors },
      },
    },
    (request) => events.update(request.params.id, request.body, actorOf(request)),
  );
  app.delete(
    "/api/events/sources/:id",
    { config, schema: { tags, params: idParams, response: { 204: z.null(), ...protectedErrors } } },
    async (request, reply) => {
      await events.delete(request.params.id, actorOf(request));
      return reply.code(204).send(null);
    },
  );
  app.post(
    "/api/events/sources/:id/subscriptions",
    {
      config,
      schema: {
        tags,
        params: idParams,
        body: createEventSubscriptionSchema,
        response: { 201: eventSubscriptionSchema, ...protectedErrors },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await events.createSubscription(request.params.id, request.body)),
  );
  app.get(
    "/api/events/sources/:id/subscriptions",
    {
      config,
      schema: {
        tags,
        params: idParams,
        response: { 200: listOf(eventSubscriptionSchema), ...protectedErrors },
      },
    },
    (request) => events.listSubscriptions(request.params.id),
  );
  app.patch(
    "/api/events/sources/:id/subscriptions/:subId",
    {
      config,
      schema: {
        tags,
        params: subscriptionParamsSchema,
        body: updateEventSubscriptionSchema,
        response: { 200: eventSubscriptionSchema, ...protectedErrors },
      },
    },
    (request) => events.updateSubscription(request.params.id, request.params.subId, request.body),
  );
  app.delete(
    "/api/events/sources/:id/subscriptions/:subId",
    {
      config,
      schema: { tags, params: subscriptionParamsSchema, response: { 204: z.null(), ...protectedErrors } },
    },
    async (request, reply) => {
      await events.deleteSubscription(request.params.id, request.params.subId);
      return reply.code(204).send(null);
    },
  );
  app.get(
    "/api/events/sources/:id/events",
    {
      config,
      schema: {
        tags,
        summary: "Events received by a source, newest first",
        params: idParams,
        querystring: listQuerySchema,
        response: { 200: listOf(receivedEventSchema), ...protectedErrors },
      },
    },
    (request) => events.listEvents(request.params.id, request.query),
  );
  app.get(
    "/api/events/:eventId",
    {
      config,
      schema: {
        tags,
        params: eventIdParamsSchema,
        response: { 200: receivedEventWithDeliveriesSchema, ...protectedErrors },
      },
    },
    (request) => events.getEvent(request.params.eventId),
  );
  app.post(
    "/api/events/deliveries/:deliveryId/retry",
    {
      config,
      schema: {
        tags,
        summary: "Attempt a delivery again now (by hand)",
        params: deliveryIdParamsSchema,
        response: { 200: eventDeliverySchema, ...protectedErrors },
      },
    },
    (request) => events.retryDelivery(request.params.deliveryId, actorOf(request)),
  );
};

/**
 * The public webhook receiver. The body is read raw (any content type) because the signature is
 * computed over the exact bytes; the receiver parses it afterwards. The parsers are this plugin's
 * own (Fastify encapsulation), so no other route accepts non-JSON bodies.
 */
export const hookRoutes: FastifyPluginAsyncZod<{ receiver: WebhookReceiver }> = async (app, { receiver }) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
  app.post(
    "/api/hooks/:sourceId",
    {
      config: { access: "public" },
      schema: {
        tags,
        summary: "Receive a webhook (no login; HMAC-SHA256 signature when the source has a secret)",
        params: hookParamsSchema,
        response: {
          202: hookAcceptedSchema,
          401: errorBodySchema,
          404: errorBodySchema,
          429: errorBodySchema,
        },
      },
    },
    async (request, reply) => {
      const accepted = await receiver.receive({
        sourceId: request.params.sourceId,
        rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
        contentType: request.headers["content-type"],
        headers: request.headers,
        query: (request.query ?? {}) as Record<string, unknown>,
        ip: request.ip,
      });
      return reply.code(202).send(accepted);
    },
  );
};
