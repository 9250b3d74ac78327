import {
  formFieldTypeSchema,
  jsonEqual,
  visibleWhenSchema,
  type Form,
  type FormField,
  type FormFieldType,
  type VisibleWhen,
} from "@bifrost/contracts";
import { CHOICE_TYPES, coerceQueryValue, DISPLAY_TYPES, type RunnableField } from "./values.js";

export const FIELD_TYPES: readonly FormFieldType[] = formFieldTypeSchema.options;

export const TYPE_LABELS: Record<FormFieldType, string> = {
  text: "Text",
  email: "E-mail",
  number: "Number",
  select: "Select (drop-down)",
  multiSelect: "Multiple choice (checkboxes)",
  checkbox: "Checkbox",
  textarea: "Long text",
  radio: "Single choice (radio buttons)",
  date: "Date",
  datetime: "Date and time",
  markdown: "Markdown block (shown, not submitted)",
  html: "HTML block (shown as text, not submitted)",
  file: "File upload",
};

type DraftOption = { label: string; value: unknown; text: string };

/** The builder's editable copy of one field: text boxes hold text, turned into the API's shape on save. */
export type DraftField = {
  key: string;
  name: string;
  label: string;
  type: FormFieldType;
  required: boolean;
  /** The default as typed (for markdown and html blocks: their content). */
  defaultText: string;
  placeholder: string;
  helpText: string;
  options: DraftOption[];
  providerWorkflowId: string;
  /** JSON object of the provider's inputs, or empty. */
  providerInputs: string;
  conditionMode: "none" | "simple" | "json";
  conditionField: string;
  conditionEquals: string;
  conditionJson: string;
  /** Rules the builder does not edit, kept as they were. */
  validation: FormField["validation"];
};

export type Draft = {
  name: string;
  description: string;
  workflowId: string;
  launchWorkflowId: string;
  organizationId: string;
  accessLevel: "authenticated" | "role_based";
  roleIds: string[];
  allowedQueryParams: string;
  isActive: boolean;
  fields: DraftField[];
};

let counter = 0;
const nextKey = () => `f${++counter}`;

export function newField(existing: readonly DraftField[]): DraftField {
  let n = existing.length + 1;
  while (existing.some((f) => f.name === `field${n}`)) n++;
  return {
    key: nextKey(),
    name: `field${n}`,
    label: `Field ${n}`,
    type: "text",
    required: false,
    defaultText: "",
    placeholder: "",
    helpText: "",
    options: [],
    providerWorkflowId: "",
    providerInputs: "",
    conditionMode: "none",
    conditionField: "",
    conditionEquals: "",
    conditionJson: "",
    validation: null,
  };
}

const textOf = (value: unknown): string =>
  value === undefined || value === null ? "" : typeof value === "string" ? value : JSON.stringify(value);

function defaultTextOf(field: FormField): string {
  if (field.default === undefined || field.default === null) return "";
  if (field.type === "multiSelect" && Array.isArray(field.default))
    return field.default.map(textOf).join(",");
  if (CHOICE_TYPES.includes(field.type)) {
    const option = (field.options ?? []).find((o) => jsonEqual(o.value, field.default));
    if (option) return textOf(option.value);
  }
  return textOf(field.default);
}

export function draftOf(form: Form | undefined, organizationId: string | null): Draft {
  if (!form)
    return {
      name: "",
      description: "",
      workflowId: "",
      launchWorkflowId: "",
      organizationId: organizationId ?? "",
      accessLevel: "role_based",
      roleIds: [],
      allowedQueryParams: "",
      isActive: true,
      fields: [],
    };
  return {
    name: form.name,
    description: form.description ?? "",
    workflowId: form.workflowId,
    launchWorkflowId: form.launchWorkflowId ?? "",
    organizationId: form.organizationId ?? "",
    accessLevel: form.accessLevel,
    roleIds: form.roleIds,
    allowedQueryParams: form.allowedQueryParams.join(", "),
    isActive: form.isActive,
    fields: form.fields.map((field) => {
      const simple =
        field.visibleWhen &&
        "field" in field.visibleWhen &&
        Object.keys(field.visibleWhen).length === 2 &&
        "equals" in field.visibleWhen;
      return {
        key: nextKey(),
        name: field.name,
        label: field.label,
        type: field.type,
        required: field.required,
        defaultText: defaultTextOf(field),
        placeholder: field.placeholder ?? "",
        helpText: field.helpText ?? "",
        options: (field.options ?? []).map((o) => ({
          label: o.label,
          value: o.value,
          text: textOf(o.value),
        })),
        providerWorkflowId: field.dataProvider?.workflowId ?? "",
        providerInputs: field.dataProvider?.inputs ? JSON.stringify(field.dataProvider.inputs, null, 2) : "",
        conditionMode: !field.visibleWhen ? "none" : simple ? "simple" : "json",
        conditionField: simple && "field" in field.visibleWhen! ? field.visibleWhen.field : "",
        conditionEquals:
          simple && field.visibleWhen && "field" in field.visibleWhen ? textOf(field.visibleWhen.equals) : "",
        conditionJson: field.visibleWhen ? JSON.stringify(field.visibleWhen, null, 2) : "",
        validation: field.validation,
      };
    }),
  };
}

