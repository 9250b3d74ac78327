import { and, eq, inArray, isNull, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { dataTables, documents } from "../db/schema/index.js";
import { OrgScopedRepository } from "./org-scoped.js";

export type TableRow = typeof dataTables.$inferSelect;
export type DocumentRow = typeof documents.$inferSelect;
export type DocumentItem = Pick<DocumentRow, "id" | "data" | "createdAt" | "updatedAt">;
export type NewDocument = { id: string; data: Record<string, unknown> };

/** Tables are organization-scoped (OrgScopedRepository); a name is unique within its scope. */
export class TablesRepository extends OrgScopedRepository<typeof dataTables> {
  constructor(db: Db) {
    super(db, dataTables, {
      id: dataTables.id,
      organizationId: dataTables.organizationId,
      createdAt: dataTables.createdAt,
      name: dataTables.name,
    });
  }

  /** By name in the given scopes, the first that has one winning (organization before global). */
  async findByNameIn(name: string, order: Array<string | null>): Promise<TableRow | undefined> {
    const scopes = order.map((organizationId) =>
      organizationId === null
        ? isNull(dataTables.organizationId)
        : eq(dataTables.organizationId, organizationId),
    );
    const rows = await this.db
      .select()
      .from(dataTables)
      .where(and(eq(dataTables.name, name), or(...scopes)))
      .orderBy(sql`${dataTables.organizationId} is null`)
      .limit(1);
    return rows[0];
  }

  /**
   * Creates the table unless its scope already has one of that name; the answer says which. Runs
   * that insert into a missing table race to create it: the unique index settles who wins.
   */
  async createIfMissing(values: {
    name: string;
    organizationId: string | null;
    description?: string | null | undefined;
    createdBy: string | null;
  }): Promise<{ row: TableRow; created: boolean }> {
    const inserted = await this.db
      .insert(dataTables)
      .values({
        name: values.name,
        organizationId: values.organizationId,
        description: values.description ?? null,
        createdBy: values.createdBy,
      })
      .onConflictDoNothing()
      .returning();
    if (inserted[0]) return { row: inserted[0], created: true };
    const existing = await this.findByNameIn(values.name, [values.organizationId]);
    if (!existing) throw new Error(`table ${values.name} neither inserted nor found`);
    return { row: existing, created: false };
  }

  async update(
    id: string,
    values: { name?: string; description?: string | null },
  ): Promise<TableRow | undefined> {
    const rows = await this.db
      .update(dataTables)
      .set({ ...values, updatedAt: new Date() })
      .where(eq(dataTables.id, id))
      .returning();
    return rows[0];
  }

  async delete(id: string): Promise<void> {
    await this.db.delete(dataTables).where(eq(dataTables.id, id));
  }
}

/**
 * The rows of a batch as one JSON parameter unpacked by PostgreSQL: for 1,000 documents this is
 * several times cheaper than 5,000 bound parameters built and sent one by one (bulk insert speed).
 */
const fromRecordset = (docs: NewDocument[]): SQL =>
  sql`from jsonb_to_recordset(${JSON.stringify(docs)}::jsonb) as d(id text, data jsonb)`;

const item = {
  id: documents.id,
  data: documents.data,
  createdAt: documents.createdAt,
  updatedAt: documents.updatedAt,
};

/** Documents of one table at a time; the table was resolved (and its scope checked) before. */
export class DocumentsRepository {
  constructor(private readonly db: Db) {}

  async get(tableId: string, id: string): Promise<DocumentRow | undefined> {
    const rows = await this.db
      .select()
      .from(documents)
      .where(and(eq(documents.tableId, tableId), eq(documents.id, id)))
      .limit(1);
    return rows[0];
  }

  /** Inserts; undefined when the id is taken. */
  async insert(tableId: string, doc: NewDocument, userId: string | null): Promise<DocumentRow | undefined> {
    const rows = await this.db
      .insert(documents)
      .values({ tableId, id: doc.id, data: doc.data, createdBy: userId, updatedBy: userId })
      .onConflictDoNothing()
      .returning();
    return rows[0];
  }

  /**
   * One multi-row statement: an id already taken fails the whole batch with a unique violation,
   * which the error handler answers as 409; nothing of the batch is stored then.
   */
  async insertMany(tableId: string, docs: NewDocument[], userId: string | null): Promise<void> {
    await this.db.execute(sql`insert into ${documents} (table_id, id, data, created_by, updated_by)
      select ${tableId}::uuid, d.id, d.data, ${userId}::uuid, ${userId}::uuid ${fromRecordset(docs)}`);
  }

  /**
   * INSERT … ON CONFLICT DO UPDATE, one statement: concurrent upserts of one id serialize on its
   * primary key, so the last one wins and there is never a duplicate or a unique violation. Ids must
   * be distinct within one call (PostgreSQL refuses to update a row twice in one statement).
   */
  private upsertStatement(tableId: string, docs: NewDocument[], userId: string | null) {
    return this.db
      .insert(documents)
      .values(
        docs.map((doc) => ({ tableId, id: doc.id, data: doc.data, createdBy: userId, updatedBy: userId })),
      )
      .onConflictDoUpdate({
        target: [documents.tableId, documents.id],
        set: { data: sql`excluded.data`, updatedBy: userId, updatedAt: sql`now()` },
      });
  }

  async upsert(tableId: string, doc: NewDocument, userId: string | null): Promise<DocumentRow> {
    const rows = await this.upsertStatement(tableId, [doc], userId).returning();
    if (!rows[0]) throw new Error("upsert returned no row");
    return rows[0];
  }

  async upsertMany(tableId: string, docs: NewDocument[], userId: string | null): Promise<void> {
    await this.db.execute(sql`insert into ${documents} (table_id, id, data, created_by, updated_by)
      select ${tableId}::uuid, d.id, d.data, ${userId}::uuid, ${userId}::uuid ${fromRecordset(docs)}
      on conflict (table_id, id) do update
        set data = excluded.data, updated_by = excluded.updated_by, updated_at = now()`);
  }

  /** Shallow merge of `data` into the stored document, in the database (no read-modify-write race). */
  async merge(
    tableId: string,
    id: string,
    data: Record<string, unknown>,
    userId: string | null,
  ): Promise<DocumentRow | undefined> {
    const rows = await this.db
      .update(documents)
      .set({
        data: sql`${documents.data} || ${JSON.stringify(data)}::jsonb`,
        updatedBy: userId,
        updatedAt: sql`now()`,
      })
      .where(and(eq(documents.tableId, tableId), eq(documents.id, id)))
      .returning();
    return rows[0];
  }

  async delete(tableId: string, ids: string[]): Promise<number> {
    const rows = await this.db
      .delete(documents)
      .where(and(eq(documents.tableId, tableId), inArray(documents.id, ids)))
      .returning({ id: documents.id });
    return rows.length;
  }

  async query(
    tableId: string,
    filter: { where: SQL | undefined; orderBy: SQL; limit: number; offset: number },
  ): Promise<DocumentItem[]> {
    return await this.db
      .select(item)
      .from(documents)
      .where(and(eq(documents.tableId, tableId), filter.where))
      .orderBy(filter.orderBy)
      .limit(filter.limit)
      .offset(filter.offset);
  }

  async count(tableId: string, where: SQL | undefined): Promise<number> {
    const rows = await this.db
      .select({ count: sql<number>`count(*)::int` })
      .from(documents)
      .where(and(eq(documents.tableId, tableId), where));
    return rows[0]?.count ?? 0;
  }
}
