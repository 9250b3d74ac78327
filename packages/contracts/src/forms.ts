import { z } from "zod";
import { executionStatusSchema } from "./executions.js";
import { accessLevelSchema } from "./workflows.js";

export const formFieldTypeSchema = z.enum([
  "text",
  "email",
  "number",
  "select",
  "multiSelect",
  "checkbox",
  "textarea",
  "radio",
  "date",
  "datetime",
  "markdown",
  "html",
  "file",
]);
export type FormFieldType = z.infer<typeof formFieldTypeSchema>;

/**
 * `visibleWhen` (API.md "Forms"): a JSON condition, never code. A leaf names a field and holds one
 * or more tests, all of which must pass: `equals`, `notEquals`, `in` (one of), `isSet` (a value other
 * than undefined, null, "" or []). `all`, `any` and `not` combine conditions.
 */
export type VisibleWhen =
  | { field: string; equals?: unknown; notEquals?: unknown; in?: unknown[]; isSet?: boolean }
  | { all: VisibleWhen[] }
  | { any: VisibleWhen[] }
  | { not: VisibleWhen };

/** Deeper conditions are refused: a form is written by people, and evaluation recurses. */
export const MAX_CONDITION_DEPTH = 16;

const leafSchema = z
  .strictObject({
    field: z.string().min(1).max(200),
    equals: z.unknown().optional(),
    notEquals: z.unknown().optional(),
    in: z.array(z.unknown()).max(500).optional(),
    isSet: z.boolean().optional(),
  })
  .refine(
    (leaf) => ["equals", "notEquals", "in", "isSet"].some((key) => key in leaf),
    "a condition on a field needs equals, notEquals, in or isSet",
  );

/**
 * Recursive, so it has a component id: an OpenAPI document can describe a schema that refers to
 * itself only as a named component (`#/components/schemas/VisibleWhen`), and client generators
 * name its type after it.
 */
export const visibleWhenSchema: z.ZodType<VisibleWhen> = z
  .lazy(() =>
    z.union([
      leafSchema,
      z.strictObject({ all: z.array(visibleWhenSchema).min(1).max(50) }),
      z.strictObject({ any: z.array(visibleWhenSchema).min(1).max(50) }),
      z.strictObject({ not: visibleWhenSchema }),
    ]),
  )
  .refine((condition) => depthOf(condition) <= MAX_CONDITION_DEPTH, {
    message: `conditions nest at most ${MAX_CONDITION_DEPTH} levels`,
  })
  .meta({ id: "VisibleWhen" });

function depthOf(condition: VisibleWhen): number {
  if ("all" in condition) return 1 + Math.max(...condition.all.map(depthOf));
  if ("any" in condition) return 1 + Math.max(...condition.any.map(depthOf));
  if ("not" in condition) return 1 + depthOf(condition.not);
  return 1;
}

/** Whether a value counts as entered: the `isSet` test and the `required` rule share it. */
export const isSetValue = (value: unknown): boolean =>
  value !== undefined && value !== null && value !== "" && !(Array.isArray(value) && value.length === 0);

/** Structural equality of JSON values (object key order does not matter). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  const left = Object.entries(a as Record<string, unknown>);
  const right = b as Record<string, unknown>;
  return (
    left.length === Object.keys(right).length &&
    left.every(([key, value]) => Object.hasOwn(right, key) && jsonEqual(value, right[key]))
  );
}

/**
 * The one evaluator of `visibleWhen`: the web client and the server both call it. No condition
 * (undefined or null) is visible.
 */
export function isVisible(
  condition: VisibleWhen | null | undefined,
  values: Record<string, unknown>,
): boolean {
  if (condition === undefined || condition === null) return true;
  if ("all" in condition) return condition.all.every((c) => isVisible(c, values));
  if ("any" in condition) return condition.any.some((c) => isVisible(c, values));
  if ("not" in condition) return !isVisible(condition.not, values);
  const value = Object.hasOwn(values, condition.field) ? values[condition.field] : undefined;
  if ("equals" in condition && !jsonEqual(value, condition.equals)) return false;
  if ("notEquals" in condition && jsonEqual(value, condition.notEquals)) return false;
  if (condition.in !== undefined && !condition.in.some((option) => jsonEqual(value, option))) return false;
  if (condition.isSet !== undefined && isSetValue(value) !== condition.isSet) return false;
  return true;
}

/**
 * The fields shown for these values, in form order: each condition sees the values of the fields
 * before it that are shown (a hidden field's stale value never shows another field) and the raw
 * values of the fields after it. Hidden fields are not required and their values are dropped.
 */
export function visibleFieldNames(
  fields: ReadonlyArray<{ name: string; visibleWhen?: VisibleWhen | null | undefined }>,
  values: Record<string, unknown>,
): Set<string> {
  const effective: Record<string, unknown> = { ...values };
  const visible = new Set<string>();
  for (const field of fields) {
    if (isVisible(field.visibleWhen, effective)) visible.add(field.name);
    else delete effective[field.name];
  }
  return visible;
}

export const formOptionSchema = z.object({ label: z.string(), value: z.unknown() });
export type FormOption = z.infer<typeof formOptionSchema>;

/** Extra rules of a field; `maxSize` (bytes, default 100 MB) and `allowedTypes` are for file fields. */
export const formFieldValidationSchema = z.strictObject({
  min: z.number().optional(),
  max: z.number().optional(),
  minLength: z.number().int().min(0).optional(),
  maxLength: z.number().int().min(0).optional(),
  pattern: z
    .string()
    .max(500)
    .refine((source) => {
      try {
        new RegExp(source, "u");
        return true;
      } catch {
        return false;
      }
    }, "not a valid regular expression")
    .optional(),
  maxSize: z.number().int().positive().optional(),
  /** MIME types; `image/*` allows a whole family. */
  allowedTypes: z.array(z.string().min(1).max(200)).max(100).optional(),
});
export type FormFieldValidation = z.infer<typeof formFieldValidationSchema>;

