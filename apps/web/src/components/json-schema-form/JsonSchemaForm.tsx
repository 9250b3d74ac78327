import { propertiesInOrder } from "@bifrost/contracts";
import { useId } from "react";
import { Button, Input, Select, Textarea } from "../ui/index.js";
import { enumOptions, kindOf, unwrap, type FieldErrors, type JsonSchema } from "./schema.js";
import "./json-schema-form.css";

type FieldProps = {
  name: string;
  path: string;
  schema: JsonSchema;
  value: unknown;
  required: boolean;
  errors: FieldErrors;
  onChange: (value: unknown) => void;
};

/**
 * The fields of an object schema (a workflow's parameters), in declared order, drawn with the kit's
 * controls; controlled: state in, state out.
 */
export function JsonSchemaFields({
  schema,
  value,
  errors,
  onChange,
}: {
  schema: JsonSchema;
  value: Record<string, unknown>;
  errors: FieldErrors;
  onChange: (value: Record<string, unknown>) => void;
}) {
  const properties = propertiesInOrder(unwrap(schema));
  if (properties.length === 0) return <p className="jsf-empty">This workflow takes no parameters.</p>;
  return (
    <div className="jsf">
      {properties.map(([key, child]) => (
        <SchemaField
          key={key}
          name={key}
          path={key}
          schema={child}
          value={value[key]}
          required={unwrap(schema).required?.includes(key) ?? false}
          errors={errors}
          onChange={(next) => onChange({ ...value, [key]: next })}
        />
      ))}
    </div>
  );
}

function labelOf(name: string, schema: JsonSchema): string {
  return unwrap(schema).title ?? name;
}

function SchemaField(props: FieldProps) {
  const { name, path, schema, value, required, errors, onChange } = props;
  const id = `jsf-${useId()}`;
  const s = unwrap(schema);
  const kind = kindOf(s);
  const error = errors[path];
  const described = [s.description ? `${id}-help` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ");
  const common = {
    id,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": described || undefined,
    "aria-required": required || undefined,
  } as const;

  if (kind === "object") {
    const state = (value ?? {}) as Record<string, unknown>;
    return (
      <fieldset className="jsf-object" data-field={path} aria-describedby={described || undefined}>
        <legend className="ui-field__label">
          {labelOf(name, s)}
          {required && <RequiredMark />}
        </legend>
        {s.description && <Help id={`${id}-help`} text={s.description} />}
        {propertiesInOrder(s).map(([key, child]) => (
          <SchemaField
            key={key}
            name={key}
            path={`${path}.${key}`}
            schema={child}
            value={state[key]}
            required={s.required?.includes(key) ?? false}
            errors={errors}
            onChange={(next) => onChange({ ...state, [key]: next })}
          />
        ))}
        {error && <FieldError id={`${id}-error`} message={error} />}
      </fieldset>
    );
  }

  if (kind === "boolean") {
    // The box sits before its label, and the whole line is the click target.
    return (
      <div className="ui-field jsf-field jsf-boolean" data-field={path}>
        <label className="jsf-check">
          <input
            {...common}
            className="jsf-checkbox"
            type="checkbox"
            checked={value === true}
            onChange={(e) => onChange(e.target.checked)}
          />
          <span className="ui-field__label">
            {labelOf(name, s)}
            {required && <RequiredMark />}
          </span>
        </label>
        {s.description && <Help id={`${id}-help`} text={s.description} />}
        {error && <FieldError id={`${id}-error`} message={error} />}
      </div>
    );
  }

  let control;
  switch (kind) {
    case "enum":
      control = (
        <Select {...common} value={asText(value)} onChange={(e) => onChange(e.target.value)}>
          <option value="">{required ? "Choose…" : "(none)"}</option>
          {enumOptions(s).map((option) => (
            <option key={String(option)} value={String(option)}>
              {String(option)}
            </option>
          ))}
        </Select>
      );
      break;
    case "array":
      control = (
        <StringList
          id={id}
          label={labelOf(name, s)}
          items={(value ?? []) as string[]}
          itemSchema={s.items ?? {}}
          onChange={onChange}
          describedBy={described}
        />
      );
      break;
    case "json":
      control = (
        <Textarea
          {...common}
          code
          spellCheck={false}
          rows={4}
          value={asText(value)}
          placeholder="JSON"
          onChange={(e) => onChange(e.target.value)}
        />
      );
      break;
    default:
      control = (
        <Input
          {...common}
          {...inputAttributes(s, kind)}
          value={asText(value)}
          onChange={(e) => onChange(e.target.value)}
        />
      );
  }

  return (
    <div className={`ui-field jsf-field jsf-${kind}`} data-field={path}>
      <label className="ui-field__label" htmlFor={id}>
        {labelOf(name, s)}
        {required && <RequiredMark />}
      </label>
      {control}
      {s.description && <Help id={`${id}-help`} text={s.description} />}
      {error && <FieldError id={`${id}-error`} message={error} />}
    </div>
  );
}

function inputAttributes(s: JsonSchema, kind: string): Record<string, string | number | undefined> {
  if (kind === "number" || kind === "integer") {
    return {
      type: "number",
      inputMode: kind === "integer" ? "numeric" : "decimal",
      min: s.minimum,
      max: s.maximum,
      step: kind === "integer" ? 1 : "any",
    };
  }
  if (s.format === "email") return { type: "email", autoComplete: "off" };
  if (s.format === "date-time") return { type: "datetime-local" };
  if (s.format === "date") return { type: "date" };
  if (s.format === "uri" || s.format === "url") return { type: "url" };
  return { type: "text" };
}

function StringList({
  id,
  label,
  items,
  itemSchema,
  describedBy,
  onChange,
}: {
  id: string;
  label: string;
  items: string[];
  itemSchema: JsonSchema;
  describedBy: string;
  onChange: (value: string[]) => void;
}) {
  const kind = kindOf(itemSchema);
  const numeric = kind === "number" || kind === "integer";
  return (
    <div
      className="jsf-list"
      id={id}
      role="group"
      aria-label={label}
      aria-describedby={describedBy || undefined}
    >
      {items.map((item, index) => (
        <div className="jsf-list-item" key={index}>
          <Input
            type={numeric ? "number" : "text"}
            aria-label={`${label} ${index + 1}`}
            value={item}
            onChange={(e) => onChange(items.map((v, i) => (i === index ? e.target.value : v)))}
          />
          <Button
            variant="ghost"
            className="jsf-remove"
            aria-label={`Remove ${label} ${index + 1}`}
            onClick={() => onChange(items.filter((_, i) => i !== index))}
          >
            ×
          </Button>
        </div>
      ))}
      <Button className="jsf-add" onClick={() => onChange([...items, ""])}>
        Add {label}
      </Button>
    </div>
  );
}

/** Form state of a text-like field is a string; anything else shows empty. */
function asText(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function RequiredMark() {
  return (
    <span className="jsf-required" aria-hidden="true" title="required">
      {" *"}
    </span>
  );
}

function Help({ id, text }: { id: string; text: string }) {
  return (
    <p className="ui-field__hint jsf-help" id={id}>
      {text}
    </p>
  );
}

function FieldError({ id, message }: { id: string; message: string }) {
  return (
    <p className="ui-field__error jsf-error" id={id} role="alert">
      {message}
    </p>
  );
}
