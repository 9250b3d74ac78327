import { jsonEqual, type FormOption } from "@bifrost/contracts";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useId, useMemo, useRef, useState, type ReactNode } from "react";
import { apiFetch } from "../../api/client.js";
import { errorMessage, Field, Input, Select, Spinner, Textarea } from "../../components/ui/index.js";
import { useSettled } from "../../lib/use-settled.js";
import {
  isDisplay,
  shownFields,
  submittedValues,
  toLocalInput,
  type FieldErrors,
  type RunnableField,
  type Values,
} from "./values.js";
import { FileField } from "./FileField.js";
import { labelOf, type ControlProps } from "./values.js";

type Props = {
  fields: readonly RunnableField[];
  values: Values;
  onChange: (name: string, value: unknown) => void;
  errors?: FieldErrors;
  /** The saved form the fields belong to; absent in the builder's preview (no provider, no upload). */
  formId?: string;
};

/**
 * The fields of a form as people fill them in: the runner and the builder's preview both render
 * this one component. Fields hidden by `visibleWhen` are not rendered.
 */
export function FormFields({ fields, values, onChange, errors = {}, formId }: Props) {
  const shown = shownFields(fields, values);
  return (
    <div className="form-fields">
      {shown.map((field) => (
        <FormFieldControl
          key={field.name}
          field={field}
          fields={fields}
          values={values}
          value={values[field.name]}
          onChange={(value) => onChange(field.name, value)}
          error={errors[field.name]}
          formId={formId}
        />
      ))}
    </div>
  );
}

function FormFieldControl(props: ControlProps) {
  const { field, value, onChange, error } = props;
  const hint = field.helpText ?? undefined;
  const common = { placeholder: field.placeholder ?? undefined, required: field.required };

  if (isDisplay(field)) return <ContentBlock field={field} />;
  switch (field.type) {
    case "text":
    case "email":
    case "date":
      return (
        <Field label={labelOf(field)} hint={hint} error={error}>
          {(ids) => (
            <Input
              {...ids}
              {...common}
              type={field.type}
              value={typeof value === "string" ? value : ""}
              onChange={(e) => onChange(e.target.value === "" ? undefined : e.target.value)}
            />
          )}
        </Field>
      );
    case "textarea":
      return (
        <Field label={labelOf(field)} hint={hint} error={error}>
          {(ids) => (
            <Textarea
              {...ids}
              {...common}
              rows={4}
              value={typeof value === "string" ? value : ""}
              onChange={(e) => onChange(e.target.value === "" ? undefined : e.target.value)}
            />
          )}
        </Field>
      );
    case "number":
      return (
        <Field label={labelOf(field)} hint={hint} error={error}>
          {(ids) => <NumberInput ids={ids} common={common} field={field} value={value} onChange={onChange} />}
        </Field>
      );
    case "datetime":
      return (
        <Field label={labelOf(field)} hint={hint} error={error}>
          {(ids) => (
            <Input
              {...ids}
              {...common}
              type="datetime-local"
              value={toLocalInput(value)}
              onChange={(e) => {
                const date = new Date(e.target.value);
                onChange(
                  e.target.value === "" || Number.isNaN(date.getTime()) ? undefined : date.toISOString(),
                );
              }}
            />
          )}
        </Field>
      );
    case "checkbox":
      return <CheckboxField {...props} />;
    case "select":
    case "radio":
    case "multiSelect":
      return <ChoiceField {...props} />;
    case "file":
      return <FileField {...props} />;
    default:
      return null;
  }
}