/** A provider param: a constant, or `"{{ fieldName }}"` for another field's value. */
export const formDataProviderSchema = z.strictObject({
  workflowId: z.guid(),
  inputs: z.record(z.string(), z.unknown()).optional(),
});
export type FormDataProvider = z.infer<typeof formDataProviderSchema>;

export const formFieldInputSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,99}$/, "letters, digits and _, not starting with a digit")
    .refine((name) => !["__proto__", "constructor", "prototype"].includes(name), "a reserved name"),
  label: z.string().min(1).max(500),
  type: formFieldTypeSchema,
  required: z.boolean().default(false),
  default: z.unknown().optional(),
  placeholder: z.string().max(500).optional(),
  helpText: z.string().max(5000).optional(),
  options: z.array(formOptionSchema).max(1000).optional(),
  dataProvider: formDataProviderSchema.optional(),
  visibleWhen: visibleWhenSchema.optional(),
  validation: formFieldValidationSchema.optional(),
});
export type FormFieldInput = z.infer<typeof formFieldInputSchema>;

const choiceTypes: readonly FormFieldType[] = ["select", "radio", "multiSelect"];

/** `POST /api/forms` and `PUT /api/forms/{id}` (PUT replaces the whole form, fields included). */
export const createFormSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(5000).optional(),
    workflowId: z.guid(),
    launchWorkflowId: z.guid().optional(),
    /** Absent: a global form. */
    organizationId: z.guid().optional(),
    accessLevel: accessLevelSchema.default("role_based"),
    roleIds: z.array(z.guid()).max(1000).default([]),
    /** Query parameters the startup run may receive (prefill). */
    allowedQueryParams: z.array(z.string().min(1).max(100)).max(100).default([]),
    isActive: z.boolean().default(true),
    fields: z.array(formFieldInputSchema).max(200),
  })
  .superRefine((form, ctx) => {
    const seen = new Set<string>();
    form.fields.forEach((field, i) => {
      if (seen.has(field.name))
        ctx.addIssue({ code: "custom", path: ["fields", i, "name"], message: "names must be unique" });
      seen.add(field.name);
      const choice = choiceTypes.includes(field.type);
      if (field.dataProvider && !choice)
        ctx.addIssue({
          code: "custom",
          path: ["fields", i, "dataProvider"],
          message: "only select, radio and multiSelect fields take a data provider",
        });
      if (choice && !field.dataProvider && (field.options ?? []).length === 0)
        ctx.addIssue({
          code: "custom",
          path: ["fields", i, "options"],
          message: "a choice field needs options or a data provider",
        });
    });
  });
export type CreateForm = z.infer<typeof createFormSchema>;

export const formFieldSchema = z.object({
  name: z.string(),
  label: z.string(),
  type: formFieldTypeSchema,
  required: z.boolean(),
  default: z.unknown().optional(),
  placeholder: z.string().nullable(),
  helpText: z.string().nullable(),
  options: z.array(formOptionSchema).nullable(),
  dataProvider: formDataProviderSchema.nullable(),
  visibleWhen: visibleWhenSchema.nullable(),
  validation: formFieldValidationSchema.nullable(),
});
export type FormField = z.infer<typeof formFieldSchema>;

export const formSchema = z.object({
  id: z.guid(),
  name: z.string(),
  description: z.string().nullable(),
  workflowId: z.guid(),
  launchWorkflowId: z.guid().nullable(),
  organizationId: z.guid().nullable(),
  accessLevel: accessLevelSchema,
  roleIds: z.array(z.guid()),
  allowedQueryParams: z.array(z.string()),
  isActive: z.boolean(),
  fields: z.array(formFieldSchema),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Form = z.infer<typeof formSchema>;

export const formFieldParamsSchema = z.object({ id: z.guid(), fieldName: z.string().min(1).max(100) });

/** `POST /api/forms/{id}/fields/{fieldName}/options` */
export const formOptionsRequestSchema = z.object({ values: z.record(z.string(), z.unknown()).default({}) });
/** `error`: the provider failed (a result of user code, not a platform error); `options` is then []. */
export const formOptionsResultSchema = z.object({
  options: z.array(formOptionSchema),
  error: z.string().optional(),
});

/** `POST /api/forms/{id}/execute` */
export const formExecuteRequestSchema = z.object({
  values: z.record(z.string(), z.unknown()).default({}),
  sync: z.boolean().default(false),
});
export type FormExecuteRequest = z.infer<typeof formExecuteRequestSchema>;

/** `POST /api/forms/{id}/startup`: the launch workflow's run; all null when the form has none. */
export const formStartupResultSchema = z.object({
  executionId: z.guid().nullable(),
  status: executionStatusSchema.nullable(),
  result: z.unknown(),
  error: z.string().nullable(),
  durationMs: z.number().nullable(),
});
export type FormStartupResult = z.infer<typeof formStartupResultSchema>;

/** `POST /api/forms/{id}/upload` */
export const formUploadRequestSchema = z.strictObject({
  fieldName: z.string().min(1).max(100),
  fileName: z.string().min(1).max(255),
  contentType: z.string().min(1).max(200),
  size: z.number().int().min(0),
});
export const formUploadResultSchema = z.object({ uploadUrl: z.string(), path: z.string() });
