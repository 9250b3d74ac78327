import {
  queryOperators,
  type QueryOperator,
  type TableDocument,
  type TableDocumentDetail,
} from "@bifrost/contracts";
import { useState, type FormEvent } from "react";
import { Link, useParams } from "react-router";
import { apiFetch, isNotFound } from "../../api/client.js";
import { useInvalidatingMutation } from "../../api/queries.js";
import {
  Button,
  Card,
  Field,
  Input,
  JsonField,
  LoadMore,
  Options,
  QueryView,
  ErrorState,
  Select,
} from "../../components/ui/index.js";
import { JsonView } from "../../components/json-view/JsonView.js";
import { parseJson, parseJsonObject } from "../../lib/json.js";
import {
  CreateCard,
  DeleteButton,
  DeleteDialog,
  EditForm,
  RowDialog,
  useAdminCollection,
  type AdminCollection,
} from "./collection.js";
import { DATA_KEY, tablePath, useDocuments, useTable, type DocumentFilter } from "./data-queries.js";
import "./admin.css";
import "./data.css";
import { NotFoundPage } from "../../shell/NotFoundPage.js";

type Draft = {
  mode: "builder" | "json";
  field: string;
  op: QueryOperator;
  value: string;
  whereText: string;
  orderBy: string;
  orderDir: "asc" | "desc";
};

const EMPTY_DRAFT: Draft = {
  mode: "builder",
  field: "",
  op: "eq",
  value: "",
  whereText: "",
  orderBy: "",
  orderDir: "asc",
};

/** A builder value: JSON when it parses (42, true, ["a","b"], null), else the text itself. */
function builderValue(text: string): unknown {
  const parsed = parseJson(text);
  return parsed.ok ? parsed.value : text;
}

/** The query the draft describes, or a message saying what is wrong with it. */
function toFilter(draft: Draft): { ok: true; filter: DocumentFilter } | { ok: false; message: string } {
  const filter: DocumentFilter = { orderDir: draft.orderDir };
  if (draft.orderBy.trim()) filter.orderBy = draft.orderBy.trim();
  if (draft.mode === "json") {
    if (draft.whereText.trim()) {
      const parsed = parseJsonObject(draft.whereText);
      if (!parsed.ok) return { ok: false, message: parsed.message };
      filter.where = parsed.value;
    }
  } else if (draft.field.trim()) {
    filter.where = { [draft.field.trim()]: { [draft.op]: builderValue(draft.value) } };
  }
  return { ok: true, filter };
}

function DocumentItem({
  doc,
  onEdit,
  collection,
}: {
  doc: TableDocument;
  onEdit: () => void;
  collection: AdminCollection<TableDocument>;
}) {
  return (
    <li className="data-doc" aria-label={`Document ${doc.id}`}>
      <div className="data-doc__header">
        <span className="data-doc__id">{doc.id}</span>
        <span className="data-muted">updated {new Date(doc.updatedAt).toLocaleString()}</span>
        <div className="data-actions">
          <Button onClick={onEdit} aria-label={`Edit document ${doc.id}`}>
            Edit
          </Button>
          <DeleteButton collection={collection} row={doc} name={`document ${doc.id}`} />
        </div>
      </div>
      <JsonView value={doc.data} label={`Data of document ${doc.id}`} />
    </li>
  );
}

