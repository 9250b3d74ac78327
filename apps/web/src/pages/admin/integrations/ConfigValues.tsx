/**
 * An integration's config values (its defaults, a mapping's overrides) as one typed input per
 * config field. The API's semantics stay: a secret sent back as "[SECRET]" keeps its stored value,
 * a key left out or null is removed.
 */
import { SECRET_PLACEHOLDER, type IntegrationConfigField } from "@bifrost/contracts";
import { Field, Input, Select } from "../../../components/ui/index.js";
import { parseJsonObject } from "../../../lib/json.js";
import { toValue, ValueField } from "../config-value.js";

/** What each field's input holds, by key ("" is not set). */
export type ConfigTexts = Record<string, string>;

/** The inputs' texts for stored values (REST shows a secret as "[SECRET]", kept as is). */
export function configTexts(
  fields: readonly IntegrationConfigField[],
  config: Record<string, unknown>,
): ConfigTexts {
  const texts: ConfigTexts = {};
  for (const field of fields) {
    const value = config[field.key];
    if (value === undefined || value === null) texts[field.key] = "";
    else if (field.secret && value === SECRET_PLACEHOLDER) texts[field.key] = SECRET_PLACEHOLDER;
    else if (field.type === "json") texts[field.key] = JSON.stringify(value, null, 2);
    else texts[field.key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return texts;
}

/** What the form read: the config to send, or messages (by key for the typed inputs). */
export type ReadConfig =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; message: string; errors?: Record<string, string> };

/**
 * The config to send: with fields, each set one as its type asks and one set before and now empty
 * as null (removed); without fields, the JSON box's object.
 */
export function readConfig(
  fields: readonly IntegrationConfigField[],
  texts: ConfigTexts,
  jsonText: string,
  previous: Record<string, unknown>,
): ReadConfig {
  if (fields.length === 0) return parseJsonObject(jsonText, true);
  const config: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const text = texts[field.key] ?? "";
    if (text.trim() === "") {
      if (previous[field.key] !== undefined) config[field.key] = null;
      continue;
    }
    if (field.secret && text === SECRET_PLACEHOLDER) {
      config[field.key] = SECRET_PLACEHOLDER;
      continue;
    }
    const value = toValue(field.type, text);
    if (value.ok) config[field.key] = value.value;
    else errors[field.key] = value.message;
  }
  return Object.keys(errors).length > 0
    ? { ok: false, message: "Some values cannot be read", errors }
    : { ok: true, value: config };
}

export function ConfigValueInputs({
  fields,
  texts,
  onChange,
  errors,
  labelPrefix,
}: {
  fields: readonly IntegrationConfigField[];
  texts: ConfigTexts;
  onChange: (texts: ConfigTexts) => void;
  errors?: Record<string, string> | undefined;
  /** Tells the inputs of the defaults from a mapping's: "Default" or "Mapping". */
  labelPrefix: string;
}) {
  return (
    <fieldset className="integration-fields">
      <legend>{labelPrefix === "Default" ? "Default config" : "Mapping config"}</legend>
      {fields.map((field) => {
        const text = texts[field.key] ?? "";
        const set = (value: string) => onChange({ ...texts, [field.key]: value });
        const label = `${labelPrefix} ${field.key}${field.required ? " (required)" : ""}`;
        const error = errors?.[field.key];
        if (field.secret)
          return (
            <Field
              key={field.key}
              label={label}
              error={error}
              hint={`Secret, stored encrypted. "${SECRET_PLACEHOLDER}" keeps the stored value; empty removes it.`}
            >
              {(ids) => (
                // The placeholder shows in clear so one sees a value is stored; what one types is hidden.
                <Input
                  {...ids}
                  type={text === SECRET_PLACEHOLDER ? "text" : "password"}
                  autoComplete="new-password"
                  value={text}
                  onChange={(e) => set(e.target.value)}
                />
              )}
            </Field>
          );
        if (field.type === "bool")
          // Not set is a choice of its own: a mapping without the key takes the default.
          return (
            <Field key={field.key} label={label} error={error}>
              {(ids) => (
                <Select {...ids} value={text} onChange={(e) => set(e.target.value)}>
                  <option value="">Not set</option>
                  <option value="true">true</option>
                  <option value="false">false</option>
                </Select>
              )}
            </Field>
          );
        return (
          <ValueField
            key={field.key}
            type={field.type}
            label={label}
            value={text}
            onChange={set}
            error={error}
          />
        );
      })}
      <p className="data-muted">
        An empty value is not set: it is removed{labelPrefix === "Mapping" ? " and the default applies" : ""}.
      </p>
    </fieldset>
  );
}
