import { randomUUID } from "node:crypto";
import type {
  DocumentBatch,
  DocumentPage,
  DocumentQuery,
  TableDocumentDetail,
  Where,
} from "@bifrost/contracts";
import { ConflictError, NotFoundError } from "../../errors.js";
import type { DocumentsRepository, NewDocument } from "../../repositories/tables.js";
import { compileOrderBy, compileWhere } from "./query-compiler.js";
import { toDocument, toDocumentDetail, type TableCaller, type TablesService } from "./tables-service.js";

/**
 * Documents of a table reached through TablesService (scope checked there). Document writes are
 * not audited one by one: tables are application data, written at workflow speed.
 */
export class DocumentsService {
  constructor(private readonly deps: { tables: TablesService; documents: DocumentsRepository }) {}

  async get(who: TableCaller, table: string, id: string): Promise<TableDocumentDetail> {
    const { id: tableId } = await this.deps.tables.resolve(who, table);
    const row = await this.deps.documents.get(tableId, id);
    if (!row) throw new NotFoundError("Document not found");
    return toDocumentDetail(row);
  }

  /** A missing table (by name) is created in the caller's scope; a taken id is 409. */
  async insert(
    who: TableCaller,
    table: string,
    input: { id?: string | undefined; data: Record<string, unknown> },
  ): Promise<TableDocumentDetail> {
    const { id: tableId } = await this.deps.tables.resolveOrCreate(who, table);
    const row = await this.deps.documents.insert(
      tableId,
      { id: input.id ?? randomUUID(), data: input.data },
      who.userId,
    );
    if (!row) throw new ConflictError("A document with this id already exists");
    return toDocumentDetail(row);
  }

  async upsert(who: TableCaller, table: string, doc: NewDocument): Promise<TableDocumentDetail> {
    const { id: tableId } = await this.deps.tables.resolveOrCreate(who, table);
    return toDocumentDetail(await this.deps.documents.upsert(tableId, doc, who.userId));
  }

  /** PATCH: the given top-level fields replace the stored ones, the others stay. */
  async update(
    who: TableCaller,
    table: string,
    id: string,
    data: Record<string, unknown>,
  ): Promise<TableDocumentDetail> {
    const { id: tableId } = await this.deps.tables.resolveForWrite(who, table);
    const row = await this.deps.documents.merge(tableId, id, data, who.userId);
    if (!row) throw new NotFoundError("Document not found");
    return toDocumentDetail(row);
  }

  async delete(who: TableCaller, table: string, id: string): Promise<void> {
    const { id: tableId } = await this.deps.tables.resolveForWrite(who, table);
    if ((await this.deps.documents.delete(tableId, [id])) === 0)
      throw new NotFoundError("Document not found");
  }

  /** One multi-row statement. Inserts: any taken id fails the whole batch (409). Upserts: the last of a repeated id wins. */
  async batch(who: TableCaller, table: string, input: DocumentBatch): Promise<{ ids: string[] }> {
    const { id: tableId } = await this.deps.tables.resolveOrCreate(who, table);
    const docs = input.documents.map((doc) => ({ id: doc.id ?? randomUUID(), data: doc.data }));
    if (input.mode === "insert") {
      await this.deps.documents.insertMany(tableId, docs, who.userId);
    } else {
      const distinct = new Map(docs.map((doc) => [doc.id, doc]));
      await this.deps.documents.upsertMany(tableId, [...distinct.values()], who.userId);
    }
    return { ids: docs.map((doc) => doc.id) };
  }

  async deleteMany(who: TableCaller, table: string, ids: string[]): Promise<{ deleted: number }> {
    const { id: tableId } = await this.deps.tables.resolveForWrite(who, table);
    return { deleted: await this.deps.documents.delete(tableId, ids) };
  }

  async query(who: TableCaller, table: string, query: DocumentQuery): Promise<DocumentPage> {
    // The query is compiled first: a bad operator is a 422 whether or not the table exists.
    const where = compileWhere(query.where);
    const orderBy = compileOrderBy(query.orderBy, query.orderDir);
    const { id: tableId } = await this.deps.tables.resolve(who, table);
    // One row more than asked tells whether there is a next page, without a count.
    const rows = await this.deps.documents.query(tableId, {
      where,
      orderBy,
      limit: query.limit + 1,
      offset: query.offset,
    });
    const more = rows.length > query.limit;
    return {
      items: rows.slice(0, query.limit).map(toDocument),
      nextOffset: more ? query.offset + query.limit : null,
    };
  }

  async count(who: TableCaller, table: string, where: Where | undefined): Promise<{ count: number }> {
    const compiled = compileWhere(where);
    const { id: tableId } = await this.deps.tables.resolve(who, table);
    return { count: await this.deps.documents.count(tableId, compiled) };
  }
}