/** A text typed for a field of this type, as the value the field holds (like a query parameter). */
function typedValue(field: DraftField | undefined, text: string): unknown {
  if (!field) return text;
  if (CHOICE_TYPES.includes(field.type) && field.type !== "multiSelect") {
    const option = field.options.find((o) => o.text === text);
    return option ? option.value : text;
  }
  const value = coerceQueryValue({ ...field, options: null }, [text]);
  return value === undefined ? text : value;
}

/** The condition of a draft field, or the reason it is not a valid one. */
function conditionOf(
  field: DraftField,
  fields: readonly DraftField[],
): { condition?: VisibleWhen; error?: string } {
  if (field.conditionMode === "none") return {};
  if (field.conditionMode === "simple") {
    if (!field.conditionField) return { error: "Choose the field the condition looks at" };
    const target = fields.find((f) => f.name === field.conditionField);
    return { condition: { field: field.conditionField, equals: typedValue(target, field.conditionEquals) } };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(field.conditionJson);
  } catch {
    return { error: "Not valid JSON" };
  }
  const checked = visibleWhenSchema.safeParse(parsed);
  if (!checked.success) return { error: checked.error.issues.map((i) => i.message).join("; ") };
  return { condition: checked.data };
}

function providerInputsOf(field: DraftField): { inputs?: Record<string, unknown>; error?: string } {
  if (!field.providerInputs.trim()) return {};
  try {
    const parsed: unknown = JSON.parse(field.providerInputs);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      return { error: 'Give a JSON object, e.g. { "tier": "{{ tier }}" }' };
    return { inputs: parsed as Record<string, unknown> };
  } catch {
    return { error: "Not valid JSON" };
  }
}

/** Problems the builder finds before asking the API (which checks the whole form again). */
export function draftProblems(draft: Draft): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const field of draft.fields) {
    const condition = conditionOf(field, draft.fields);
    if (condition.error) problems[`${field.key}.condition`] = condition.error;
    const inputs = providerInputsOf(field);
    if (inputs.error) problems[`${field.key}.inputs`] = inputs.error;
  }
  return problems;
}

const hasProvider = (field: DraftField) =>
  CHOICE_TYPES.includes(field.type) && field.providerWorkflowId !== "";

/** One draft field in the shape of the API (the preview renders it as the runner will). */
export function fieldOf(
  field: DraftField,
  fields: readonly DraftField[],
): RunnableField & Record<string, unknown> {
  const display = DISPLAY_TYPES.includes(field.type);
  const choice = CHOICE_TYPES.includes(field.type);
  const { condition } = conditionOf(field, fields);
  const { inputs } = providerInputsOf(field);
  const out: RunnableField & Record<string, unknown> = {
    name: field.name,
    label: field.label,
    type: field.type,
    required: display ? false : field.required,
  };
  if (field.defaultText !== "" && field.type !== "file") {
    out.default = display
      ? field.defaultText
      : field.type === "multiSelect"
        ? field.defaultText
            .split(",")
            .map((text) => text.trim())
            .filter(Boolean)
            .map((text) => field.options.find((o) => o.text === text)?.value ?? text)
        : typedValue(field, field.defaultText);
  }
  if (field.placeholder) out.placeholder = field.placeholder;
  if (field.helpText) out.helpText = field.helpText;
  if (choice && !hasProvider(field))
    out.options = field.options.map((o) => ({ label: o.label, value: o.value }));
  if (hasProvider(field))
    out.dataProvider = { workflowId: field.providerWorkflowId, ...(inputs ? { inputs } : {}) };
  if (condition) out.visibleWhen = condition;
  if (field.validation) out.validation = field.validation;
  return out;
}

/** The body of `POST /api/forms` / `PUT /api/forms/{id}`. */
export function bodyOf(draft: Draft) {
  return {
    name: draft.name.trim(),
    ...(draft.description.trim() ? { description: draft.description.trim() } : {}),
    workflowId: draft.workflowId,
    ...(draft.launchWorkflowId ? { launchWorkflowId: draft.launchWorkflowId } : {}),
    ...(draft.organizationId ? { organizationId: draft.organizationId } : {}),
    accessLevel: draft.accessLevel,
    roleIds: draft.accessLevel === "role_based" ? draft.roleIds : [],
    allowedQueryParams: draft.allowedQueryParams
      .split(",")
      .map((p) => p.trim())
      .filter(Boolean),
    isActive: draft.isActive,
    fields: draft.fields.map((f) => fieldOf(f, draft.fields)),
  };
}
