import { asc, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { workflowKeys, workflows } from "../db/schema/index.js";

export type WorkflowKeyRow = typeof workflowKeys.$inferSelect;
export type WorkflowKeyListRow = WorkflowKeyRow & { workflowName: string };

/** What a call to a workflow endpoint needs of its key and workflow, in one query. */
export type EndpointTarget = {
  key: Pick<WorkflowKeyRow, "id" | "workflowId" | "expiresAt" | "lastUsedAt">;
  workflow: Pick<
    typeof workflows.$inferSelect,
    | "id"
    | "name"
    | "type"
    | "organizationId"
    | "parametersSchema"
    | "timeoutSeconds"
    | "cacheTtlSeconds"
    | "updatedAt"
    | "isActive"
    | "endpointEnabled"
    | "executionMode"
    | "allowedMethods"
  >;
};

/** API keys of workflow endpoints: only the SHA-256 of a key is kept. */
export class WorkflowKeysRepository {
  constructor(private readonly db: Db) {}

  async insert(row: typeof workflowKeys.$inferInsert): Promise<WorkflowKeyRow> {
    const [inserted] = await this.db.insert(workflowKeys).values(row).returning();
    if (!inserted) throw new Error("could not insert the workflow key");
    return inserted;
  }

  async list(workflowId: string | undefined): Promise<WorkflowKeyListRow[]> {
    const rows = await this.db
      .select({ key: workflowKeys, workflowName: workflows.name })
      .from(workflowKeys)
      .innerJoin(workflows, eq(workflows.id, workflowKeys.workflowId))
      .where(workflowId ? eq(workflowKeys.workflowId, workflowId) : undefined)
      .orderBy(desc(workflowKeys.createdAt), asc(workflowKeys.id))
      .limit(1000);
    return rows.map((r) => ({ ...r.key, workflowName: r.workflowName }));
  }

  async delete(id: string): Promise<WorkflowKeyRow | undefined> {
    const [row] = await this.db.delete(workflowKeys).where(eq(workflowKeys.id, id)).returning();
    return row;
  }

  async findByHash(keyHash: string): Promise<EndpointTarget | undefined> {
    const [row] = await this.db
      .select({
        key: {
          id: workflowKeys.id,
          workflowId: workflowKeys.workflowId,
          expiresAt: workflowKeys.expiresAt,
          lastUsedAt: workflowKeys.lastUsedAt,
        },
        workflow: {
          id: workflows.id,
          name: workflows.name,
          type: workflows.type,
          organizationId: workflows.organizationId,
          parametersSchema: workflows.parametersSchema,
          timeoutSeconds: workflows.timeoutSeconds,
          cacheTtlSeconds: workflows.cacheTtlSeconds,
          updatedAt: workflows.updatedAt,
          isActive: workflows.isActive,
          endpointEnabled: workflows.endpointEnabled,
          executionMode: workflows.executionMode,
          allowedMethods: workflows.allowedMethods,
        },
      })
      .from(workflowKeys)
      .innerJoin(workflows, eq(workflows.id, workflowKeys.workflowId))
      .where(eq(workflowKeys.keyHash, keyHash));
    return row;
  }

  async touch(id: string): Promise<void> {
    await this.db
      .update(workflowKeys)
      .set({ lastUsedAt: sql`now()` })
      .where(eq(workflowKeys.id, id));
  }
}
