import { propertiesInOrder } from "@bifrost/contracts";
import type { FieldErrors } from "../../api/field-errors.js";

/**
 * The subset of JSON Schema that zod's `toJSONSchema` produces for workflow parameters, and the
 * conversion between form state (what inputs hold: text for numbers, lists for arrays) and input data.
 */
export type JsonSchema = {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  title?: string;
  description?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
};

export type FieldKind = "string" | "number" | "integer" | "boolean" | "enum" | "array" | "object" | "json";

/** Field errors keyed by dotted path (`address.city`, `tags.0`). */
export type { FieldErrors };

/** Optional and nullable parameters arrive as `anyOf: [T, {type:"null"}]`: the form edits T. */
export function unwrap(schema: JsonSchema): JsonSchema {
  const choices = schema.anyOf ?? schema.oneOf;
  if (!choices) return schema;
  const concrete = choices.filter((c) => c.type !== "null");
  const first = concrete[0];
  if (concrete.length === 1 && first)
    return { ...first, description: schema.description ?? first.description };
  if (concrete.every((c) => c.const !== undefined)) return { ...schema, enum: concrete.map((c) => c.const) };
  return schema;
}

export function kindOf(raw: JsonSchema): FieldKind {
  const schema = unwrap(raw);
  if (schema.enum || schema.const !== undefined) return "enum";
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  switch (type) {
    case "string":
    case "number":
    case "integer":
    case "boolean":
    case "object":
      return type === "object" && !schema.properties ? "json" : type;
    case "array": {
      const items = schema.items ? kindOf(schema.items) : "json";
      return ["string", "number", "integer", "enum"].includes(items) ? "array" : "json";
    }
    default:
      return "json";
  }
}

export function enumOptions(schema: JsonSchema): unknown[] {
  const s = unwrap(schema);
  return s.enum ?? (s.const !== undefined ? [s.const] : []);
}

/** The form state of a field: its default, or empty. */
export function initialValue(raw: JsonSchema): unknown {
  const schema = unwrap(raw);
  const fallback = schema.default;
  switch (kindOf(schema)) {
    case "object":
      return Object.fromEntries(propertiesInOrder(schema).map(([key, child]) => [key, initialValue(child)]));
    case "boolean":
      return fallback === true;
    case "array":
      return Array.isArray(fallback) ? fallback.map((v) => String(v)) : [];
    case "json":
      return fallback === undefined ? "" : JSON.stringify(fallback, null, 2);
    case "string":
      if (schema.format === "date-time" && typeof fallback === "string") return toLocalInput(fallback);
      return scalarText(fallback);
    default:
      return scalarText(fallback);
  }
}

function scalarText(value: unknown): string {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean"
    ? String(value)
    : "";
}

/** `datetime-local` inputs hold local time without a zone. */
function toLocalInput(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Turns form state into input data, collecting a message per invalid field. Checks what the form
 * can show early (required, types, bounds, formats, patterns); the API stays the authority and its
 * 422 `details.fields` are shown on the same fields.
 */
export function toInputData(
  raw: JsonSchema,
  value: unknown,
  path: string,
  required: boolean,
  errors: FieldErrors,
): unknown {
  const schema = unwrap(raw);
  const fail = (message: string): undefined => {
    errors[path] = message;
    return undefined;
  };
  const kind = kindOf(schema);
  if (kind === "object") {
    const state = (value ?? {}) as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [key, child] of propertiesInOrder(schema)) {
      const childPath = path ? `${path}.${key}` : key;
      const converted = toInputData(
        child,
        state[key],
        childPath,
        schema.required?.includes(key) ?? false,
        errors,
      );
      if (converted !== undefined) out[key] = converted;
    }
    return !required && path && Object.keys(out).length === 0 ? undefined : out;
  }
  if (kind === "boolean") return value === true;
  if (kind === "array") {
    const items = ((value ?? []) as string[]).filter((v) => v.trim() !== "");
    if (items.length === 0 && !required) return undefined;
    if (schema.minItems !== undefined && items.length < schema.minItems)
      return fail(`Add at least ${schema.minItems} item${schema.minItems === 1 ? "" : "s"}`);
    if (schema.maxItems !== undefined && items.length > schema.maxItems)
      return fail(`At most ${schema.maxItems} items`);
    return items.map((item, i) => toInputData(schema.items ?? {}, item, `${path}.${i}`, true, errors));
  }
  const text = typeof value === "string" ? value : "";
  if (text.trim() === "") return required ? fail("Required") : undefined;
  switch (kind) {
    case "enum": {
      const match = enumOptions(schema).find((option) => String(option) === text);
      return match === undefined ? fail("Choose one of the options") : match;
    }
    case "number":
    case "integer": {
      const n = Number(text);
      if (!Number.isFinite(n)) return fail("Must be a number");
      if (kind === "integer" && !Number.isInteger(n)) return fail("Must be a whole number");
      if (schema.minimum !== undefined && n < schema.minimum)
        return fail(`Must be at least ${schema.minimum}`);
      if (schema.maximum !== undefined && n > schema.maximum)
        return fail(`Must be at most ${schema.maximum}`);
      if (schema.exclusiveMinimum !== undefined && n <= schema.exclusiveMinimum)
        return fail(`Must be more than ${schema.exclusiveMinimum}`);
      if (schema.exclusiveMaximum !== undefined && n >= schema.exclusiveMaximum)
        return fail(`Must be less than ${schema.exclusiveMaximum}`);
      return n;
    }
    case "json":
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return fail("Must be valid JSON");
      }
    default:
      return stringValue(schema, text, fail);
  }
}

function stringValue(schema: JsonSchema, text: string, fail: (message: string) => undefined): unknown {
  if (schema.format === "date-time") {
    const date = new Date(text);
    return Number.isNaN(date.getTime()) ? fail("Must be a date and time") : date.toISOString();
  }
  if (schema.format === "email" && !EMAIL.test(text)) return fail("Must be an e-mail address");
  if (schema.minLength !== undefined && text.length < schema.minLength)
    return fail(`Must be at least ${schema.minLength} characters`);
  if (schema.maxLength !== undefined && text.length > schema.maxLength)
    return fail(`Must be at most ${schema.maxLength} characters`);
  if (schema.pattern !== undefined && schema.format !== "email") {
    try {
      if (!new RegExp(schema.pattern, "u").test(text)) return fail("Does not have the expected format");
    } catch {
      // A pattern JavaScript cannot compile is left to the API.
    }
  }
  return text;
}
