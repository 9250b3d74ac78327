import { Field, Input } from "../../components/ui/index.js";

/** The field for a code of an authenticator app (what a phone's keyboard and password manager expect). */
export function CodeField({
  label,
  value,
  onChange,
  error,
  autoFocus,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  autoFocus?: boolean;
}) {
  return (
    <Field label={label} error={error}>
      {(ids) => (
        <Input
          {...ids}
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          required
          maxLength={64}
          autoFocus={autoFocus}
          value={value}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Field>
  );
}