function NumberInput({
  ids,
  common,
  field,
  value,
  onChange,
}: {
  ids: Record<string, unknown>;
  common: { placeholder: string | undefined; required: boolean };
  field: RunnableField;
  value: unknown;
  onChange: (value: unknown) => void;
}) {
  // The text typed is kept as is ("-", "1."), the value handed up is the number it reads as.
  const [text, setText] = useState(typeof value === "number" ? String(value) : "");
  useEffect(() => {
    // A value set from outside (prefill, reset) replaces the text; the text typed stays otherwise.
    setText((current) => {
      const reads = current.trim() === "" ? undefined : Number(current);
      if (typeof value === "number") return reads === value ? current : String(value);
      return reads !== undefined && Number.isFinite(reads) ? "" : current;
    });
  }, [value]);
  return (
    <Input
      {...ids}
      {...common}
      type="number"
      inputMode="decimal"
      step="any"
      min={field.validation?.min}
      max={field.validation?.max}
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        const n = Number(e.target.value);
        onChange(e.target.value.trim() === "" || !Number.isFinite(n) ? undefined : n);
      }}
    />
  );
}

function CheckboxField({ field, value, onChange, error }: ControlProps) {
  const id = useId();
  const described = [field.helpText ? `${id}-hint` : "", error ? `${id}-error` : ""]
    .filter(Boolean)
    .join(" ");
  return (
    <div className="ui-field form-check">
      <label className="form-check__label">
        <input
          id={id}
          type="checkbox"
          checked={value === true}
          aria-describedby={described || undefined}
          aria-invalid={error ? true : undefined}
          onChange={(e) => onChange(e.target.checked)}
        />{" "}
        {labelOf(field)}
      </label>
      {field.helpText && (
        <p className="ui-field__hint" id={`${id}-hint`}>
          {field.helpText}
        </p>
      )}
      {error && (
        <p className="ui-field__error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

/** The values a data provider depends on: its `{{ field }}` inputs, else every other entered value. */
function providerValues(field: RunnableField, fields: readonly RunnableField[], values: Values): Values {
  const entered = submittedValues(fields, values);
  delete entered[field.name];
  const inputs = field.dataProvider?.inputs;
  if (!inputs) return entered;
  const picked: Values = {};
  for (const spec of Object.values(inputs)) {
    const match = typeof spec === "string" ? /^\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$/.exec(spec) : null;
    const name = match?.[1];
    if (name && entered[name] !== undefined) picked[name] = entered[name];
  }
  return picked;
}

function useOptions(field: RunnableField, fields: readonly RunnableField[], values: Values, formId?: string) {
  const live = Boolean(field.dataProvider && formId);
  const deps = useSettled(
    useMemo(() => (live ? providerValues(field, fields, values) : {}), [live, field, fields, values]),
    300,
  );
  const query = useQuery({
    queryKey: ["forms", formId, "options", field.name, deps],
    queryFn: () =>
      apiFetch<{ options: FormOption[]; error?: string }>(
        `/api/forms/${encodeURIComponent(formId ?? "")}/fields/${encodeURIComponent(field.name)}/options`,
        { method: "POST", body: { values: deps } },
      ),
    enabled: live,
    placeholderData: (previous) => previous,
    retry: false,
  });
  if (!field.dataProvider) return { options: field.options ?? [], status: "static" as const };
  if (!formId) return { options: [], status: "preview" as const };
  if (query.isError) return { options: [], status: "error" as const, message: errorMessage(query.error) };
  if (query.isPending) return { options: [], status: "loading" as const };
  if (query.data.error)
    return {
      options: [],
      status: "error" as const,
      message: query.data.error,
      retry: () => void query.refetch(),
    };
  // The previous dependencies' options, shown while the new ones load: not to be chosen from.
  if (query.isPlaceholderData) return { options: query.data.options, status: "stale" as const };
  return {
    options: query.data.options,
    status: query.isFetching ? ("refreshing" as const) : ("ready" as const),
  };
}

/**
 * A data provider's new options that no longer hold the chosen value (its dependencies changed):
 * the value is cleared (a multi-select keeps the choices still offered), else the API refuses it.
 */
function useDropUnoffered(
  live: boolean,
  multiple: boolean,
  options: FormOption[],
  value: unknown,
  onChange: (value: unknown) => void,
) {
  const change = useRef(onChange);
  useEffect(() => {
    change.current = onChange;
  });
  useEffect(() => {
    if (!live || value === undefined) return;
    const offered = (v: unknown) => options.some((o) => jsonEqual(o.value, v));
    if (multiple && Array.isArray(value)) {
      const kept = value.filter(offered);
      if (kept.length !== value.length) change.current(kept.length > 0 ? kept : undefined);
    } else if (!offered(value)) change.current(undefined);
  }, [live, multiple, options, value]);
}

function ChoiceField({ field, fields, values, value, onChange, error, formId }: ControlProps) {
  const loaded = useOptions(field, fields, values, formId);
  const { options } = loaded;
  const stale = loaded.status === "stale";
  useDropUnoffered(loaded.status === "ready", field.type === "multiSelect", options, value, onChange);
  const status: ReactNode =
    loaded.status === "loading" || loaded.status === "refreshing" || stale ? (
      <Spinner size="small" label="Loading the options…" />
    ) : loaded.status === "error" ? (
      <span className="ui-field__error" role="alert">
        Could not load the options: {loaded.message}
      </span>
    ) : loaded.status === "preview" ? (
      <span className="form-muted">The options come from the data provider when the form runs.</span>
    ) : null;
  const hint =
    field.helpText || status ? (
      <>
        {field.helpText}
        {field.helpText && status ? " " : null}
        {status}
      </>
    ) : undefined;

  if (field.type === "select") {
    const index = options.findIndex((o) => jsonEqual(o.value, value));
    return (
      <Field label={labelOf(field)} hint={hint} error={error}>
        {(ids) => (
          <Select
            {...ids}
            required={field.required}
            disabled={stale}
            aria-busy={stale || undefined}
            value={index >= 0 ? String(index) : ""}
            onChange={(e) =>
              onChange(e.target.value === "" ? undefined : options[Number(e.target.value)]?.value)
            }
          >
            <option value="">{field.placeholder ?? "Choose…"}</option>
            {options.map((o, i) => (
              <option key={i} value={String(i)}>
                {o.label}
              </option>
            ))}
          </Select>
        )}
      </Field>
    );
  }
  return (
    <ChoiceGroup
      field={field}
      options={options}
      value={value}
      onChange={onChange}
      error={error}
      hint={hint}
      disabled={stale}
    />
  );
}

function ChoiceGroup({
  field,
  options,
  value,
  onChange,
  error,
  hint,
  disabled,
}: {
  field: RunnableField;
  options: FormOption[];
  value: unknown;
  onChange: (value: unknown) => void;
  error: string | undefined;
  hint: ReactNode;
  disabled: boolean;
}) {
  const id = useId();
  const multiple = field.type === "multiSelect";
  const chosen: unknown[] = multiple ? (Array.isArray(value) ? (value as unknown[]) : []) : [value];
  const described = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return (
    <fieldset
      className="ui-field form-group"
      aria-describedby={described || undefined}
      aria-invalid={error ? true : undefined}
      aria-busy={disabled || undefined}
      disabled={disabled}
    >
      <legend className="ui-field__label">{labelOf(field)}</legend>
      {options.length === 0 && <p className="form-muted">No options.</p>}
      {options.map((o, i) => {
        const checked = chosen.some((c) => jsonEqual(c, o.value));
        return (
          <label key={i} className="form-check__label">
            <input
              type={multiple ? "checkbox" : "radio"}
              name={id}
              checked={checked}
              onChange={(e) => {
                if (!multiple) return onChange(o.value);
                const rest = chosen.filter((c) => !jsonEqual(c, o.value));
                onChange(e.target.checked ? [...rest, o.value] : rest);
              }}
            />{" "}
            {o.label}
          </label>
        );
      })}
      {hint && (
        <p className="ui-field__hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="ui-field__error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </fieldset>
  );
}

/** A markdown or html block: its text (the field's default) shown as plain text, never as markup. */
function ContentBlock({ field }: { field: RunnableField }) {
  const text = typeof field.default === "string" ? field.default : "";
  return (
    <div className="form-content" role="note" aria-label={field.label}>
      {text || field.helpText || field.label}
    </div>
  );
}
