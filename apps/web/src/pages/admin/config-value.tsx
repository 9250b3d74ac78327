// A config entry's value on the Config page: typed in as its type asks, shown in the table.
import { SECRET_PLACEHOLDER, type ConfigEntry, type ConfigValueType } from "@bifrost/contracts";
import { Field, Input, Select, Textarea } from "../../components/ui/index.js";
import { parseJson, type Parsed } from "../../lib/json.js";

/** The value the API takes for a type, from what the user typed; a message when it cannot be. */
export function toValue(type: ConfigValueType, text: string): Parsed<unknown> {
  switch (type) {
    case "int":
      // Not an integer: sent as typed, so the API's own 422 explains it.
      return { ok: true, value: /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : text };
    case "bool":
      return { ok: true, value: text === "true" };
    case "json":
      return parseJson(text);
    case "secret":
      // An empty secret would blank the stored one: a secret always needs a value.
      return text === ""
        ? { ok: false, message: "Type the secret's value; an empty secret is not saved." }
        : { ok: true, value: text };
    default:
      return { ok: true, value: text };
  }
}

/** A value as text for the edit box (never a secret: those start empty). */
export function toText(entry: ConfigEntry): string {
  if (entry.type === "secret") return "";
  if (entry.type === "json") return JSON.stringify(entry.value, null, 2);
  return String(entry.value);
}

export function ValueCell({ entry }: { entry: ConfigEntry }) {
  if (entry.type === "secret" || entry.value === SECRET_PLACEHOLDER)
    return (
      <span className="data-secret">
        <span aria-hidden="true">••••••••</span>
        <span className="visually-hidden">hidden secret</span>
      </span>
    );
  const text = entry.type === "json" ? JSON.stringify(entry.value) : String(entry.value);
  return <code className="data-value">{text.length > 120 ? `${text.slice(0, 120)}…` : text}</code>;
}

/** The value control for a type: a password box for secrets, a true/false choice for bools. */
export function ValueField({
  type,
  value,
  onChange,
  label,
  error,
}: {
  type: ConfigValueType;
  value: string;
  onChange: (value: string) => void;
  label: string;
  error?: string | undefined;
}) {
  const hint =
    type === "secret"
      ? "Stored encrypted; it is never shown again."
      : type === "json"
        ? 'Any JSON value, e.g. {"retries": 3}'
        : type === "int"
          ? "An integer"
          : undefined;
  return (
    <Field label={label} hint={hint} error={error}>
      {(ids) =>
        type === "bool" ? (
          <Select {...ids} value={value} onChange={(e) => onChange(e.target.value)}>
            <option value="true">true</option>
            <option value="false">false</option>
          </Select>
        ) : type === "json" ? (
          <Textarea
            code
            {...ids}
            rows={4}
            value={value}
            onChange={(e) => onChange(e.target.value)}
            spellCheck={false}
          />
        ) : (
          <Input
            {...ids}
            type={type === "secret" ? "password" : "text"}
            inputMode={type === "int" ? "numeric" : undefined}
            autoComplete={type === "secret" ? "new-password" : "off"}
            required={type === "secret"}
            value={value}
            onChange={(e) => onChange(e.target.value)}
          />
        )
      }
    </Field>
  );
}
