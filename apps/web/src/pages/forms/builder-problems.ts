import { fieldErrorsFromApi } from "../../api/field-errors.js";
import { draftProblems, type Draft, type DraftField } from "./draft.js";
import { CHOICE_TYPES } from "./values.js";

/**
 * The builder's problems in words, keyed by what they are about: a key of the draft (`workflowId`,
 * `name`, …) or `<field key>.<slot>` (`f3.name`, `f3.options`); `<field key>` alone is about the
 * whole field. The page shows each next to its input.
 */
export type Problems = Record<string, string>;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED = ["__proto__", "constructor", "prototype"];

/** What the builder can tell before asking the API; recomputed on every change, so a fix clears it. */
export function builderProblems(draft: Draft): Problems {
  const problems: Problems = { ...draftProblems(draft) };
  if (!draft.name.trim()) problems.name = "Give the form a name";
  if (!draft.workflowId) problems.workflowId = "Choose the workflow the form runs";
  const seen = new Set<string>();
  for (const field of draft.fields) {
    const name = field.name;
    if (!name) problems[`${field.key}.name`] = "Give the field a name: the workflow parameter it fills";
    else if (!NAME.test(name) || name.length > 100)
      problems[`${field.key}.name`] = "Use letters, digits and _ (up to 100), not starting with a digit";
    else if (RESERVED.includes(name)) problems[`${field.key}.name`] = `"${name}" is a reserved name`;
    else if (seen.has(name)) problems[`${field.key}.name`] = `Another field is already named ${name}`;
    seen.add(name);
    if (!field.label.trim()) problems[`${field.key}.label`] = "Give the field a label";
    if (CHOICE_TYPES.includes(field.type) && !field.providerWorkflowId && field.options.length === 0)
      problems[`${field.key}.options`] = "Add an option, or choose a data provider";
  }
  return problems;
}

const FORM_WORDS: Record<string, string> = {
  name: "Give the form a name of up to 200 characters",
  description: "Keep the description under 5,000 characters",
  workflowId: "Choose the workflow the form runs",
  launchWorkflowId: "Choose a launch workflow from the list, or None",
  organizationId: "Choose an organization from the list",
  accessLevel: "Choose who may use the form",
  roleIds: "Choose roles from the list",
  allowedQueryParams: "Give names of up to 100 characters, separated by commas",
};

const FIELD_WORDS: Record<string, string> = {
  name: "Use letters, digits and _ (up to 100), not starting with a digit",
  label: "Give the field a label of up to 500 characters",
  type: "Choose a type from the list",
  default: "This default does not suit the field's type",
  placeholder: "Keep the placeholder under 500 characters",
  helpText: "Keep the help text under 5,000 characters",
  options: "Check the options: each needs a label and a value",
  provider: "Choose a data provider from the list",
  inputs: "Give the provider's inputs as a JSON object",
  condition: "Check the condition",
};

/** The slot of a field an API path (after `fields.<i>.`) is about. */
function slotOf(rest: string | undefined): string {
  const head = rest?.split(".")[0];
  if (!head) return "";
  if (head === "dataProvider") return rest === "dataProvider.inputs" ? "inputs" : "provider";
  if (head === "visibleWhen") return "condition";
  if (head === "validation") return "";
  return head in FIELD_WORDS ? head : "";
}

// The contract's own refinements speak in words ("names must be unique"); zod's built-in
// messages ("Invalid GUID", "Too small: …") name the schema, so the slot's words replace them.
const BUILT_IN = /^(Invalid|Too (small|big)|Expected|Required|Unrecognized)/i;

function sentence(message: string): string {
  return message.charAt(0).toUpperCase() + message.slice(1);
}

/** A 422's `details.fields` as problems on the builder's inputs, the rest as lines in words. */
export function problemsFromApi(details: unknown, draft: Draft): { problems: Problems; other: string[] } {
  const { fields, other } = fieldErrorsFromApi(details, "body.");
  const problems: Problems = {};
  const add = (key: string, message: string) => {
    problems[key] = problems[key] && problems[key] !== message ? `${problems[key]}; ${message}` : message;
  };
  const rest: string[] = [...other];
  for (const [path, message] of Object.entries(fields)) {
    const match = /^fields\.(\d+)(?:\.(.+))?$/.exec(path);
    const field = match ? draft.fields[Number(match[1])] : undefined;
    if (match && field) {
      const slot = slotOf(match[2]);
      const key = slot ? `${field.key}.${slot}` : field.key;
      add(key, BUILT_IN.test(message) ? (FIELD_WORDS[slot] ?? "Check this field") : sentence(message));
      continue;
    }
    const top = path.split(".")[0] ?? "";
    const words = FORM_WORDS[top];
    if (words) add(top, BUILT_IN.test(message) ? words : sentence(message));
    else rest.push(sentence(message));
  }
  return { problems, other: rest };
}

/** The slots of a field that a change of these draft properties may fix. */
const SLOTS_OF: Partial<Record<keyof DraftField, string[]>> = {
  name: ["name"],
  label: ["label"],
  type: ["type", "options", "provider", "inputs", "default"],
  defaultText: ["default"],
  placeholder: ["placeholder"],
  helpText: ["helpText"],
  options: ["options", "default"],
  providerWorkflowId: ["provider", "options", "inputs"],
  providerInputs: ["inputs"],
  conditionMode: ["condition"],
  conditionField: ["condition"],
  conditionEquals: ["condition"],
  conditionJson: ["condition"],
};

/** The API's problems left once the user changes `patch` of the field `fieldKey` (or a draft key). */
export function withoutFixed(problems: Problems, key: string, patch?: Partial<DraftField>): Problems {
  const cleared = new Set<string>(
    patch
      ? [
          key,
          ...Object.keys(patch).flatMap((p) =>
            (SLOTS_OF[p as keyof DraftField] ?? []).map((s) => `${key}.${s}`),
          ),
        ]
      : [key],
  );
  if (![...cleared].some((k) => k in problems)) return problems;
  return Object.fromEntries(Object.entries(problems).filter(([k]) => !cleared.has(k)));
}

/** The API's problems still about the form or one of `fields` (a removed or replaced field's go). */
export function keptFor(problems: Problems, fields: readonly DraftField[]): Problems {
  const keys = new Set(fields.map((f) => f.key));
  return Object.fromEntries(
    Object.entries(problems).filter(([key]) => {
      const head = key.split(".")[0] ?? "";
      return head in FORM_WORDS || keys.has(head);
    }),
  );
}
