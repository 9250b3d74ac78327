/**
 * The list / create / edit / delete pattern of the admin pages, in one place: a page declares its
 * rows' columns, its form fields and its writes; the states, dialogs, busy buttons and refreshes
 * around them are the same on every page.
 */
import type {
  InfiniteData,
  QueryKey,
  UseInfiniteQueryResult,
  UseMutationResult,
  UseQueryResult,
} from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { useInvalidatingMutation } from "../../api/queries.js";
import {
  ActionError,
  Button,
  Card,
  ConfirmDialog,
  Dialog,
  LoadMore,
  QueryView,
  Table,
  type ButtonProps,
  type Column,
} from "../../components/ui/index.js";
import "./admin.css";
import "./data.css";

type Identified = { id: string };

/** What an admin list's query answers: every row, one `{ items }` answer, or cursor pages of them. */
type ListData =
  readonly Identified[] | { items: readonly Identified[] } | InfiniteData<{ items: Identified[] }>;

type RowOf<Data> = Data extends readonly (infer Row)[]
  ? Row
  : Data extends InfiniteData<{ items: (infer Row)[] }>
    ? Row
    : Data extends { items: readonly (infer Row)[] }
      ? Row
      : never;

function rowsOf<Data extends ListData>(data: Data): RowOf<Data>[] {
  if (Array.isArray(data)) return data as RowOf<Data>[];
  if ("pages" in data) return data.pages.flatMap((page) => page.items) as RowOf<Data>[];
  return (data as { items: RowOf<Data>[] }).items;
}

/**
 * An admin list: its loading, error and empty states (`QueryView`), the table of its rows (keyed by
 * id), and "Load more" under a cursor-paged one.
 */
export function AdminTable<Data extends ListData>({
  query,
  what,
  caption,
  columns,
  only,
  empty,
  emptyHint,
}: {
  query: UseQueryResult<Data> | UseInfiniteQueryResult<Data>;
  /** "the schedules": used in "Could not load the schedules" and "No schedules yet." */
  what: string;
  caption: string;
  columns: Column<RowOf<Data>>[];
  /** The rows shown, of those loaded (e.g. the header's organization); every one when left out. */
  only?: (row: RowOf<Data>) => boolean;
  empty?: string;
  emptyHint?: ReactNode;
}) {
  const shown = (data: Data) => (only ? rowsOf(data).filter(only) : rowsOf(data));
  return (
    <QueryView
      query={query}
      what={what}
      isEmpty={(data) => shown(data).length === 0}
      {...(empty === undefined ? {} : { empty })}
      emptyHint={emptyHint}
    >
      {(data) => (
        <>
          <Table caption={caption} rows={shown(data)} rowKey={(row) => row.id} columns={columns} />
          {"fetchNextPage" in query && <LoadMore query={query} />}
        </>
      )}
    </QueryView>
  );
}

/**
 * The row an admin list is editing (`EditButton`, `RowDialog`) and the one it asks to delete
 * (`DeleteButton`, `DeleteDialog`): confirming runs `remove` and refreshes the queries under `key`.
 */
export function useAdminCollection<Row>(key: QueryKey, remove: (row: Row) => Promise<unknown>) {
  const [editing, setEditing] = useState<Row | null>(null);
  const [deleting, setDeleting] = useState<Row | null>(null);
  const removal = useInvalidatingMutation(key, remove);
  return {
    editing,
    edit: (row: Row) => setEditing(row),
    stopEditing: () => setEditing(null),
    deleting,
    removal,
    // A failure of an earlier delete is not shown again, neither on this row nor on the next.
    askDelete: (row: Row) => {
      removal.reset();
      setDeleting(row);
    },
    cancelDelete: () => {
      setDeleting(null);
      removal.reset();
    },
    /** Deletes the row being confirmed; the dialog stays open, with the API's message, if it fails. */
    confirmDelete: (onDeleted?: (row: Row) => void) => {
      const row = deleting;
      if (row === null) return;
      removal.mutate(row, {
        onSuccess: () => {
          onDeleted?.(row);
          setDeleting(null);
        },
      });
    },
  };
}

export type AdminCollection<Row> = ReturnType<typeof useAdminCollection<Row>>;

