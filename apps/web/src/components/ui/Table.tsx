import type { ReactNode } from "react";

export type Column<T> = { header: string; cell: (row: T) => ReactNode; className?: string };

/** A plain data table; callers render loading, empty and error states around it. */
export function Table<T>({
  caption,
  columns,
  rows,
  rowKey,
  rowAttributes,
}: {
  caption: string;
  columns: Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  /** Optional `data-*` attributes of a row (e.g. its id, for tests and live updates). */
  rowAttributes?: (row: T) => Record<`data-${string}`, string>;
}) {
  return (
    // A table wider than the screen scrolls inside this box: keyboard users reach it (Tab, then the
    // arrow keys) and the table inside announces itself by its caption.
    <div className="ui-table-wrap" tabIndex={0}>
      <table className="ui-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.header} scope="col" className={c.className}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)} {...rowAttributes?.(row)}>
              {columns.map((c) => (
                <td key={c.header} className={c.className}>
                  {c.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
