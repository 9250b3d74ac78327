import { callApi } from "../client.js";
import { NotFoundError } from "../errors.js";

/** A document's data: a JSON object; fields are its top-level keys. */
export type DocumentData = Record<string, unknown>;

export type Table = {
  id: string;
  name: string;
  description: string | null;
  schema: Record<string, unknown> | null;
  /** Null: a global table, shared by every organization (read-only inside a run). */
  organizationId: string | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
};

export type TableDocument<T extends DocumentData = DocumentData> = {
  id: string;
  data: T;
  createdAt: string;
  updatedAt: string;
};

export type FieldValue = string | number | boolean | null | FieldValue[] | { [key: string]: FieldValue };

/** `{ field: { op: value } }`: every operator given for a field must hold. */
export type FieldCondition = {
  eq?: FieldValue;
  ne?: FieldValue;
  /** Case-insensitive, on string fields. */
  contains?: string;
  startsWith?: string;
  endsWith?: string;
  /** Numbers compare numerically, strings lexically; a field of another type never matches. */
  gt?: number | string;
  gte?: number | string;
  lt?: number | string;
  lte?: number | string;
  in?: FieldValue[];
  /** true: the field is missing or JSON null. */
  isNull?: boolean;
  /** true: the document has the field (even when null). */
  hasKey?: boolean;
};

/**
 * `{ field: value }` (equality; compare an object with `{ eq: {...} }`) or `{ field: condition }`;
 * all conditions AND-ed. Fields are top-level keys of the documents' data.
 */
export type Where = Record<string, string | number | boolean | null | FieldValue[] | FieldCondition>;

export type QueryOptions = {
  where?: Where;
  /** A top-level field of data; default: the document id. */
  orderBy?: string;
  orderDir?: "asc" | "desc";
  /** Default 100, at most 1,000. */
  limit?: number;
  offset?: number;
};

export type QueryResult<T extends DocumentData = DocumentData> = {
  items: TableDocument<T>[];
  /** The offset of the next page; null after the last one. */
  nextOffset: number | null;
};

export type BatchDocument<T extends DocumentData = DocumentData> = { id?: string; data: T };

/** The API's limit per batch call: bigger batches are sent in slices of this size. */
const BATCH_SIZE = 1000;

const tablePath = (table: string): string => `/api/tables/${encodeURIComponent(table)}`;
const documentPath = (table: string, id: string): string =>
  `${tablePath(table)}/documents/${encodeURIComponent(id)}`;

const slices = <T>(items: T[]): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += BATCH_SIZE) out.push(items.slice(i, i + BATCH_SIZE));
  return out;
};

async function batch<T extends DocumentData>(
  table: string,
  mode: "insert" | "upsert",
  docs: BatchDocument<T>[],
): Promise<string[]> {
  const ids: string[] = [];
  for (const slice of slices(docs)) {
    const answer = await callApi<{ ids: string[] }>(
      "POST",
      `${tablePath(table)}/documents/batch`,
      { mode, documents: slice },
      // An upsert batch gives the same end state when sent twice; an insert batch would be a 409.
      { idempotent: mode === "upsert" },
    );
    ids.push(...answer.ids);
  }
  return ids;
}

/**
 * Tables of documents, inside the run's organization (API.md "The SDK"). `table` is a name (the
 * organization's table first, then a global one) or an id. Inserting or upserting into a name that
 * exists nowhere creates the table in the run's organization.
 */
export const tables = {
  async create(name: string, options: { description?: string } = {}): Promise<Table> {
    return await callApi<Table>("POST", "/api/tables", { name, ...options });
  },

  /** The organization's tables and the global ones (the first 1,000). */
  async list(): Promise<Table[]> {
    return (await callApi<{ items: Table[] }>("GET", "/api/tables?limit=1000")).items;
  },

  /** Deletes the table and all its documents. */
  async delete(table: string): Promise<void> {
    await callApi<undefined>("DELETE", tablePath(table));
  },

  /** Inserts a document (the id is generated when not given); a taken id is a 409 BifrostApiError. */
  async insert<T extends DocumentData>(table: string, data: T, id?: string): Promise<TableDocument<T>> {
    return await callApi<TableDocument<T>>("POST", `${tablePath(table)}/documents`, {
      data,
      ...(id === undefined ? {} : { id }),
    });
  },

  /** Inserts the document, or replaces the data of the one with this id. */
  async upsert<T extends DocumentData>(table: string, id: string, data: T): Promise<TableDocument<T>> {
    return await callApi<TableDocument<T>>(
      "POST",
      `${tablePath(table)}/documents/upsert`,
      { id, data },
      {
        idempotent: true,
      },
    );
  },

  /** The document, or null when the table or the document does not exist. */
  async get<T extends DocumentData = DocumentData>(
    table: string,
    id: string,
  ): Promise<TableDocument<T> | null> {
    try {
      return await callApi<TableDocument<T>>("GET", documentPath(table, id));
    } catch (error) {
      if (error instanceof NotFoundError) return null;
      throw error;
    }
  },

  /** Shallow merge: the given top-level fields replace the stored ones, the others stay. */
  async update<T extends DocumentData = DocumentData>(
    table: string,
    id: string,
    partialData: Partial<T>,
  ): Promise<TableDocument<T>> {
    return await callApi<TableDocument<T>>(
      "PATCH",
      documentPath(table, id),
      { data: partialData },
      {
        idempotent: true,
      },
    );
  },

  async deleteDocument(table: string, id: string): Promise<void> {
    await callApi<undefined>("DELETE", documentPath(table, id));
  },

  /** Inserts all documents, 1,000 per call (each call all or nothing); answers their ids in order. */
  async insertBatch<T extends DocumentData>(table: string, docs: BatchDocument<T>[]): Promise<string[]> {
    return await batch(table, "insert", docs);
  },

  async upsertBatch<T extends DocumentData>(table: string, docs: BatchDocument<T>[]): Promise<string[]> {
    return await batch(table, "upsert", docs);
  },

  /** Deletes the documents with these ids; answers how many there were. */
  async deleteBatch(table: string, ids: string[]): Promise<number> {
    let deleted = 0;
    for (const slice of slices(ids)) {
      const answer = await callApi<{ deleted: number }>(
        "POST",
        `${tablePath(table)}/documents/batch-delete`,
        { ids: slice },
        { idempotent: true },
      );
      deleted += answer.deleted;
    }
    return deleted;
  },

  async query<T extends DocumentData = DocumentData>(
    table: string,
    options: QueryOptions = {},
  ): Promise<QueryResult<T>> {
    return await callApi<QueryResult<T>>("POST", `${tablePath(table)}/documents/query`, options, {
      idempotent: true,
    });
  },

  async count(table: string, where?: Where): Promise<number> {
    const answer = await callApi<{ count: number }>(
      "POST",
      `${tablePath(table)}/documents/count`,
      where === undefined ? {} : { where },
      { idempotent: true },
    );
    return answer.count;
  },
};
