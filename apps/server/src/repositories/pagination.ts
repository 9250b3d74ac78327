import { asc, desc, sql, type SQL } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import { ValidationError } from "../errors.js";

export type Page<T> = { items: T[]; nextCursor: string | null };

type Position = { createdAt: Date; id: string };

/** Cursors are opaque to clients: the (createdAt, id) of the last item, base64url JSON. */
function encodeCursor(position: Position): string {
  return Buffer.from(JSON.stringify([position.createdAt.toISOString(), position.id])).toString("base64url");
}

export function decodeCursor(cursor: string): Position {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown[];
    const date = new Date(String(createdAt));
    if (typeof id !== "string" || Number.isNaN(date.getTime())) throw new Error("bad cursor");
    return { createdAt: date, id };
  } catch {
    throw new ValidationError("Invalid cursor", [
      { path: "query.cursor", message: "is not a cursor this API issued" },
    ]);
  }
}

/**
 * WHERE and ORDER BY for keyset pagination over (createdAt, id), oldest first unless `desc`. PostgreSQL keeps
 * microseconds and a JS Date only milliseconds, so both sides compare the time truncated to the
 * millisecond; otherwise the last row of a page could come back on the next one.
 */
export function keyset(
  columns: { createdAt: PgColumn; id: PgColumn },
  cursor: string | undefined,
  direction: "asc" | "desc" = "asc",
) {
  const at = sql`date_trunc('milliseconds', ${columns.createdAt})`;
  const after = cursor ? decodeCursor(cursor) : undefined;
  const op = direction === "asc" ? sql`>` : sql`<`;
  const where: SQL | undefined = after
    ? sql`(${at}, ${columns.id}) ${op} (${after.createdAt.toISOString()}::timestamptz, ${after.id}::uuid)`
    : undefined;
  const order = direction === "asc" ? asc : desc;
  return { where, orderBy: [order(at), order(columns.id)] };
}

/** Fetch `limit + 1` rows, then call this: the extra row only says whether there is a next page. */
export function toPage<T extends Position, U>(rows: T[], limit: number, map: (row: T) => U): Page<U> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items: items.map(map), nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}