export function TablePage() {
  const { tableId = "" } = useParams();
  const table = useTable(tableId);
  const [draft, setDraft] = useState<Draft>(EMPTY_DRAFT);
  const [draftError, setDraftError] = useState<string | undefined>();
  const [filter, setFilter] = useState<DocumentFilter>({ orderDir: "asc" });
  const documents = useDocuments(tableId, filter);

  const [newId, setNewId] = useState("");
  const [newData, setNewData] = useState("");
  const [newError, setNewError] = useState<string | undefined>();
  const insert = useInvalidatingMutation(DATA_KEY, (body: { id?: string; data: Record<string, unknown> }) =>
    apiFetch<TableDocumentDetail>(`${tablePath(tableId)}/documents`, { method: "POST", body }),
  );

  const collection = useAdminCollection(DATA_KEY, (doc: TableDocument) =>
    apiFetch<undefined>(`${tablePath(tableId)}/documents/${encodeURIComponent(doc.id)}`, {
      method: "DELETE",
    }),
  );
  const [editText, setEditText] = useState("");
  const [editError, setEditError] = useState<string | undefined>();
  const patch = useInvalidatingMutation(
    DATA_KEY,
    ({ id, data }: { id: string; data: Record<string, unknown> }) =>
      apiFetch<TableDocumentDetail>(`${tablePath(tableId)}/documents/${encodeURIComponent(id)}`, {
        method: "PATCH",
        body: { data },
      }),
  );

  const set =
    <K extends keyof Draft>(field: K) =>
    (value: Draft[K]) =>
      setDraft((d) => ({ ...d, [field]: value }));

  const runQuery = (event: FormEvent) => {
    event.preventDefault();
    const result = toFilter(draft);
    if (!result.ok) {
      setDraftError(result.message);
      return;
    }
    setDraftError(undefined);
    setFilter(result.filter);
  };

  const clearQuery = () => {
    setDraft(EMPTY_DRAFT);
    setDraftError(undefined);
    setFilter({ orderDir: "asc" });
  };

  const addDocument = () => {
    const parsed = parseJsonObject(newData);
    if (!parsed.ok) {
      setNewError(parsed.message);
      return;
    }
    setNewError(undefined);
    insert.mutate(
      { ...(newId.trim() ? { id: newId.trim() } : {}), data: parsed.value },
      {
        onSuccess: () => {
          setNewId("");
          setNewData("");
        },
      },
    );
  };

  const openEdit = (doc: TableDocument) => {
    patch.reset();
    setEditError(undefined);
    setEditText(JSON.stringify(doc.data, null, 2));
    collection.edit(doc);
  };

  const saveEdit = (editing: TableDocument) => {
    const parsed = parseJsonObject(editText);
    if (!parsed.ok) {
      setEditError(parsed.message);
      return;
    }
    setEditError(undefined);
    patch.mutate({ id: editing.id, data: parsed.value }, { onSuccess: collection.stopEditing });
  };

  const filtered = filter.where !== undefined;
  if (isNotFound(table.error)) return <NotFoundPage />;

  return (
    <section className="admin-page">
      <p>
        <Link to="/admin/tables">← All tables</Link>
      </p>
      <h1>{table.data ? `Table ${table.data.name}` : "Table"}</h1>
      {table.isError && (
        <ErrorState
          title="Could not load the table"
          error={table.error}
          onRetry={() => void table.refetch()}
        />
      )}
      {table.data?.description && <p className="data-muted">{table.data.description}</p>}

      <div className="data-grid-2">
        <Card title="Query">
          <form className="data-query" onSubmit={runQuery} role="search" aria-label="Query documents">
            <fieldset className="data-query__mode">
              <legend>Filter with</legend>
              <label>
                <input
                  type="radio"
                  name="where-mode"
                  checked={draft.mode === "builder"}
                  onChange={() => set("mode")("builder")}
                />{" "}
                One condition
              </label>
              <label>
                <input
                  type="radio"
                  name="where-mode"
                  checked={draft.mode === "json"}
                  onChange={() => set("mode")("json")}
                />{" "}
                JSON where
              </label>
            </fieldset>
            {draft.mode === "builder" ? (
              <div className="data-query__row">
                <Field label="Field">
                  {(ids) => (
                    <Input {...ids} value={draft.field} onChange={(e) => set("field")(e.target.value)} />
                  )}
                </Field>
                <Field label="Operator">
                  {(ids) => (
                    <Select
                      {...ids}
                      value={draft.op}
                      onChange={(e) => set("op")(e.target.value as QueryOperator)}
                    >
                      <Options values={queryOperators} />
                    </Select>
                  )}
                </Field>
                <Field label="Value" hint='JSON when it parses (42, true, ["a","b"]), else text'>
                  {(ids) => (
                    <Input {...ids} value={draft.value} onChange={(e) => set("value")(e.target.value)} />
                  )}
                </Field>
              </div>
            ) : (
              <JsonField
                label="Where (JSON)"
                hint='e.g. {"status": "open", "total": {"gte": 10}}; conditions are AND-ed'
                error={draftError}
                rows={4}
                value={draft.whereText}
                onChange={set("whereText")}
              />
            )}
            <div className="data-query__row">
              <Field label="Order by" hint="A top-level field of the data">
                {(ids) => (
                  <Input {...ids} value={draft.orderBy} onChange={(e) => set("orderBy")(e.target.value)} />
                )}
              </Field>
              <Field label="Direction">
                {(ids) => (
                  <Select
                    {...ids}
                    value={draft.orderDir}
                    onChange={(e) => set("orderDir")(e.target.value as "asc" | "desc")}
                  >
                    <option value="asc">ascending</option>
                    <option value="desc">descending</option>
                  </Select>
                )}
              </Field>
            </div>
            <div className="data-actions">
              <Button type="submit" variant="primary">
                Run query
              </Button>
              <Button onClick={clearQuery}>Clear</Button>
            </div>
          </form>
        </Card>

        <CreateCard title="New document" submitLabel="Add document" create={insert} onSubmit={addDocument}>
          <Field label="Document id" hint="Optional; a UUID is generated when empty">
            {(ids) => <Input {...ids} value={newId} onChange={(e) => setNewId(e.target.value)} />}
          </Field>
          <JsonField
            label="Data (JSON)"
            hint='A JSON object, e.g. {"name": "Ada", "total": 12}'
            error={newError}
            rows={5}
            value={newData}
            onChange={setNewData}
            required
          />
        </CreateCard>
      </div>

      <h2>Documents</h2>
      <QueryView
        query={documents}
        what="the documents"
        isEmpty={(data) => data.pages.every((page) => page.items.length === 0)}
        empty={filtered ? "No documents match the query." : "No documents yet."}
        emptyHint={filtered ? undefined : <p>Add one with the form above.</p>}
      >
        {(data) => (
          <>
            <ul className="data-docs" aria-label="Documents">
              {data.pages
                .flatMap((page) => page.items)
                .map((doc) => (
                  <DocumentItem key={doc.id} doc={doc} onEdit={() => openEdit(doc)} collection={collection} />
                ))}
            </ul>
            <LoadMore query={documents} />
          </>
        )}
      </QueryView>

      <RowDialog
        row={collection.editing}
        onClose={collection.stopEditing}
        title={(doc) => `Edit document ${doc.id}`}
        description="The top-level fields given replace the stored ones; fields left out are kept."
      >
        {(doc) => (
          <EditForm save={patch} onSubmit={() => saveEdit(doc)} onCancel={collection.stopEditing}>
            <JsonField
              label="Data (JSON)"
              error={editError}
              rows={10}
              value={editText}
              onChange={setEditText}
            />
          </EditForm>
        )}
      </RowDialog>

      <DeleteDialog
        collection={collection}
        title={(doc) => `Delete document ${doc.id}?`}
        description="The document is removed from the table for good."
      />
    </section>
  );
}
