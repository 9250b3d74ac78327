import {
  isSetValue,
  jsonEqual,
  visibleFieldNames,
  type FieldError,
  type FormFieldValidation,
  type FormOption,
  type VisibleWhen,
} from "@bifrost/contracts";
import { z } from "zod";
import type { FormFieldRow } from "../../repositories/forms.js";

/** Where a choice field's offered options come from: its own list, or its data provider's run. */
export type OptionsOf = (
  field: FormFieldRow,
  values: Record<string, unknown>,
) => Promise<{ options: FormOption[]; error?: string }>;

/** Checks an uploaded file's `{ path }` (inside this form's uploads, present, within limits). */
export type FileCheck = (field: FormFieldRow, path: string) => Promise<string | undefined>;

const emailSchema = z.email();
const dateTimeSchema = z.iso.datetime({ offset: true });
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const conditionOf = (field: FormFieldRow): VisibleWhen | null =>
  (field.visibleWhen as VisibleWhen | null) ?? null;

/** The values of the shown fields that were entered; hidden fields and unknown keys are dropped. */
export function shownValues(
  fields: readonly FormFieldRow[],
  values: Record<string, unknown>,
): Record<string, unknown> {
  const shown = visibleFieldNames(
    fields.map((field) => ({ name: field.name, visibleWhen: conditionOf(field) })),
    values,
  );
  const kept: Record<string, unknown> = {};
  for (const field of fields) {
    const value = Object.hasOwn(values, field.name) ? values[field.name] : undefined;
    if (shown.has(field.name) && isSetValue(value)) kept[field.name] = value;
  }
  return kept;
}

/**
 * The submitted values checked against the fields (API.md "Forms"): the kept values (shown and
 * entered), or the list of bad fields. A hidden field is never required and its value is dropped.
 */
export async function checkValues(
  fields: readonly FormFieldRow[],
  submitted: Record<string, unknown>,
  sources: { optionsOf: OptionsOf; checkFile: FileCheck },
): Promise<{ values: Record<string, unknown>; errors: FieldError[] }> {
  const shown = visibleFieldNames(
    fields.map((field) => ({ name: field.name, visibleWhen: conditionOf(field) })),
    submitted,
  );
  const values = shownValues(fields, submitted);
  const errors: FieldError[] = [];
  for (const field of fields) {
    if (!shown.has(field.name)) continue;
    const path = `body.values.${field.name}`;
    const value = values[field.name];
    if (value === undefined) {
      if (field.required) errors.push({ path, message: `${field.label} is required` });
      continue;
    }
    const problem = typeProblem(field, value) ?? (await offeredProblem(field, value, values, sources));
    if (problem) errors.push({ path, message: problem });
  }
  return { values, errors };
}

function typeProblem(field: FormFieldRow, value: unknown): string | undefined {
  const rules = (field.validation ?? {}) as FormFieldValidation;
  switch (field.type) {
    case "text":
    case "textarea":
    case "markdown":
    case "html":
      return typeof value === "string" ? textProblem(value, rules) : "must be a string";
    case "email":
      return typeof value === "string" && emailSchema.safeParse(value).success
        ? textProblem(value, rules)
        : "must be an e-mail address";
    case "number":
      if (typeof value !== "number" || !Number.isFinite(value)) return "must be a number";
      if (rules.min !== undefined && value < rules.min) return `must be at least ${rules.min}`;
      if (rules.max !== undefined && value > rules.max) return `must be at most ${rules.max}`;
      return undefined;
    case "checkbox":
      return typeof value === "boolean" ? undefined : "must be true or false";
    case "date":
      return typeof value === "string" && DATE.test(value) && !Number.isNaN(Date.parse(value))
        ? undefined
        : "must be a date (YYYY-MM-DD)";
    case "datetime":
      return typeof value === "string" && dateTimeSchema.safeParse(value).success
        ? undefined
        : "must be an ISO-8601 date and time with an offset";
    case "multiSelect":
      if (!Array.isArray(value)) return "must be a list of options";
      if (rules.minLength !== undefined && value.length < rules.minLength)
        return `choose at least ${rules.minLength}`;
      if (rules.maxLength !== undefined && value.length > rules.maxLength)
        return `choose at most ${rules.maxLength}`;
      return undefined;
    case "file":
      return isFileValue(value) ? undefined : "must be { path } of an uploaded file";
    case "select":
    case "radio":
      return undefined;
  }
}

function textProblem(value: string, rules: FormFieldValidation): string | undefined {
  if (rules.minLength !== undefined && value.length < rules.minLength)
    return `must be at least ${rules.minLength} characters`;
  if (rules.maxLength !== undefined && value.length > rules.maxLength)
    return `must be at most ${rules.maxLength} characters`;
  // Patterns are written by platform admins (form authors), never by the people filling the form.
  if (rules.pattern !== undefined && !new RegExp(rules.pattern, "u").test(value))
    return "does not match the expected format";
  return undefined;
}

export const isFileValue = (value: unknown): value is { path: string } =>
  typeof value === "object" &&
  value !== null &&
  !Array.isArray(value) &&
  typeof (value as { path?: unknown }).path === "string";

async function offeredProblem(
  field: FormFieldRow,
  value: unknown,
  values: Record<string, unknown>,
  sources: { optionsOf: OptionsOf; checkFile: FileCheck },
): Promise<string | undefined> {
  if (field.type === "file") return sources.checkFile(field, (value as { path: string }).path);
  if (field.type !== "select" && field.type !== "radio" && field.type !== "multiSelect") return undefined;
  const { options, error } = await sources.optionsOf(field, values);
  if (error !== undefined) return `its options could not be loaded: ${error}`;
  const offered = (choice: unknown) => options.some((option) => jsonEqual(option.value, choice));
  const chosen = field.type === "multiSelect" ? (value as unknown[]) : [value];
  return chosen.every(offered) ? undefined : "is not one of the options offered";
}
