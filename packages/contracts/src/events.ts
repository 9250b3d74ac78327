import { z } from "zod";

/**
 * Event sources (webhooks), their subscriptions, received events and deliveries (API
 * `/api/events/*`, platform admins). The public receiver is `POST /api/hooks/{sourceId}`.
 */

const signatureHeaderSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9-]{1,100}$/, "must be an HTTP header name");

export const createEventSourceSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  /** The organization the runs belong to; omitted: the provider organization. */
  organizationId: z.guid().nullable().optional(),
  /** Header carrying the HMAC-SHA256 of the raw body (hex or `sha256=<hex>`); null: no check. */
  signatureHeader: signatureHeaderSchema.nullable().optional(),
  /** The HMAC secret; stored sealed and never returned. */
  secret: z.string().min(1).max(1000).nullable().optional(),
  rateLimitPerMinute: z.number().int().min(1).max(1_000_000).default(60),
  enabled: z.boolean().default(true),
});
export type CreateEventSource = z.infer<typeof createEventSourceSchema>;

export const updateEventSourceSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  organizationId: z.guid().nullable().optional(),
  signatureHeader: signatureHeaderSchema.nullable().optional(),
  secret: z.string().min(1).max(1000).nullable().optional(),
  rateLimitPerMinute: z.number().int().min(1).max(1_000_000).optional(),
  enabled: z.boolean().optional(),
});
export type UpdateEventSource = z.infer<typeof updateEventSourceSchema>;

export const eventSourceSchema = z.object({
  id: z.guid(),
  name: z.string(),
  type: z.literal("webhook"),
  organizationId: z.guid().nullable(),
  signatureHeader: z.string().nullable(),
  /** Whether a secret is set (the secret itself is never returned). */
  hasSecret: z.boolean(),
  rateLimitPerMinute: z.number().int(),
  enabled: z.boolean(),
  /** The public receiver's path. */
  hookPath: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type EventSource = z.infer<typeof eventSourceSchema>;

/** `{{ path }}` templates over `{ body, headers, query, sourceIp, receivedAt }`, nested as JSON. */
const inputMappingSchema = z.record(z.string(), z.unknown());

export const createEventSubscriptionSchema = z.strictObject({
  workflowId: z.guid(),
  inputMapping: inputMappingSchema.default({}),
  enabled: z.boolean().default(true),
});
export type CreateEventSubscription = z.infer<typeof createEventSubscriptionSchema>;

export const updateEventSubscriptionSchema = z.strictObject({
  workflowId: z.guid().optional(),
  inputMapping: inputMappingSchema.optional(),
  enabled: z.boolean().optional(),
});
export type UpdateEventSubscription = z.infer<typeof updateEventSubscriptionSchema>;

export const eventSubscriptionSchema = z.object({
  id: z.guid(),
  sourceId: z.guid(),
  workflowId: z.guid(),
  inputMapping: inputMappingSchema,
  enabled: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type EventSubscription = z.infer<typeof eventSubscriptionSchema>;

export const eventStatusSchema = z.enum([
  "received",
  "delivered",
  "partially_failed",
  "failed",
  "no_subscribers",
]);
export const deliveryStatusSchema = z.enum(["pending", "delivered", "failed"]);

export const eventDeliverySchema = z.object({
  id: z.guid(),
  eventId: z.guid(),
  subscriptionId: z.guid(),
  executionId: z.guid().nullable(),
  status: deliveryStatusSchema,
  attempts: z.number().int(),
  nextAttemptAt: z.string().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type EventDelivery = z.infer<typeof eventDeliverySchema>;

export const receivedEventSchema = z.object({
  id: z.guid(),
  sourceId: z.guid(),
  headers: z.record(z.string(), z.string()),
  query: z.record(z.string(), z.unknown()),
  body: z.unknown(),
  sourceIp: z.string().nullable(),
  status: eventStatusSchema,
  createdAt: z.string(),
});
export type ReceivedEvent = z.infer<typeof receivedEventSchema>;

export const receivedEventWithDeliveriesSchema = receivedEventSchema.extend({
  deliveries: z.array(eventDeliverySchema),
});
export type ReceivedEventWithDeliveries = z.infer<typeof receivedEventWithDeliveriesSchema>;

export const subscriptionParamsSchema = z.object({ id: z.guid(), subId: z.guid() });
export const eventIdParamsSchema = z.object({ eventId: z.guid() });
export const deliveryIdParamsSchema = z.object({ deliveryId: z.guid() });
export const hookParamsSchema = z.object({ sourceId: z.string().max(100) });

export const hookAcceptedSchema = z.object({ eventId: z.guid() });
