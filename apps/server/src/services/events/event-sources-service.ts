import type {
  CreateEventSource,
  CreateEventSubscription,
  EventDelivery,
  EventSource,
  EventSubscription,
  ReceivedEvent,
  UpdateEventSource,
  UpdateEventSubscription,
} from "@bifrost/contracts";
import { PROVIDER_ORGANIZATION_ID } from "../../db/schema/index.js";
import { ConflictError, NotFoundError, ValidationError } from "../../errors.js";
import type { SecretBox } from "../../infra/crypto/secret-box.js";
import type {
  DeliveryRow,
  EventRow,
  EventSourceRow,
  EventSubscriptionRow,
  EventsRepository,
} from "../../repositories/events.js";
import type { OrganizationsRepository } from "../../repositories/organizations.js";
import type { Page } from "../../repositories/pagination.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { AuditActor } from "../../principal.js";
import type { RunnableWorkflows } from "../workflows/runnable-workflows.js";
import { splitHeaders, type EventDeliverer } from "./event-deliveries.js";
import { WEBHOOK_SECRET_PURPOSE, type WebhookReceiver } from "./webhook-receiver.js";

const iso = (date: Date | null): string | null => date?.toISOString() ?? null;

const toSource = (row: EventSourceRow): EventSource => ({
  id: row.id,
  name: row.name,
  type: row.type,
  organizationId: row.organizationId,
  signatureHeader: row.signatureHeader,
  hasSecret: row.secretSealed !== null,
  rateLimitPerMinute: row.rateLimitPerMinute,
  enabled: row.enabled,
  hookPath: `/api/hooks/${row.id}`,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

const toSubscription = (row: EventSubscriptionRow): EventSubscription => ({
  id: row.id,
  sourceId: row.sourceId,
  workflowId: row.workflowId,
  inputMapping: row.inputMapping,
  enabled: row.enabled,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

const toEvent = (row: EventRow): ReceivedEvent => ({
  id: row.id,
  sourceId: row.sourceId,
  ...splitHeaders(row.headers),
  body: row.body,
  sourceIp: row.sourceIp,
  status: row.status,
  createdAt: row.createdAt.toISOString(),
});

const toDelivery = (row: DeliveryRow): EventDelivery => ({
  id: row.id,
  eventId: row.eventId,
  subscriptionId: row.subscriptionId,
  executionId: row.executionId,
  status: row.status,
  attempts: row.attempts,
  nextAttemptAt: row.status === "pending" ? iso(row.nextAttemptAt) : null,
  lastError: row.lastError,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

/** Event sources, subscriptions and received events (platform admins; API `/api/events`). */
export class EventSourcesService {
  constructor(
    private readonly deps: {
      events: EventsRepository;
      organizations: OrganizationsRepository;
      runnable: Pick<RunnableWorkflows, "forTrigger">;
      deliverer: EventDeliverer;
      receiver: WebhookReceiver;
      secretBox: SecretBox;
      audit: AuditLog;
    },
  ) {}

  async create(input: CreateEventSource, actor: AuditActor): Promise<EventSource> {
    await this.assertOrganization(input.organizationId ?? null);
    this.assertSignature(input.signatureHeader ?? null, input.secret ?? null);
    const row = await this.deps.events.insertSource({
      name: input.name,
      organizationId: input.organizationId ?? null,
      signatureHeader: input.signatureHeader ?? null,
      secretSealed: input.secret ? this.deps.secretBox.seal(input.secret, WEBHOOK_SECRET_PURPOSE) : null,
      rateLimitPerMinute: input.rateLimitPerMinute,
      enabled: input.enabled,
      createdBy: actor.userId ?? null,
    });
    await this.audit(actor, "event_source.create", row);
    return toSource(row);
  }

  async list(options: { limit: number; cursor?: string | undefined }): Promise<Page<EventSource>> {
    const page = await this.deps.events.listSources(options);
    return { items: page.items.map(toSource), nextCursor: page.nextCursor };
  }

  async get(id: string): Promise<EventSource> {
    return toSource(await this.source(id));
  }

  async update(id: string, input: UpdateEventSource, actor: AuditActor): Promise<EventSource> {
    const current = await this.source(id);
    if (input.organizationId !== undefined) await this.assertOrganization(input.organizationId);
    const header = input.signatureHeader !== undefined ? input.signatureHeader : current.signatureHeader;
    const secret =
      input.secret !== undefined
        ? input.secret && this.deps.secretBox.seal(input.secret, WEBHOOK_SECRET_PURPOSE)
        : current.secretSealed;
    this.assertSignature(header, secret);
    const row = await this.deps.events.updateSource(id, {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.organizationId !== undefined ? { organizationId: input.organizationId } : {}),
      ...(input.rateLimitPerMinute !== undefined ? { rateLimitPerMinute: input.rateLimitPerMinute } : {}),
      ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
      signatureHeader: header,
      secretSealed: secret,
    });
    if (!row) throw new NotFoundError("Event source not found");
    this.deps.receiver.forget(id);
    await this.audit(actor, "event_source.update", row);
    return toSource(row);
  }

  async delete(id: string, actor: AuditActor): Promise<void> {
    const row = await this.source(id);
    if (!(await this.deps.events.deleteSource(id))) throw new NotFoundError("Event source not found");
    this.deps.receiver.forget(id);
    await this.audit(actor, "event_source.delete", row);
  }

  async createSubscription(sourceId: string, input: CreateEventSubscription): Promise<EventSubscription> {
    const source = await this.source(sourceId);
    await this.assertWorkflow(source, input.workflowId);
    const row = await this.deps.events.insertSubscription(sourceId, input);
    this.deps.receiver.forget(sourceId);
    return toSubscription(row);
  }

  async listSubscriptions(sourceId: string): Promise<{ items: EventSubscription[]; nextCursor: null }> {
    await this.source(sourceId);
    return {
      items: (await this.deps.events.subscriptionsOf(sourceId)).map(toSubscription),
      nextCursor: null,
    };
  }

  async updateSubscription(
    sourceId: string,
    id: string,
    input: UpdateEventSubscription,
  ): Promise<EventSubscription> {
    const source = await this.source(sourceId);
    if (input.workflowId) await this.assertWorkflow(source, input.workflowId);
    const row = await this.deps.events.updateSubscription(sourceId, id, input);
    if (!row) throw new NotFoundError("Subscription not found");
    this.deps.receiver.forget(sourceId);
    return toSubscription(row);
  }

  async deleteSubscription(sourceId: string, id: string): Promise<void> {
    if (!(await this.deps.events.deleteSubscription(sourceId, id)))
      throw new NotFoundError("Subscription not found");
    this.deps.receiver.forget(sourceId);
  }

  async listEvents(
    sourceId: string,
    options: { limit: number; cursor?: string | undefined },
  ): Promise<Page<ReceivedEvent>> {
    await this.source(sourceId);
    const page = await this.deps.events.listEvents(sourceId, options);
    return { items: page.items.map(toEvent), nextCursor: page.nextCursor };
  }

  async getEvent(id: string): Promise<ReceivedEvent & { deliveries: EventDelivery[] }> {
    const row = await this.deps.events.findEvent(id);
    if (!row) throw new NotFoundError("Event not found");
    return { ...toEvent(row), deliveries: (await this.deps.events.deliveriesOf(id)).map(toDelivery) };
  }

  /** A retry by hand: one attempt now, whatever the delivery's state; 409 once it has delivered. */
  async retryDelivery(id: string, actor: AuditActor): Promise<EventDelivery> {
    const current = await this.deps.events.findDelivery(id);
    if (!current) throw new NotFoundError("Delivery not found");
    if (current.status === "delivered") throw new ConflictError("The delivery has already started its run");
    const reopened = await this.deps.events.reopen(id, this.deps.deliverer.options.leaseMs);
    if (!reopened) throw new NotFoundError("Delivery not found");
    const outcome = (await this.deps.deliverer.attempt(reopened)) ?? reopened;
    await this.deps.audit.record(actor, {
      action: "event_delivery.retry",
      resourceType: "event_delivery",
      resourceId: id,
      details: { status: outcome.status },
    });
    return toDelivery(outcome);
  }

  private async source(id: string): Promise<EventSourceRow> {
    const row = await this.deps.events.findSource(id);
    if (!row) throw new NotFoundError("Event source not found");
    return row;
  }

  private async assertOrganization(id: string | null): Promise<void> {
    if (id === null) return;
    const organization = await this.deps.organizations.find(id);
    if (!organization || organization.deletedAt) {
      throw new ValidationError("Unknown organization", [
        { path: "body.organizationId", message: "no such organization" },
      ]);
    }
  }

  private assertSignature(header: string | null, secret: string | null): void {
    if (header && !secret) {
      throw new ValidationError("A signature header needs a secret", [
        { path: "body.secret", message: "is required when signatureHeader is set" },
      ]);
    }
  }

  /** The workflow must exist and be global or the source's organization's. */
  private async assertWorkflow(source: EventSourceRow, workflowId: string): Promise<void> {
    const organizationId = source.organizationId ?? PROVIDER_ORGANIZATION_ID;
    // Inactive ones too: a subscription may wait for its workflow to come back.
    if (!(await this.deps.runnable.forTrigger(organizationId, workflowId, { active: false }))) {
      throw new ValidationError("Unknown workflow", [
        { path: "body.workflowId", message: "no such workflow in the source's organization or global" },
      ]);
    }
  }

  private async audit(actor: AuditActor, action: string, row: EventSourceRow): Promise<void> {
    await this.deps.audit.record(actor, {
      action,
      resourceType: "event_source",
      resourceId: row.id,
      details: { name: row.name },
    });
  }
}
