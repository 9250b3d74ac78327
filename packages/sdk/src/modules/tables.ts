import type { Table, TableDocument as StoredDocument } from "@bifrost/contracts";
import { callApi, onFirstUse } from "../client.js";
import { NotFoundError } from "../errors.js";

/** A document's data: a JSON object; fields are its top-level keys. */
export type DocumentData = Record<string, unknown>;

/** A table; `organizationId` null: a global table, shared by every organization (read-only inside a run). */
export type { Table };

/** A document whose data the caller types as `T` (the API checks only that it is an object). */
export type TableDocument<T extends DocumentData = DocumentData> = Omit<StoredDocument, "data"> & { data: T };

/** The author's type for a document's data: the API checked the document's shape, not its fields. */
const typed = <T extends DocumentData>(document: StoredDocument): TableDocument<T> =>
  document as TableDocument<T>;

const answers = onFirstUse(async () => {
  const [contract, { listOf }] = await Promise.all([
    import("@bifrost/contracts/tables"),
    import("@bifrost/contracts/organizations"),
  ]);
  return {
    table: contract.tableSchema,
    tables: listOf(contract.tableSchema),
    // A single document as the API answers it: its detail, with who created and last changed it.
    document: contract.documentDetailSchema,
    page: contract.documentPageSchema,
    count: contract.countAnswerSchema,
    batch: contract.batchAnswerSchema,
    batchDelete: contract.batchDeleteAnswerSchema,
  };
});
const documentAnswer = async () => ({ answer: (await answers()).document });

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
/**
 * Slices of one batch sent at once: the API parses one while PostgreSQL writes another, which
 * roughly doubles bulk insert speed over one slice at a time.
 */
const SLICES_IN_FLIGHT = 4;

const tablePath = (table: string): string => `/api/tables/${encodeURIComponent(table)}`;
const documentPath = (table: string, id: string): string =>
  `${tablePath(table)}/documents/${encodeURIComponent(id)}`;

/** `send` for each slice of `items`, a few at a time; the answers in slice order. */
async function inSlices<T, R>(items: T[], send: (slice: T[]) => Promise<R>): Promise<R[]> {
  const slices: T[][] = [];
  for (let i = 0; i < items.length; i += BATCH_SIZE) slices.push(items.slice(i, i + BATCH_SIZE));
  const answers: R[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < slices.length; i = next++) answers[i] = await send(slices[i] ?? []);
  };
  await Promise.all(Array.from({ length: Math.min(SLICES_IN_FLIGHT, slices.length) }, lane));
  return answers;
}

/** The last document of each repeated id (slices are sent in parallel: "last wins" must not depend on timing). */
function lastOfEachId<T extends DocumentData>(docs: BatchDocument<T>[]): BatchDocument<T>[] {
  const last = new Map<string, number>();
  docs.forEach((doc, index) => {
    if (doc.id !== undefined) last.set(doc.id, index);
  });
  return docs.filter((doc, index) => doc.id === undefined || last.get(doc.id) === index);
}

async function batch<T extends DocumentData>(
  table: string,
  mode: "insert" | "upsert",
  docs: BatchDocument<T>[],
): Promise<string[]> {
  const slices = await inSlices(mode === "upsert" ? lastOfEachId(docs) : docs, async (slice) =>
    callApi(
      "POST",
      `${tablePath(table)}/documents/batch`,
      { mode, documents: slice },
      // An upsert batch gives the same end state when sent twice; an insert batch would be a 409.
      { idempotent: mode === "upsert", answer: (await answers()).batch },
    ),
  );
  return slices.flatMap((answer) => answer.ids);
}

/**
 * Tables of documents, inside the run's organization (API.md "The SDK"). `table` is a name (the
 * organization's table first, then a global one) or an id. Inserting or upserting into a name that
 * exists nowhere creates the table in the run's organization.
 */
