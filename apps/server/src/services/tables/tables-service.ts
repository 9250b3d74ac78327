import {
  tableNameSchema,
  type CreateTable,
  type Table,
  type TableDocument,
  type TableDocumentDetail,
  type UpdateTable,
} from "@bifrost/contracts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../../errors.js";
import type { Page } from "../../repositories/pagination.js";
import type { DocumentItem, DocumentRow, TableRow, TablesRepository } from "../../repositories/tables.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { AuditActor } from "../../principal.js";
import { readOrder, type Caller, type DataScope } from "../../principal.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Who acts on tables: where (DataScope), as which user (createdBy/updatedBy), for the audit log. */
export type TableCaller = { scope: DataScope; userId: string; actor: AuditActor };

const toTable = (row: TableRow): Table => ({
  id: row.id,
  name: row.name,
  description: row.description,
  schema: row.schema,
  organizationId: row.organizationId,
  createdBy: row.createdBy,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

export const toDocument = (row: DocumentItem): TableDocument => ({
  id: row.id,
  data: row.data,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

export const toDocumentDetail = (row: DocumentRow): TableDocumentDetail => ({
  ...toDocument(row),
  createdBy: row.createdBy,
  updatedBy: row.updatedBy,
});

/** The OrgScopedRepository caller of a scope: a run sees its organization and global rows. */
const repositoryCaller = (who: TableCaller): Caller => ({
  userId: who.userId,
  organizationId: who.scope.organizationId ?? "",
  isSuperuser: who.scope.kind === "admin",
});

/**
 * Tables (DESIGN.md §4): a name is looked up in the caller's organization, then global; an id
 * directly, then checked — another organization's table is 404. Inside a run, global tables are
 * read-only (a run of one organization must not change what other organizations read), and
 * inserting into a name that exists nowhere creates the table in the run's organization.
 */
export class TablesService {
  constructor(private readonly deps: { tables: TablesRepository; audit: AuditLog }) {}

  async list(
    who: TableCaller,
    options: { limit: number; cursor?: string | undefined; scope?: string | undefined },
  ): Promise<Page<Table>> {
    const page = await this.deps.tables.list(repositoryCaller(who), {
      limit: options.limit,
      cursor: options.cursor,
      scope: who.scope.kind === "admin" ? options.scope : undefined,
    });
    return { items: page.items.map(toTable), nextCursor: page.nextCursor };
  }

  async create(who: TableCaller, input: CreateTable): Promise<Table> {
    const { row, created } = await this.deps.tables.createIfMissing({
      name: input.name,
      organizationId: this.writeScope(who, input.organizationId),
      description: input.description,
      createdBy: who.userId,
    });
    if (!created) throw new ConflictError("A table with this name already exists in this scope");
    await this.audited(who, "table.create", row);
    return toTable(row);
  }

  async get(who: TableCaller, idOrName: string): Promise<Table> {
    return toTable(await this.resolve(who, idOrName));
  }

  async update(who: TableCaller, idOrName: string, input: UpdateTable): Promise<Table> {
    const table = await this.resolveForWrite(who, idOrName);
    const row = await this.deps.tables.update(table.id, {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
    });
    if (!row) throw new NotFoundError("Table not found");
    await this.audited(who, "table.update", row);
    return toTable(row);
  }

  async delete(who: TableCaller, idOrName: string): Promise<void> {
    const table = await this.resolveForWrite(who, idOrName);
    await this.deps.tables.delete(table.id);
    await this.audited(who, "table.delete", table);
  }

  /** The table a read acts on, or NotFoundError. */
  async resolve(who: TableCaller, idOrName: string): Promise<TableRow> {
    const row = UUID.test(idOrName)
      ? await this.deps.tables.findById(repositoryCaller(who), idOrName)
      : await this.deps.tables.findByNameIn(idOrName, readOrder(who.scope));
    if (!row) throw new NotFoundError("Table not found");
    return row;
  }

  /** The table a write acts on; a global one is out of a run's reach for writes. */
  async resolveForWrite(who: TableCaller, idOrName: string): Promise<TableRow> {
    const row = await this.resolve(who, idOrName);
    this.assertWritable(who, row);
    return row;
  }

  /** As resolveForWrite, but a name found nowhere creates the table in the caller's scope. */
  async resolveOrCreate(who: TableCaller, idOrName: string): Promise<TableRow> {
    if (UUID.test(idOrName)) return await this.resolveForWrite(who, idOrName);
    const found = await this.deps.tables.findByNameIn(idOrName, readOrder(who.scope));
    if (found) {
      this.assertWritable(who, found);
      return found;
    }
    const name = tableNameSchema.safeParse(idOrName);
    if (!name.success)
      throw new ValidationError("Invalid table name", [
        { path: "params.idOrName", message: name.error.issues[0]?.message ?? "is not a table name" },
      ]);
    const { row, created } = await this.deps.tables.createIfMissing({
      name: name.data,
      organizationId: who.scope.organizationId,
      createdBy: who.userId,
    });
    if (created) await this.audited(who, "table.create", row, { implicit: true });
    return row;
  }

  private assertWritable(who: TableCaller, row: TableRow): void {
    if (who.scope.kind === "run" && row.organizationId === null)
      throw new ForbiddenError("Global tables are read-only inside a run");
  }

  /** Where a new table goes: a run's organization always; the organization an admin names, else global. */
  private writeScope(who: TableCaller, requested: string | null | undefined): string | null {
    if (who.scope.kind === "run") return who.scope.organizationId;
    return requested !== undefined ? requested : who.scope.organizationId;
  }

  private async audited(
    who: TableCaller,
    action: string,
    row: TableRow,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    await this.deps.audit.record(who.actor, {
      action,
      resourceType: "table",
      resourceId: row.id,
      details: {
        name: row.name,
        organizationId: row.organizationId,
        ...(who.scope.kind === "run" ? { executionId: who.scope.executionId } : {}),
        ...extra,
      },
    });
  }
}
