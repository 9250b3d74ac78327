import {
  useId,
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
} from "react";

export function Input({ className, ...rest }: InputHTMLAttributes<HTMLInputElement>) {
  return <input {...rest} className={["ui-input", className].filter(Boolean).join(" ")} />;
}

export function Select({ className, ...rest }: SelectHTMLAttributes<HTMLSelectElement>) {
  return <select {...rest} className={["ui-input", "ui-select", className].filter(Boolean).join(" ")} />;
}

/** The `<option>`s of a Select whose values are their own labels. */
export function Options({ values }: { values: readonly string[] }) {
  return values.map((value) => (
    <option key={value} value={value}>
      {value}
    </option>
  ));
}

/** A multi-line input; `code` for JSON and other machine text (monospace). */
export function Textarea({
  className,
  code = false,
  ...rest
}: TextareaHTMLAttributes<HTMLTextAreaElement> & { code?: boolean }) {
  const classes = ["ui-input", "ui-textarea", code ? "ui-textarea--code" : "", className];
  return <textarea {...rest} className={classes.filter(Boolean).join(" ")} />;
}

type FieldProps = {
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
  /** Renders the control with the ids that tie it to its label, hint and error. */
  children: (ids: { id: string; "aria-describedby"?: string; "aria-invalid"?: boolean }) => ReactNode;
};

/** A labelled form control with an optional hint and validation message, wired for screen readers. */
export function Field({ label, hint, error, children }: FieldProps) {
  const id = useId();
  const described = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return (
    <div className="ui-field">
      <label className="ui-field__label" htmlFor={id}>
        {label}
      </label>
      {children({
        id,
        ...(described ? { "aria-describedby": described } : {}),
        ...(error ? { "aria-invalid": true } : {}),
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
    </div>
  );
}

/** A labelled box for JSON text: monospace, no spell check. */
export function JsonField({
  label,
  hint,
  error,
  rows,
  value,
  onChange,
  required,
}: Omit<FieldProps, "children"> & {
  rows: number;
  value: string;
  onChange: (text: string) => void;
  required?: boolean;
}) {
  return (
    <Field label={label} hint={hint} error={error}>
      {(ids) => (
        <Textarea
          code
          {...ids}
          rows={rows}
          spellCheck={false}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          required={required}
        />
      )}
    </Field>
  );
}
