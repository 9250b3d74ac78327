import { propertiesInOrder, type FormFieldType } from "@bifrost/contracts";
import { enumOptions, kindOf, unwrap, type JsonSchema } from "../../components/json-schema-form/schema.js";
import { newField, type DraftField } from "./draft.js";

/** The builder's fields made from a workflow's parameters, and the parameters no field type can hold. */
export type ParameterFields = { fields: DraftField[]; skipped: string[] };

const textOf = (value: unknown): string =>
  value === undefined || value === null ? "" : typeof value === "string" ? value : JSON.stringify(value);

/** "startDate", "start_date" → "Start date". */
function labelOfName(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .trim()
    .toLowerCase();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : name;
}

/** The form field type that submits what the parameter takes, or null when none does (objects, JSON). */
function fieldTypeOf(schema: JsonSchema): FormFieldType | null {
  const kind = kindOf(schema);
  switch (kind) {
    case "enum":
      return "select";
    case "boolean":
      return "checkbox";
    case "number":
    case "integer":
      return "number";
    case "array":
      return schema.items && kindOf(schema.items) === "enum" ? "multiSelect" : null;
    case "string":
      if (schema.format === "date-time") return "datetime";
      if (schema.format === "date") return "date";
      if (schema.format === "email") return "email";
      return "text";
    default:
      return null;
  }
}

/**
 * One field per parameter of a workflow's `parametersSchema` (zod's JSON Schema), in declared order:
 * its name, a label (the title, else words of the name), the type that submits what it takes,
 * required when the workflow requires it without a default, its default, enum options and the
 * description as help text.
 */
export function fieldsFromParameters(parametersSchema: Record<string, unknown>): ParameterFields {
  const root = unwrap(parametersSchema);
  const required = new Set(root.required ?? []);
  const fields: DraftField[] = [];
  const skipped: string[] = [];
  for (const [name, raw] of propertiesInOrder(root)) {
    const schema = unwrap(raw);
    const type = fieldTypeOf(schema);
    if (!type) {
      skipped.push(name);
      continue;
    }
    const choices = type === "multiSelect" ? enumOptions(schema.items ?? {}) : enumOptions(schema);
    const fallback = schema.default;
    const field: DraftField = {
      ...newField(fields),
      name,
      label: schema.title ?? labelOfName(name),
      type,
      required: required.has(name) && fallback === undefined && type !== "checkbox",
      helpText: schema.description ?? "",
      options:
        type === "select" || type === "multiSelect"
          ? choices.map((value) => ({ label: textOf(value), value, text: textOf(value) }))
          : [],
    };
    if (fallback !== undefined && fallback !== null)
      field.defaultText = Array.isArray(fallback) ? fallback.map(textOf).join(",") : textOf(fallback);
    fields.push(field);
  }
  return { fields, skipped };
}

/** The fields of `fromParameters` whose name no field of `current` has yet. */
export function missingFields(current: readonly DraftField[], fromParameters: readonly DraftField[]) {
  const names = new Set(current.map((f) => f.name));
  return fromParameters.filter((f) => !names.has(f.name));
}
