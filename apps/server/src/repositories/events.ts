import { and, asc, eq, inArray, isNotNull, lte, sql } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { eventDeliveries, eventSources, eventSubscriptions, events } from "../db/schema/index.js";
import { keyset, toPage, type Page } from "./pagination.js";

export type EventSourceRow = typeof eventSources.$inferSelect;
export type EventSourceFields = Omit<typeof eventSources.$inferInsert, "id" | "createdAt" | "updatedAt">;
export type EventSubscriptionRow = typeof eventSubscriptions.$inferSelect;
export type EventSubscriptionFields = Omit<
  typeof eventSubscriptions.$inferInsert,
  "id" | "sourceId" | "createdAt" | "updatedAt"
>;
export type EventRow = typeof events.$inferSelect;
export type NewEvent = Pick<typeof events.$inferInsert, "sourceId" | "headers" | "body" | "sourceIp">;
export type DeliveryRow = typeof eventDeliveries.$inferSelect;

/** Event sources, subscriptions, received events and their deliveries (platform admins only). */
export class EventsRepository {
  constructor(private readonly db: Db) {}

  async insertSource(fields: EventSourceFields): Promise<EventSourceRow> {
    const [row] = await this.db.insert(eventSources).values(fields).returning();
    if (!row) throw new Error("insert returned no row");
    return row;
  }

  async findSource(id: string): Promise<EventSourceRow | undefined> {
    const [row] = await this.db.select().from(eventSources).where(eq(eventSources.id, id));
    return row;
  }

  async listSources(options: { limit: number; cursor?: string | undefined }): Promise<Page<EventSourceRow>> {
    const page = keyset(eventSources, options.cursor);
    const rows = await this.db
      .select()
      .from(eventSources)
      .where(page.where)
      .orderBy(...page.orderBy)
      .limit(options.limit + 1);
    return toPage(rows, options.limit, (row) => row);
  }

  async updateSource(id: string, fields: Partial<EventSourceFields>): Promise<EventSourceRow | undefined> {
    const [row] = await this.db
      .update(eventSources)
      .set({ ...fields, updatedAt: new Date() })
      .where(eq(eventSources.id, id))
      .returning();
    return row;
  }

  async deleteSource(id: string): Promise<boolean> {
    const rows = await this.db
      .delete(eventSources)
      .where(eq(eventSources.id, id))
      .returning({ id: eventSources.id });
    return rows.length > 0;
  }

  async insertSubscription(sourceId: string, fields: EventSubscriptionFields): Promise<EventSubscriptionRow> {
    const [row] = await this.db
      .insert(eventSubscriptions)
      .values({ ...fields, sourceId })
      .returning();
    if (!row) throw new Error("insert returned no row");
    return row;
  }

  async subscriptionsOf(sourceId: string, enabledOnly = false): Promise<EventSubscriptionRow[]> {
    return await this.db
      .select()
      .from(eventSubscriptions)
      .where(
        and(
          eq(eventSubscriptions.sourceId, sourceId),
          enabledOnly ? eq(eventSubscriptions.enabled, true) : undefined,
        ),
      )
      .orderBy(asc(eventSubscriptions.createdAt), asc(eventSubscriptions.id));
  }

  async findSubscription(id: string): Promise<EventSubscriptionRow | undefined> {
    const [row] = await this.db.select().from(eventSubscriptions).where(eq(eventSubscriptions.id, id));
    return row;
  }

  async updateSubscription(
    sourceId: string,
    id: string,
    fields: Partial<EventSubscriptionFields>,
  ): Promise<EventSubscriptionRow | undefined> {
    const [row] = await this.db
      .update(eventSubscriptions)
      .set({ ...fields, updatedAt: new Date() })
      .where(and(eq(eventSubscriptions.id, id), eq(eventSubscriptions.sourceId, sourceId)))
      .returning();
    return row;
  }

  async deleteSubscription(sourceId: string, id: string): Promise<boolean> {
    const rows = await this.db
      .delete(eventSubscriptions)
      .where(and(eq(eventSubscriptions.id, id), eq(eventSubscriptions.sourceId, sourceId)))
      .returning({ id: eventSubscriptions.id });
    return rows.length > 0;
  }

