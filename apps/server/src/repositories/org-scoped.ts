import { and, eq, isNull, or, sql, type SQL } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import type { Db } from "../db/database.js";
import { userRoles } from "../db/schema/index.js";
import { keyset, toPage, type Page } from "./pagination.js";
import type { Caller } from "../principal.js";

/** `global` (organizationId null) or one organization's id; platform admins only. */
export type ScopeFilter = "global" | (string & {});

export type ScopedColumns = {
  id: PgColumn;
  organizationId: PgColumn;
  createdAt: PgColumn;
  /** For look-ups by name or key: the caller's organization first, then global. */
  name?: PgColumn;
  /** `authenticated` | `role_based`; role_based rows need a role shared with the caller. */
  accessLevel?: PgColumn;
};

export type RoleJunction = { table: PgTable; entityId: PgColumn; roleId: PgColumn };

/**
 * The one place that applies the tenancy rules of DESIGN.md §4; every repository of an
 * organization-scoped entity extends it, and routes never filter by hand.
 * - lists: the caller's organization plus global rows; platform admins see every organization and
 *   may narrow with a scope filter;
 * - by id: direct, then checked — out of scope is `undefined`, which the service answers as 404;
 * - by name: the caller's organization first, then global (the organization's row wins);
 * - `role_based` rows: visible to organization users who share a role with them (platform admins
 *   skip role checks, not scope).
 */
export class OrgScopedRepository<TTable extends PgTable> {
  /** The table as drizzle's base type: generic tables do not fit `from()`'s conditional type. */
  private readonly source: PgTable;

  constructor(
    protected readonly db: Db,
    protected readonly table: TTable,
    protected readonly columns: ScopedColumns,
    protected readonly roles?: RoleJunction,
  ) {
    this.source = table;
  }

  /** The WHERE that limits rows to what `caller` may see. */
  protected visibleTo(caller: Caller): SQL | undefined {
    if (caller.isSuperuser) return undefined;
    const inScope = or(
      eq(this.columns.organizationId, caller.organizationId),
      isNull(this.columns.organizationId),
    );
    if (!this.columns.accessLevel || !this.roles) return inScope;
    const { table, entityId, roleId } = this.roles;
    const sharesRole = sql`exists (select 1 from ${table} inner join ${userRoles} on ${userRoles.roleId} = ${roleId} where ${entityId} = ${this.columns.id} and ${userRoles.userId} = ${caller.userId})`;
    return and(inScope, or(sql`${this.columns.accessLevel} <> 'role_based'`, sharesRole));
  }

  async findById(caller: Caller, id: string): Promise<TTable["$inferSelect"] | undefined> {
    const rows = await this.select(and(eq(this.columns.id, id), this.visibleTo(caller)), 1);
    return rows[0];
  }

  /**
   * The row with this id whatever its scope: for the platform's own checks, where another rule than
   * the caller's scope decides (a trigger's organization, a platform admin's route).
   */
  async findAnyById(id: string): Promise<TTable["$inferSelect"] | undefined> {
    return (await this.select(eq(this.columns.id, id), 1))[0];
  }

  async findByName(caller: Caller, name: string): Promise<TTable["$inferSelect"] | undefined> {
    const column = this.columns.name;
    if (!column) throw new Error("this entity has no name column");
    // Two candidates at most (the organization's and the global one); the organization's wins.
    const ownFirst = sql`${this.columns.organizationId} is null`;
    const rows = await this.db
      .select()
      .from(this.source)
      .where(
        and(
          eq(column, name),
          or(eq(this.columns.organizationId, caller.organizationId), isNull(this.columns.organizationId)),
          this.visibleTo(caller),
        ),
      )
      .orderBy(ownFirst)
      .limit(1);
    return rows[0];
  }

  async list(
    caller: Caller,
    options: { limit: number; cursor?: string | undefined; scope?: ScopeFilter | undefined },
  ): Promise<Page<TTable["$inferSelect"]>> {
    const page = keyset({ createdAt: this.columns.createdAt, id: this.columns.id }, options.cursor);
    const scope =
      caller.isSuperuser && options.scope !== undefined
        ? options.scope === "global"
          ? isNull(this.columns.organizationId)
          : eq(this.columns.organizationId, options.scope)
        : undefined;
    const rows = (await this.db
      .select()
      .from(this.source)
      .where(and(this.visibleTo(caller), scope, page.where))
      .orderBy(...page.orderBy)
      .limit(options.limit + 1)) as Array<TTable["$inferSelect"] & { createdAt: Date; id: string }>;
    return toPage(rows, options.limit, (row) => row);
  }

  private async select(where: SQL | undefined, limit: number): Promise<Array<TTable["$inferSelect"]>> {
    return await this.db.select().from(this.source).where(where).limit(limit);
  }
}
