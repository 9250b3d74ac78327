import { queryOperators, type FieldError, type QueryOperator, type Where } from "@bifrost/contracts";
import { sql, type SQL } from "drizzle-orm";
import { documents } from "../../db/schema/index.js";
import { ValidationError } from "../../errors.js";

/**
 * The table query DSL of API.md ("Config, tables, schedules") compiled to SQL over `documents.data`.
 * Every value and every field name travels as a bound parameter, never spliced into the text; field
 * names are also checked against FIELD_NAME so a typo is a 422, not an empty answer.
 *
 * Equality (implicit or `eq`) is `data @> '{"field": value}'`: the GIN index (jsonb_path_ops) on
 * `data` serves it, which is what keeps an equality query on 100,000 documents fast.
 */
const FIELD_NAME = /^[A-Za-z_$][A-Za-z0-9_$-]{0,199}$/;
const OPERATORS = new Set<string>(queryOperators);

type Scalar = string | number | boolean | null;

const data = sql`${documents.data}`;
const field = (name: string): SQL => sql`(${data} -> ${name}::text)`;
const json = (value: unknown): SQL => sql`${JSON.stringify(value)}::jsonb`;

/** `%`, `_` and `\` of a LIKE pattern matched literally. */
const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

class Problems {
  readonly list: FieldError[] = [];
  add(path: string, message: string): void {
    this.list.push({ path, message });
  }
  throwIfAny(): void {
    if (this.list.length > 0) throw new ValidationError("Invalid table query", this.list);
  }
}

function checkField(name: string, path: string, problems: Problems): boolean {
  if (FIELD_NAME.test(name)) return true;
  problems.add(path, "is not a field name (letters, digits, _ $ -; a top-level key of data)");
  return false;
}

function equals(name: string, value: unknown): SQL {
  const containment = sql`${data} @> ${json({ [name]: value })}`;
  // On objects and arrays `@>` is containment, not equality: the exact comparison narrows it.
  return typeof value === "object" && value !== null
    ? sql`(${containment} and ${field(name)} = ${json(value)})`
    : containment;
}

function compare(name: string, op: "gt" | "gte" | "lt" | "lte", value: Scalar): SQL {
  const symbol = { gt: sql`>`, gte: sql`>=`, lt: sql`<`, lte: sql`<=` }[op];
  // Numbers compare numerically (jsonb numeric order), strings lexically (code points, collation C).
  // Documents whose field has another type never match.
  if (typeof value === "number")
    return sql`(jsonb_typeof(${field(name)}) = 'number' and ${field(name)} ${symbol} ${json(value)})`;
  return sql`(jsonb_typeof(${field(name)}) = 'string' and (${data} ->> ${name}::text) collate "C" ${symbol} ${String(value)}::text collate "C")`;
}

function condition(name: string, op: QueryOperator, value: unknown, path: string, problems: Problems) {
  const text = sql`(${data} ->> ${name}::text)`;
  switch (op) {
    case "eq":
      return equals(name, value);
    case "ne":
      return sql`(${field(name)} is distinct from ${json(value)})`;
    case "contains":
    case "startsWith":
    case "endsWith": {
      if (typeof value !== "string") return problems.add(path, "takes a string");
      const inner = escapeLike(value);
      const pattern = op === "contains" ? `%${inner}%` : op === "startsWith" ? `${inner}%` : `%${inner}`;
      return sql`(jsonb_typeof(${field(name)}) = 'string' and ${text} ilike ${pattern} escape '\\')`;
    }
    case "gt":
    case "gte":
    case "lt":
    case "lte":
      if (typeof value !== "number" && typeof value !== "string")
        return problems.add(path, "takes a number or a string");
      return compare(name, op, value);
    case "in":
      if (!Array.isArray(value) || value.length > 1000)
        return problems.add(path, "takes an array of at most 1000 values");
      if (value.length === 0) return sql`false`;
      return sql`(${field(name)} in (select value from jsonb_array_elements(${json(value)})))`;
    case "isNull":
      if (typeof value !== "boolean") return problems.add(path, "takes true or false");
      // A missing key and a JSON null are both null.
      return value
        ? sql`(coalesce(${field(name)}, 'null'::jsonb) = 'null'::jsonb)`
        : sql`(coalesce(${field(name)}, 'null'::jsonb) <> 'null'::jsonb)`;
    case "hasKey":
      if (typeof value !== "boolean") return problems.add(path, "takes true or false");
      return value ? sql`(${data} ? ${name}::text)` : sql`(not (${data} ? ${name}::text))`;
  }
}

/** The WHERE of a `where` object (AND of its conditions), or undefined when there is none. */
export function compileWhere(where: Where | undefined, pathPrefix = "body.where"): SQL | undefined {
  if (!where) return undefined;
  const problems = new Problems();
  const parts: SQL[] = [];
  for (const [name, spec] of Object.entries(where)) {
    const path = `${pathPrefix}.${name}`;
    if (!checkField(name, path, problems)) continue;
    // `{ field: { op: value } }` when every key is an operator; any other value is plain equality.
    const keys = isPlainObject(spec) ? Object.keys(spec) : [];
    if (!isPlainObject(spec) || keys.length === 0) {
      parts.push(equals(name, spec));
      continue;
    }
    for (const op of keys) {
      if (!OPERATORS.has(op)) {
        problems.add(`${path}.${op}`, `is not an operator (${queryOperators.join(", ")})`);
        continue;
      }
      const compiled = condition(name, op as QueryOperator, spec[op], `${path}.${op}`, problems);
      if (compiled) parts.push(compiled);
    }
  }
  problems.throwIfAny();
  return parts.length === 0 ? undefined : sql.join(parts, sql` and `);
}

/** ORDER BY a top-level field of data (jsonb order: numbers numerically), then the document id. */
export function compileOrderBy(orderBy: string | undefined, direction: "asc" | "desc"): SQL {
  const dir = direction === "desc" ? sql`desc` : sql`asc`;
  if (orderBy === undefined) return sql`${documents.id} ${dir}`;
  const problems = new Problems();
  checkField(orderBy, "body.orderBy", problems);
  problems.throwIfAny();
  return sql`${field(orderBy)} ${dir} nulls last, ${documents.id} ${dir}`;
}
