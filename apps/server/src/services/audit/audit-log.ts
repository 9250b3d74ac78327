import type { AuditEntry, AuditQuery } from "@bifrost/contracts";
import type { AuditLogsRepository, NamedAuditLogRow } from "../../repositories/audit-logs.js";
import type { Page } from "../../repositories/pagination.js";
import type { AuditActor } from "../../principal.js";

export type AuditEvent = {
  action: string;
  resourceType: string;
  resourceId?: string | undefined;
  outcome?: "success" | "failure";
  /** Never a secret or a password: names, ids and reasons only. */
  details?: Record<string, unknown>;
};

const toEntry = (row: NamedAuditLogRow): AuditEntry => ({
  id: row.id,
  action: row.action,
  resourceType: row.resourceType,
  resourceId: row.resourceId,
  actorId: row.actorId,
  actorEmail: row.actorEmail,
  actorName: row.actorName,
  organizationId: row.organizationId,
  organizationName: row.organizationName,
  resourceName: row.resourceName,
  ipAddress: row.ipAddress,
  requestId: row.requestId,
  details: row.details,
  createdAt: row.createdAt.toISOString(),
});

/** Append-only record of who changed what, when, from where, and whether it worked. */
export class AuditLog {
  constructor(private readonly repository: AuditLogsRepository) {}

  async record(actor: AuditActor, event: AuditEvent): Promise<void> {
    await this.repository.insert({
      action: event.action,
      resourceType: event.resourceType,
      resourceId: event.resourceId ?? null,
      actorId: actor.userId ?? null,
      actorEmail: actor.email ?? null,
      organizationId: actor.organizationId ?? null,
      ipAddress: actor.ip ?? null,
      requestId: actor.requestId ?? null,
      details: { outcome: event.outcome ?? "success", ...event.details },
    });
  }

  async list(query: AuditQuery): Promise<Page<AuditEntry>> {
    const page = await this.repository.list({
      limit: query.limit,
      cursor: query.cursor,
      actor: query.actor,
      action: query.action,
      since: query.since === undefined ? undefined : new Date(query.since),
      until: query.until === undefined ? undefined : new Date(query.until),
    });
    return { items: page.items.map(toEntry), nextCursor: page.nextCursor };
  }
}
