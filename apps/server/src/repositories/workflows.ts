import { withPropertyOrder, type DiscoveredDefinition } from "@bifrost/contracts";
import { and, asc, eq, inArray, isNull, ne, notInArray, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { workflowRoles, workflows, type WorkflowType } from "../db/schema/index.js";
import { OrgScopedRepository, type ScopeFilter } from "./org-scoped.js";
import { keyset, toPage, type Page } from "./pagination.js";
import { type Caller } from "../principal.js";
import { existingRoleIds } from "./roles.js";

export type WorkflowRow = typeof workflows.$inferSelect;
export type WorkflowSettings = Partial<
  Pick<
    WorkflowRow,
    | "timeoutSeconds"
    | "accessLevel"
    | "organizationId"
    | "endpointEnabled"
    | "executionMode"
    | "allowedMethods"
    | "cacheTtlSeconds"
    | "retryPolicy"
  >
>;
/** What the OpenAPI document shows of a workflow endpoint. */
export type EnabledEndpoint = Pick<
  WorkflowRow,
  "name" | "description" | "parametersSchema" | "executionMode" | "allowedMethods"
>;
export type WorkflowFilters = {
  limit: number;
  cursor?: string | undefined;
  scope?: ScopeFilter | undefined;
  type?: WorkflowType | undefined;
  isActive?: boolean | undefined;
};

/**
 * Transaction-scoped advisory lock taken by every change that could give two active workflows one
 * name in one scope (workspace writes, scope moves): checks made under it see all earlier changes.
 */
export const WORKFLOW_NAMES_LOCK = sql`select pg_advisory_xact_lock(hashtext('bifrost.workflow-names'))`;

/**
 * The workflow registry. Tenancy and roles are OrgScopedRepository's; on top of them an
 * organization user never sees an inactive workflow (its export is gone: it can no longer run),
 * while platform admins see those too, for history.
 */
export class WorkflowsRepository extends OrgScopedRepository<typeof workflows> {
  constructor(db: Db) {
    super(
      db,
      workflows,
      {
        id: workflows.id,
        organizationId: workflows.organizationId,
        createdAt: workflows.createdAt,
        name: workflows.name,
        accessLevel: workflows.accessLevel,
      },
      { table: workflowRoles, entityId: workflowRoles.workflowId, roleId: workflowRoles.roleId },
    );
  }

  protected override visibleTo(caller: Caller): SQL | undefined {
    const scoped = super.visibleTo(caller);
    return caller.isSuperuser ? scoped : and(scoped, eq(workflows.isActive, true));
  }

  /** The list of GET /api/workflows; the `scope` and `isActive` filters apply to platform admins only. */
  async search(caller: Caller, filters: WorkflowFilters): Promise<Page<WorkflowRow>> {
    const admin = caller.isSuperuser;
    const page = keyset(workflows, filters.cursor);
    const scope =
      admin && filters.scope !== undefined
        ? filters.scope === "global"
          ? isNull(workflows.organizationId)
          : eq(workflows.organizationId, filters.scope)
        : undefined;
    const rows = await this.db
      .select()
      .from(workflows)
      .where(
        and(
          this.visibleTo(caller),
          scope,
          filters.type ? eq(workflows.type, filters.type) : undefined,
          admin && filters.isActive !== undefined ? eq(workflows.isActive, filters.isActive) : undefined,
          page.where,
        ),
      )
      .orderBy(...page.orderBy)
      .limit(filters.limit + 1);
    return toPage(rows, filters.limit, (row) => row);
  }

  /**
   * An active workflow `caller` may run, by name: the caller's organization first, then global.
   * For a platform admin "the caller's organization" is the one the run is for.
   */
  async findRunnableByName(caller: Caller, name: string): Promise<WorkflowRow | undefined> {
    const [row] = await this.db
      .select()
      .from(workflows)
      .where(
        and(
          eq(workflows.name, name),
          eq(workflows.isActive, true),
          or(eq(workflows.organizationId, caller.organizationId), isNull(workflows.organizationId)),
          this.visibleTo(caller),
        ),
      )
      .orderBy(sql`${workflows.organizationId} is null`)
      .limit(1);
    return row;
  }

  /**
   * Active workflows with their endpoint enabled that `caller` may see — the rule of the workflow
   * list — for the OpenAPI document. An endpoint's name, description and parameters are its
   * organization's data. Of two with one name, the caller's organization's comes first.
   */
  async enabledEndpoints(caller: Caller): Promise<EnabledEndpoint[]> {
    return await this.db
      .select({
        name: workflows.name,
        description: workflows.description,
        parametersSchema: workflows.parametersSchema,
        executionMode: workflows.executionMode,
        allowedMethods: workflows.allowedMethods,
      })
      .from(workflows)
      .where(and(eq(workflows.endpointEnabled, true), eq(workflows.isActive, true), this.visibleTo(caller)))
      .orderBy(asc(workflows.name), sql`${workflows.organizationId} is null`, asc(workflows.id))
      .limit(1000);
  }

  async roleIdsOf(ids: readonly string[]): Promise<Map<string, string[]>> {
    const byWorkflow = new Map<string, string[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return byWorkflow;
    const rows = await this.db
      .select()
      .from(workflowRoles)
      .where(inArray(workflowRoles.workflowId, [...ids]))
      .orderBy(workflowRoles.roleId);
    for (const row of rows) byWorkflow.get(row.workflowId)?.push(row.roleId);
    return byWorkflow;
  }

  async existingRoleIds(ids: readonly string[]): Promise<Set<string>> {
    return existingRoleIds(this.db, ids);
  }

  /** Every row of one file, active or not. */
  async byPath(path: string): Promise<WorkflowRow[]> {
    return this.db.select().from(workflows).where(eq(workflows.path, path));
  }

  /** Active rows named one of `names` outside the files in `exceptPaths`: candidates for a name clash. */
  async activeNamed(names: readonly string[], exceptPaths: readonly string[]): Promise<WorkflowRow[]> {
    if (names.length === 0) return [];
    return this.db
      .select()
      .from(workflows)
      .where(
        and(
          inArray(workflows.name, [...names]),
          eq(workflows.isActive, true),
          exceptPaths.length > 0 ? notInArray(workflows.path, [...exceptPaths]) : undefined,
        ),
      );
  }

  /** An active row other than `exceptId` with this name in this scope (null: global). */
  async activeNameTaken(
    name: string,
    organizationId: string | null,
    exceptId: string,
  ): Promise<WorkflowRow | undefined> {
    const [row] = await this.db
      .select()
      .from(workflows)
      .where(
        and(
          eq(workflows.name, name),
          eq(workflows.isActive, true),
          ne(workflows.id, exceptId),
          organizationId === null
            ? isNull(workflows.organizationId)
            : eq(workflows.organizationId, organizationId),
        ),
      )
      .limit(1);
    return row;
  }

  /**
   * Inserts or refreshes the rows of a file's definitions, keyed by (path, exportName). Settings
   * (scope, access, timeouts, endpoint) of an existing row are kept; a new row gets the defaults.
   * jsonb sorts object keys, so the parameters' declared order is stored as `x-order` arrays.
   */
  async upsertDefinitions(
    path: string,
    definitions: readonly DiscoveredDefinition[],
  ): Promise<WorkflowRow[]> {
    if (definitions.length === 0) return [];
    const excluded = (column: string) => sql.raw(`excluded.${column}`);
    return this.db
      .insert(workflows)
      .values(
        definitions.map((d) => ({
          path,
          exportName: d.exportName,
          name: d.name,
          description: d.description,
          category: d.category,
          tags: d.tags,
          type: d.type,
          parametersSchema: withPropertyOrder(d.parametersSchema),
        })),
      )
      .onConflictDoUpdate({
        target: [workflows.path, workflows.exportName],
        set: {
          name: excluded("name"),
          description: excluded("description"),
          category: excluded("category"),
          tags: excluded("tags"),
          type: excluded("type"),
          parametersSchema: excluded("parameters_schema"),
          isActive: true,
          updatedAt: sql`now()`,
        },
      })
      .returning();
  }

  /** Marks a file's rows inactive except `keepExports`; rows are never deleted (executions point at them). */
  async deactivate(path: string, keepExports: readonly string[] = []): Promise<WorkflowRow[]> {
    return this.db
      .update(workflows)
      .set({ isActive: false, updatedAt: sql`now()` })
      .where(
        and(
          eq(workflows.path, path),
          eq(workflows.isActive, true),
          keepExports.length > 0 ? notInArray(workflows.exportName, [...keepExports]) : undefined,
        ),
      )
      .returning();
  }

  /**
   * Changes settings and, when `roleIds` is given, replaces the workflow's roles; one transaction.
   * A scope move runs `check` first under WORKFLOW_NAMES_LOCK, with a repository of the transaction.
   */
  async updateSettings(
    id: string,
    settings: WorkflowSettings,
    roleIds: readonly string[] | undefined,
    check?: (tx: WorkflowsRepository) => Promise<void>,
  ): Promise<WorkflowRow | undefined> {
    return this.db.transaction(async (tx) => {
      if (check) {
        await tx.execute(WORKFLOW_NAMES_LOCK);
        await check(new WorkflowsRepository(tx));
      }
      const [row] = await tx
        .update(workflows)
        .set({ ...settings, updatedAt: sql`now()` })
        .where(eq(workflows.id, id))
        .returning();
      if (!row || roleIds === undefined) return row;
      await tx.delete(workflowRoles).where(eq(workflowRoles.workflowId, id));
      if (roleIds.length > 0) {
        await tx
          .insert(workflowRoles)
          .values([...new Set(roleIds)].map((roleId) => ({ workflowId: id, roleId })));
      }
      return row;
    });
  }
}