/** The confirmation of a collection's delete (`askDelete`). */
export function DeleteDialog<Row>({
  collection,
  title,
  description,
  onDeleted,
}: {
  collection: AdminCollection<Row>;
  title: string | ((row: Row) => string);
  description: string | ((row: Row) => string);
  onDeleted?: (row: Row) => void;
}) {
  const row = collection.deleting;
  const text = (value: string | ((row: Row) => string)) =>
    typeof value === "string" ? value : row === null ? "" : value(row);
  return (
    <ConfirmDialog
      open={row !== null}
      onCancel={collection.cancelDelete}
      title={text(title)}
      description={text(description)}
      busy={collection.removal.isPending}
      error={collection.removal.error}
      onConfirm={() => collection.confirmDelete(onDeleted)}
    />
  );
}

/** A dialog about one row (edit it, its defaults…): open while `row` is set, `onClose` closes it. */
export function RowDialog<Row>({
  row,
  onClose,
  title,
  description,
  children,
}: {
  row: Row | null;
  onClose: () => void;
  title: (row: Row) => string;
  description?: string | ((row: Row) => string | undefined);
  children: (row: Row) => ReactNode;
}) {
  const text = typeof description === "function" ? row !== null && description(row) : description;
  return (
    <Dialog
      open={row !== null}
      onOpenChange={(open) => !open && onClose()}
      title={row === null ? "" : title(row)}
      description={text || undefined}
    >
      {row !== null && children(row)}
    </Dialog>
  );
}

/** A row's "Edit" button ("Edit <name>" to screen readers): opens the collection's edit dialog. */
export function EditButton<Row>({
  collection,
  row,
  name,
  ...button
}: Omit<ButtonProps, "onClick"> & { collection: AdminCollection<Row>; row: Row; name: string }) {
  return (
    <Button {...button} onClick={() => collection.edit(row)} aria-label={`Edit ${name}`}>
      Edit
    </Button>
  );
}

/** A row's "Delete" button ("Delete <name>" to screen readers): asks first (`DeleteDialog`). */
export function DeleteButton<Row>({
  collection,
  row,
  name,
}: {
  collection: AdminCollection<Row>;
  row: Row;
  name: string;
}) {
  return (
    <Button variant="danger" onClick={() => collection.askDelete(row)} aria-label={`Delete ${name}`}>
      Delete
    </Button>
  );
}

/**
 * The form of an edit dialog: its fields, the API's refusal, then Save (busy while `save` runs) and
 * Cancel. `onSubmit` starts the write; the page closes the dialog on success; `shown`: see ActionError.
 */
export function EditForm({
  save,
  shown,
  submitLabel = "Save",
  onSubmit,
  onCancel,
  children,
}: {
  save: { isPending: boolean; error: unknown };
  shown?: readonly string[];
  submitLabel?: string;
  onSubmit: () => void;
  onCancel: () => void;
  children: ReactNode;
}) {
  return (
    <AdminForm onSubmit={onSubmit}>
      {children}
      <ActionError error={save.error} shown={shown} />
      <div className="data-actions">
        <Button type="submit" variant="primary" busy={save.isPending}>
          {submitLabel}
        </Button>
        <Button onClick={onCancel}>Cancel</Button>
      </div>
    </AdminForm>
  );
}

/**
 * A button that runs `write` on its row without asking (deactivate, enable, retry…), busy while the
 * write of that row runs: the other rows' buttons stay usable.
 */
export function RowButton<Row extends Identified>({
  write,
  row,
  onDone,
  ...button
}: Omit<ButtonProps, "busy" | "onClick"> & {
  write: UseMutationResult<unknown, Error, Row>;
  row: Row;
  onDone?: () => void;
}) {
  return (
    <Button
      {...button}
      busy={write.isPending && write.variables.id === row.id}
      onClick={() => write.mutate(row, onDone ? { onSuccess: onDone } : {})}
    />
  );
}

/**
 * The "New …" card of an admin page: its fields, the submit button (busy while `create` runs) and
 * the API's refusal under it (`shown`: see ActionError). `onSubmit` starts the write; the page clears
 * its fields on success.
 */
export function CreateCard({
  title,
  submitLabel,
  create,
  shown,
  onSubmit,
  children,
}: {
  title: string;
  submitLabel: string;
  create: { isPending: boolean; error: unknown };
  shown?: readonly string[];
  onSubmit: () => void;
  children: ReactNode;
}) {
  return (
    <Card title={title}>
      <AdminForm onSubmit={onSubmit}>
        {children}
        <Button type="submit" variant="primary" busy={create.isPending}>
          {submitLabel}
        </Button>
        <ActionError error={create.error} shown={shown} />
      </AdminForm>
    </Card>
  );
}

function AdminForm({ onSubmit, children }: { onSubmit: () => void; children: ReactNode }) {
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
      className="admin-form"
    >
      {children}
    </form>
  );
}
