import type { FieldErrors } from "../../api/field-errors.js";
import {
  isSetValue,
  visibleFieldNames,
  type FormField,
  type FormFieldType,
  type VisibleWhen,
} from "@bifrost/contracts";

/** What the runner and the preview need of a field: the API's field, or the builder's draft of one. */
export type RunnableField = Pick<FormField, "name" | "label" | "type" | "required"> & {
  default?: unknown;
  placeholder?: string | null | undefined;
  helpText?: string | null | undefined;
  options?: FormField["options"] | undefined;
  dataProvider?: FormField["dataProvider"] | undefined;
  visibleWhen?: VisibleWhen | null | undefined;
  validation?: FormField["validation"] | undefined;
};

export type Values = Record<string, unknown>;
export type { FieldErrors };

/** Content blocks: shown to the person filling the form, never submitted. */
export const DISPLAY_TYPES: readonly FormFieldType[] = ["markdown", "html"];
export const CHOICE_TYPES: readonly FormFieldType[] = ["select", "radio", "multiSelect"];

export const isDisplay = (field: RunnableField) => DISPLAY_TYPES.includes(field.type);

/** The fields shown for these values (contracts' evaluator, the one the server runs too). */
export const shownFields = <F extends RunnableField>(fields: readonly F[], values: Values): F[] => {
  const shown = visibleFieldNames(
    fields.map((f) => ({ name: f.name, visibleWhen: f.visibleWhen ?? null })),
    values,
  );
  return fields.filter((f) => shown.has(f.name));
};

/** The starting values: each field's default (content blocks hold none). */
export function initialValues(fields: readonly RunnableField[]): Values {
  const values: Values = {};
  for (const field of fields) {
    if (isDisplay(field) || field.default === undefined || field.default === null) continue;
    values[field.name] = field.default;
  }
  return values;
}

/** A query-string value turned into the field's type; undefined when it cannot be one. */
export function coerceQueryValue(field: RunnableField, raw: string[]): unknown {
  const first = raw[0] ?? "";
  switch (field.type) {
    case "number": {
      const n = Number(first);
      return first.trim() !== "" && Number.isFinite(n) ? n : undefined;
    }
    case "checkbox":
      return ["true", "1", "yes", "on"].includes(first.toLowerCase())
        ? true
        : ["false", "0", "no", "off"].includes(first.toLowerCase())
          ? false
          : undefined;
    case "multiSelect":
      return raw.flatMap((item) => item.split(",")).filter((item) => item !== "");
    case "file":
    case "markdown":
    case "html":
      return undefined;
    case "datetime": {
      const date = new Date(first);
      return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
    }
    default:
      return first;
  }
}

/** `?fieldName=value` prefills the field of that name, coerced to its type. */
export function prefillFromQuery(fields: readonly RunnableField[], params: URLSearchParams): Values {
  const values: Values = {};
  for (const field of fields) {
    const raw = params.getAll(field.name);
    if (raw.length === 0) continue;
    const value = coerceQueryValue(field, raw);
    if (value !== undefined) values[field.name] = value;
  }
  return values;
}

/** A launch workflow's result that is an object prefills the fields it names. */
export function prefillFromStartup(fields: readonly RunnableField[], result: unknown): Values {
  if (typeof result !== "object" || result === null || Array.isArray(result)) return {};
  const values: Values = {};
  for (const field of fields) {
    if (isDisplay(field) || field.type === "file") continue;
    const value = (result as Record<string, unknown>)[field.name];
    if (value !== undefined && value !== null) values[field.name] = value;
  }
  return values;
}

/** What is submitted: the values of the shown, entered, non-display fields. */
export function submittedValues(fields: readonly RunnableField[], values: Values): Values {
  const out: Values = {};
  for (const field of shownFields(fields, values)) {
    if (isDisplay(field)) continue;
    const value = values[field.name];
    if (isSetValue(value)) out[field.name] = value;
  }
  return out;
}

/** Required fields left empty, checked before asking the API (which checks everything again). */
export function missingRequired(fields: readonly RunnableField[], values: Values): FieldErrors {
  const errors: FieldErrors = {};
  for (const field of shownFields(fields, values)) {
    if (field.required && !isDisplay(field) && !isSetValue(values[field.name]))
      errors[field.name] = `${field.label} is required`;
  }
  return errors;
}

/** "2026-01-02T03:04:05.000Z" as the local "2026-01-02T04:04" a datetime-local input shows. */
export function toLocalInput(iso: unknown): string {
  if (typeof iso !== "string") return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** What each field control of a form gets. */
export type ControlProps = {
  field: RunnableField;
  fields: readonly RunnableField[];
  values: Values;
  value: unknown;
  onChange: (value: unknown) => void;
  error: string | undefined;
  formId: string | undefined;
};

/** A field's label, marked when the field is required. */
export function labelOf(field: RunnableField): string {
  return field.required ? `${field.label} (required)` : field.label;
}