export const tables = {
  /** Creates a table in the run's organization; a taken name is a 409 BifrostApiError. */
  async create(name: string, options: { description?: string } = {}): Promise<Table> {
    return await callApi("POST", "/api/tables", { name, ...options }, { answer: (await answers()).table });
  },

  /** The organization's tables and the global ones (the first 1,000). */
  async list(): Promise<Table[]> {
    return (await callApi("GET", "/api/tables?limit=1000", undefined, { answer: (await answers()).tables }))
      .items;
  },

  /** Deletes the table and all its documents. */
  async delete(table: string): Promise<void> {
    await callApi("DELETE", tablePath(table));
  },

  /** Inserts a document (the id is generated when not given); a taken id is a 409 BifrostApiError. */
  async insert<T extends DocumentData>(table: string, data: T, id?: string): Promise<TableDocument<T>> {
    const body = { data, ...(id === undefined ? {} : { id }) };
    return typed(await callApi("POST", `${tablePath(table)}/documents`, body, await documentAnswer()));
  },

  /** Inserts the document, or replaces the data of the one with this id. */
  async upsert<T extends DocumentData>(table: string, id: string, data: T): Promise<TableDocument<T>> {
    return typed(
      await callApi(
        "POST",
        `${tablePath(table)}/documents/upsert`,
        { id, data },
        { idempotent: true, ...(await documentAnswer()) },
      ),
    );
  },

  /** The document, or null when the table or the document does not exist. */
  async get<T extends DocumentData = DocumentData>(
    table: string,
    id: string,
  ): Promise<TableDocument<T> | null> {
    try {
      return typed(await callApi("GET", documentPath(table, id), undefined, await documentAnswer()));
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
    return typed(
      await callApi(
        "PATCH",
        documentPath(table, id),
        { data: partialData },
        { idempotent: true, ...(await documentAnswer()) },
      ),
    );
  },

  /** Deletes one document; a missing one is a NotFoundError. */
  async deleteDocument(table: string, id: string): Promise<void> {
    await callApi("DELETE", documentPath(table, id));
  },

  /**
   * Inserts all documents, 1,000 per call, a few calls at once (each call all or nothing: a taken id
   * fails its slice with a 409); answers their ids in order.
   */
  async insertBatch<T extends DocumentData>(table: string, docs: BatchDocument<T>[]): Promise<string[]> {
    return await batch(table, "insert", docs);
  },

  /** Upserts all documents, 1,000 per call; of a repeated id the last document wins (and its id is answered once). */
  async upsertBatch<T extends DocumentData>(table: string, docs: BatchDocument<T>[]): Promise<string[]> {
    return await batch(table, "upsert", docs);
  },

  /** Deletes the documents with these ids; answers how many there were. */
  async deleteBatch(table: string, ids: string[]): Promise<number> {
    const slices = await inSlices(ids, async (slice) =>
      callApi(
        "POST",
        `${tablePath(table)}/documents/batch-delete`,
        { ids: slice },
        { idempotent: true, answer: (await answers()).batchDelete },
      ),
    );
    return slices.reduce((sum, answer) => sum + answer.deleted, 0);
  },

  /**
   * The documents matching `where` (every condition must hold), in `orderBy` order, 100 at a time
   * by default: `{ where: { status: "open", age: { gte: 18 } }, orderBy: "createdAt", limit: 50 }`.
   * `nextOffset` is where the next page starts, null after the last.
   */
  async query<T extends DocumentData = DocumentData>(
    table: string,
    options: QueryOptions = {},
  ): Promise<QueryResult<T>> {
    const page = await callApi("POST", `${tablePath(table)}/documents/query`, options, {
      idempotent: true,
      answer: (await answers()).page,
    });
    return { items: page.items.map((document) => typed<T>(document)), nextOffset: page.nextOffset };
  },

  /** How many documents match `where` (all of them without it). */
  async count(table: string, where?: Where): Promise<number> {
    const answer = await callApi(
      "POST",
      `${tablePath(table)}/documents/count`,
      where === undefined ? {} : { where },
      { idempotent: true, answer: (await answers()).count },
    );
    return answer.count;
  },
};