  /**
   * Stores an event with one pending delivery per subscription, in one transaction. Deliveries are
   * due at `safetyAt`: the receiver delivers at once, and the retry job only picks up a delivery
   * whose process died before it could.
   */
  async insertEvent(
    event: NewEvent,
    subscriptionIds: readonly string[],
    safetyAt: Date,
  ): Promise<{ event: EventRow; deliveries: DeliveryRow[] }> {
    const status = subscriptionIds.length === 0 ? "no_subscribers" : "received";
    if (subscriptionIds.length === 0) {
      const [row] = await this.db
        .insert(events)
        .values({ ...event, status })
        .returning();
      if (!row) throw new Error("insert returned no row");
      return { event: row, deliveries: [] };
    }
    return await this.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(events)
        .values({ ...event, status })
        .returning();
      if (!row) throw new Error("insert returned no row");
      const deliveries = await tx
        .insert(eventDeliveries)
        .values(
          subscriptionIds.map((subscriptionId) => ({
            eventId: row.id,
            subscriptionId,
            nextAttemptAt: safetyAt,
          })),
        )
        .returning();
      return { event: row, deliveries };
    });
  }

  async listEvents(
    sourceId: string,
    options: { limit: number; cursor?: string | undefined },
  ): Promise<Page<EventRow>> {
    const page = keyset(events, options.cursor, "desc");
    const rows = await this.db
      .select()
      .from(events)
      .where(and(eq(events.sourceId, sourceId), page.where))
      .orderBy(...page.orderBy)
      .limit(options.limit + 1);
    return toPage(rows, options.limit, (row) => row);
  }

  async findEvent(id: string): Promise<EventRow | undefined> {
    const [row] = await this.db.select().from(events).where(eq(events.id, id));
    return row;
  }

  async deliveriesOf(eventId: string): Promise<DeliveryRow[]> {
    return await this.db
      .select()
      .from(eventDeliveries)
      .where(eq(eventDeliveries.eventId, eventId))
      .orderBy(asc(eventDeliveries.createdAt), asc(eventDeliveries.id));
  }

  async findDelivery(id: string): Promise<DeliveryRow | undefined> {
    const [row] = await this.db.select().from(eventDeliveries).where(eq(eventDeliveries.id, id));
    return row;
  }

  /**
   * Claims up to `limit` due pending deliveries: `FOR UPDATE SKIP LOCKED` so concurrent passes
   * never take the same row, and the claim pushes `next_attempt_at` by `leaseMs` so a pass that
   * dies mid-way leaves them to be picked up again later.
   */
  async claimDue(limit: number, leaseMs: number): Promise<DeliveryRow[]> {
    const due = this.db
      .select({ id: eventDeliveries.id })
      .from(eventDeliveries)
      .where(
        and(
          eq(eventDeliveries.status, "pending"),
          isNotNull(eventDeliveries.nextAttemptAt),
          lte(eventDeliveries.nextAttemptAt, sql`now()`),
        ),
      )
      .orderBy(asc(eventDeliveries.nextAttemptAt))
      .limit(limit)
      .for("update", { skipLocked: true });
    return await this.db
      .update(eventDeliveries)
      .set({ nextAttemptAt: sql`now() + ${`${leaseMs} milliseconds`}::interval`, updatedAt: new Date() })
      .where(inArray(eventDeliveries.id, due))
      .returning();
  }

  /** Records one attempt's outcome, then the event's status from all of its deliveries. */
  async recordAttempt(
    delivery: DeliveryRow,
    outcome: { ok: true; executionId: string } | { ok: false; error: string; nextAttemptAt: Date | null },
  ): Promise<DeliveryRow | undefined> {
    const [row] = await this.db
      .update(eventDeliveries)
      .set(
        outcome.ok
          ? { status: "delivered", executionId: outcome.executionId, nextAttemptAt: null, lastError: null }
          : {
              status: outcome.nextAttemptAt ? "pending" : "failed",
              nextAttemptAt: outcome.nextAttemptAt,
              lastError: outcome.error.slice(0, 2000),
            },
      )
      .where(eq(eventDeliveries.id, delivery.id))
      .returning();
    await this.db.execute(sql`
      update events e set status = s.status from (
        select case
          when count(*) filter (where d.status = 'pending') > 0 then 'received'
          when count(*) filter (where d.status = 'failed') = 0 then 'delivered'
          when count(*) filter (where d.status = 'delivered') = 0 then 'failed'
          else 'partially_failed' end as status
        from event_deliveries d where d.event_id = ${delivery.eventId}) s
      where e.id = ${delivery.eventId} and e.status <> s.status`);
    return row;
  }

  /** Counts the attempt before it is made, so a crash mid-attempt still uses one up. */
  async startAttempt(id: string): Promise<DeliveryRow | undefined> {
    const [row] = await this.db
      .update(eventDeliveries)
      .set({ attempts: sql`${eventDeliveries.attempts} + 1`, updatedAt: new Date() })
      .where(eq(eventDeliveries.id, id))
      .returning();
    return row;
  }

  /** A manual retry: the delivery is pending again (it is attempted at once by the caller). */
  async reopen(id: string, leaseMs: number): Promise<DeliveryRow | undefined> {
    const [row] = await this.db
      .update(eventDeliveries)
      .set({
        status: "pending",
        nextAttemptAt: sql`now() + ${`${leaseMs} milliseconds`}::interval`,
        updatedAt: new Date(),
      })
      .where(eq(eventDeliveries.id, id))
      .returning();
    return row;
  }
}
