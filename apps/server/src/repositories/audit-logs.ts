import { and, desc, eq, gte, like, lt, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db } from "../db/database.js";
import { auditLogs, organizations, roles, users, workflows } from "../db/schema/index.js";
import { decodeCursor, toPage, type Page } from "./pagination.js";

type AuditLogRow = typeof auditLogs.$inferSelect;
export type NamedAuditLogRow = AuditLogRow & {
  actorName: string | null;
  organizationName: string | null;
  resourceName: string | null;
};

type AuditFilters = {
  /** A user id, or the e-mail the entry recorded (any case). */
  actor?: string | undefined;
  /** Exact, or a prefix when it ends with ".". */
  action?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const actorUser = alias(users, "audit_actor");
const entryOrganization = alias(organizations, "audit_organization");
const resourceUser = alias(users, "audit_resource_user");
const resourceOrganization = alias(organizations, "audit_resource_organization");

/**
 * The resource id as a uuid when the entry's resource is of `type`, else NULL. `resource_id` is
 * text (config keys, file paths…): CASE evaluates its branches in order, so the cast only ever sees
 * a uuid, and the join can use the primary key's index.
 */
const resourceUuid = (type: string) =>
  sql`CASE WHEN ${auditLogs.resourceType} = ${type} AND ${auditLogs.resourceId} ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN ${auditLogs.resourceId}::uuid END`;

function filterConditions(filters: AuditFilters): (SQL | undefined)[] {
  const { actor, action, since, until } = filters;
  return [
    actor === undefined
      ? undefined
      : UUID.test(actor)
        ? eq(auditLogs.actorId, actor)
        : sql`lower(${auditLogs.actorEmail}) = ${actor.toLowerCase()}`,
    action === undefined
      ? undefined
      : action.endsWith(".")
        ? like(auditLogs.action, `${action.replace(/[\\%_]/g, "\\$&")}%`)
        : eq(auditLogs.action, action),
    since ? gte(auditLogs.createdAt, since) : undefined,
    until ? lt(auditLogs.createdAt, until) : undefined,
  ];
}

export class AuditLogsRepository {
  constructor(private readonly db: Db) {}

  async insert(values: typeof auditLogs.$inferInsert): Promise<void> {
    await this.db.insert(auditLogs).values(values);
  }

  /**
   * Newest first, filtered (AND); the cursor is the (createdAt, id) of the last row seen. The names
   * come in the same query: left joins on primary keys, so a deleted actor, organization or
   * resource leaves its name null.
   */
  async list(
    options: { limit: number; cursor?: string | undefined } & AuditFilters,
  ): Promise<Page<NamedAuditLogRow>> {
    const at = sql`date_trunc('milliseconds', ${auditLogs.createdAt})`;
    const before = options.cursor ? decodeCursor(options.cursor) : undefined;
    const where = and(
      before
        ? sql`(${at}, ${auditLogs.id}) < (${before.createdAt.toISOString()}::timestamptz, ${before.id}::uuid)`
        : undefined,
      ...filterConditions(options),
    );
    const rows = await this.db
      .select({
        entry: auditLogs,
        actorName: actorUser.name,
        organizationName: entryOrganization.name,
        resourceName: sql<
          string | null
        >`coalesce(${resourceUser.name}, ${resourceOrganization.name}, ${workflows.name}, ${roles.name})`,
      })
      .from(auditLogs)
      .leftJoin(actorUser, eq(actorUser.id, auditLogs.actorId))
      .leftJoin(entryOrganization, eq(entryOrganization.id, auditLogs.organizationId))
      .leftJoin(resourceUser, sql`${resourceUser.id} = ${resourceUuid("user")}`)
      .leftJoin(resourceOrganization, sql`${resourceOrganization.id} = ${resourceUuid("organization")}`)
      .leftJoin(workflows, sql`${workflows.id} = ${resourceUuid("workflow")}`)
      .leftJoin(roles, sql`${roles.id} = ${resourceUuid("role")}`)
      .where(where)
      .orderBy(desc(at), desc(auditLogs.id))
      .limit(options.limit + 1);
    return toPage(
      rows.map(({ entry, ...names }) => ({ ...entry, ...names })),
      options.limit,
      (row) => row,
    );
  }
}
